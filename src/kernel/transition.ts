// kernel/livepatch/transition.c: the consistency model. One transition at a time moves every
// task from the initial to the target state; a task switches only where it cannot be running
// any function the transition changes (stack check), or at a point known to be safe (exit
// to user space, the idle loop, the scheduler hook), or when forced.

import { KLP_TRANSITION_IDLE, KLP_TRANSITION_PATCHED, KLP_TRANSITION_UNPATCHED, SIGNALS_TIMEOUT, type PatchState } from './constants';
import { stateWord, type KlpFunc } from './klp';
import type { Kernel } from './kernel';
import { KERN_NOTICE, KERN_WARNING } from './printk';
import { Sched, TF, wakesOnSignal } from './tasks';
import {
  klpDiscardNops,
  klpFreePatchAsync,
  klpFreeReplacedPatchesAsync,
  klpPostPatchCallback,
  klpPostUnpatchCallback,
  klpUnpatchReplacedPatches,
} from './core';
import { klpUnpatchObjects } from './patch';
import { firstFailedCheck, SWITCH_RULE } from './switchRule';
import { collectPending, walkThreads } from './walker';

const TRANSITION_C = 'transition.c';
const SWITCH_SITE = { file: 'kernel/livepatch/transition.c', func: 'klp_try_switch_task', module: 'livepatch' };

/** Why a task could not switch (the -errno of klp_check_and_switch_task()). */
type SwitchVerdict =
  | { ok: true }
  | { ok: false; errno: -16; reason: 'running' }
  | { ok: false; errno: -22; reason: 'unreliable' }
  | { ok: false; errno: -98; reason: 'sleeping'; func: string }
  | { ok: false; errno: 0; reason: 'no-reliable-stacktrace' };

/**
 * The forbidden range of each func of the transition patch for the current target
 * (klp_check_stack_func()), as code ids, in klp_for_each_object/func order.
 */
export function forbiddenRanges(k: Kernel): { ranges: [number, number][]; funcs: KlpFunc[] } {
  const patch = k.klpTransitionPatch;
  const ranges: [number, number][] = [];
  const funcs: KlpFunc[] = [];
  if (!patch) return { ranges, funcs };
  for (const obj of patch.objs) {
    if (!obj.patched) continue;
    for (const func of obj.funcs) {
      const idx = funcs.length;
      funcs.push(func);
      const code = forbiddenCode(k, func);
      if (code >= 0) ranges.push([code, idx]);
    }
  }
  return { ranges, funcs };
}

/** klp_check_stack_func(): which code must not be on a stack for `func` to switch. */
export function forbiddenCode(k: Kernel, func: KlpFunc): number {
  if (k.klpTargetState === KLP_TRANSITION_UNPATCHED) {
    // The to-be-unpatched function itself (for a nop: the original function).
    return func.newFunc ? func.newFunc.id : -1;
  }
  if (!func.oldFunc) return -1;
  const ops = k.klpOps.get(func.oldFunc.id);
  if (!ops || ops.funcStack.length === 1) return func.oldFunc.id; // the original function
  const i = ops.funcStack.indexOf(func);
  const prev = ops.funcStack[i + 1];
  // list_next_entry() of the last entry would be the list head itself: a garbage range that
  // no return address lies in. Only reachable when a reversed disable targets a bottom entry.
  if (!prev) return -1;
  return prev.newFunc ? prev.newFunc.id : -1;
}

/** klp_check_and_switch_task()'s checks and klp_check_stack(), without switching; needs StackVerdicts prepared. */
function checkTask(k: Kernel, slot: number, funcs: KlpFunc[]): SwitchVerdict {
  const t = k.tasks;
  const v = k.verdicts.verdict(t.stack[slot]);
  const i = firstFailedCheck(t.sched[slot], t.flags[slot], v, slot === k.current);
  if (i < 0) return { ok: true };
  const c = SWITCH_RULE[i];
  if (c.reason === 'sleeping') return { ok: false, errno: c.errno as -98, reason: 'sleeping', func: funcs[v].oldName };
  return { ok: false, errno: c.errno as -16 | -22, reason: c.reason } as SwitchVerdict;
}

/** klp_check_and_switch_task(): on success the task takes the target state. */
function checkAndSwitch(k: Kernel, slot: number, funcs: KlpFunc[]): SwitchVerdict {
  const v = checkTask(k, slot, funcs);
  if (v.ok) {
    k.tasks.flags[slot] &= ~TF.PATCH_PENDING;
    k.tasks.patchState[slot] = k.klpTargetState;
  }
  return v;
}

function reportSwitchFailure(k: Kernel, slot: number, v: SwitchVerdict): void {
  if (v.ok || v.reason === 'no-reliable-stacktrace') return;
  const who = `${k.tasks.commOf(slot)}:${k.tasks.pid[slot]}`;
  const text =
    v.reason === 'running' ? `klp_try_switch_task: ${who} is running`
    : v.reason === 'unreliable' ? `klp_try_switch_task: ${who} has an unreliable stack`
    : `klp_try_switch_task: ${who} is sleeping on function ${v.func}`;
  k.log.debug(SWITCH_SITE, `livepatch: ${text}`);
}

/**
 * What klp_try_switch_task() would decide for `slot` now, without switching it (for the
 * views' "why has it not switched" and for tests).
 */
export function explainSwitch(k: Kernel, slot: number): SwitchVerdict {
  return switchExplainer(k)(slot);
}

/**
 * explainSwitch() for many tasks of one moment: the forbidden ranges and stack verdicts are
 * prepared once, so asking about every task costs one stack-verdict pass, not one per task.
 * Valid until the kernel's state changes.
 */
export function switchExplainer(k: Kernel): (slot: number) => SwitchVerdict {
  if (k.klpTargetState === KLP_TRANSITION_IDLE) return () => ({ ok: true });
  if (!k.config.reliableStacktrace) return (slot) => (k.tasks.patchState[slot] === k.klpTargetState ? { ok: true } : { ok: false, errno: 0, reason: 'no-reliable-stacktrace' });
  const { ranges, funcs } = forbiddenRanges(k);
  k.verdicts.begin(ranges);
  return (slot) => (k.tasks.patchState[slot] === k.klpTargetState ? { ok: true } : checkTask(k, slot, funcs));
}

/** klp_try_switch_task(): one task, with its debug message on failure. */
function klpTrySwitchTask(k: Kernel, slot: number): boolean {
  if (k.tasks.patchState[slot] === k.klpTargetState) return true;
  if (!k.config.reliableStacktrace) return false;
  const { ranges, funcs } = forbiddenRanges(k);
  k.verdicts.begin(ranges);
  const v = checkAndSwitch(k, slot, funcs);
  reportSwitchFailure(k, slot, v);
  return v.ok;
}

/** klp_init_transition() */
export function klpInitTransition(k: Kernel, patch: import('./klp').KlpPatch, state: PatchState): void {
  if (k.klpTargetState !== KLP_TRANSITION_IDLE) k.warn('kernel/livepatch/transition.c', 'klp_init_transition', true, 'klp_target_state != KLP_TRANSITION_IDLE');
  k.klpTransitionPatch = patch;
  k.klpTargetState = state;
  k.klpDebug(TRANSITION_C, 'klp_init_transition', `'${patch.name}': initializing ${stateWord(state)} transition`);
  const initial = (state === KLP_TRANSITION_PATCHED ? KLP_TRANSITION_UNPATCHED : KLP_TRANSITION_PATCHED) as PatchState;
  const t = k.tasks;
  let warned = false;
  const init = (s: number) => {
    if (t.patchState[s] !== KLP_TRANSITION_IDLE && !warned) {
      warned = true;
      k.warn('kernel/livepatch/transition.c', 'klp_init_transition', true, 'task->patch_state != KLP_TRANSITION_IDLE');
    }
    t.patchState[s] = initial;
  };
  for (let s = k.firstThread; s < t.n; s++) if (t.flags[s] & TF.LISTED) init(s);
  for (let c = 0; c < k.nrCpus; c++) init(k.idleSlot(c));
  // smp_wmb(): patch_state is visible before any func->transition.
  for (const func of patch.funcs()) func.transition = true;
  const initEvent = { type: 'klp.init', patch: patch.name, target: state } as const;
  k.events.publish(initEvent);
  k.klpCore.send(initEvent);
}

/** klp_start_transition(): flag every task not yet in the target state. */
export function klpStartTransition(k: Kernel): void {
  const patch = k.klpTransitionPatch;
  if (!patch || k.klpTargetState === KLP_TRANSITION_IDLE) {
    k.warn('kernel/livepatch/transition.c', 'klp_start_transition', true, 'klp_target_state == KLP_TRANSITION_IDLE');
    return;
  }
  k.klpPr(KERN_NOTICE, `'${patch.name}': starting ${stateWord(k.klpTargetState)} transition`);
  const t = k.tasks;
  const target = k.klpTargetState;
  for (let s = k.firstThread; s < t.n; s++) {
    if (t.flags[s] & TF.LISTED && t.patchState[s] !== target) t.flags[s] |= TF.PATCH_PENDING;
  }
  for (let c = 0; c < k.nrCpus; c++) {
    const s = k.idleSlot(c);
    if (t.patchState[s] !== target) t.flags[s] |= TF.PATCH_PENDING;
  }
  k.klpPending.reset();
  // klp_cond_resched_enable() (v6.4-v6.15) / klp_resched_enable() (v6.16+).
  k.klpSchedHookEnabled = k.features.schedHook !== 'none';
  k.klpSignalsCnt = 0;
  k.events.publish({ type: 'klp.start', patch: patch.name, target });
}

/**
 * klp_try_complete_transition(): one attempt. Walks every thread (under tasklist_lock in
 * the kernel), then the idle tasks, and hands the walk's result to the klp core machine,
 * which completes the transition when all are switched (klpFinishTransition), otherwise
 * sends fake signals every SIGNALS_TIMEOUT attempts and re-arms the delayed work.
 *
 * Time: the walk holds tasklist_lock for read for walkCheckUsPerTask per thread it checks,
 * plus walkDebugPrintUs per "klp_try_switch_task: ..." line printed inside the section. Its
 * effects (switches, log lines, completion) are taken at the attempt's start T, as before the
 * cost model existed, so short walks leave every transcript unchanged; what the hold changes
 * is recorded and scheduled: the interval [T, T + hold] in kernel.tasklist.holds, forks and
 * exits queued behind it (tasklistWriteLock), the RCU Tasks holdout and the hard-lockup
 * detector of a writer spinning with interrupts off, and the retry, which
 * schedule_delayed_work() arms only after read_unlock(), at T + hold.
 */
export function klpTryCompleteTransition(k: Kernel): boolean {
  const patch = k.klpTransitionPatch;
  if (!patch || k.klpTargetState === KLP_TRANSITION_IDLE) {
    k.warn('kernel/livepatch/transition.c', 'klp_try_complete_transition', true, 'klp_target_state == KLP_TRANSITION_IDLE');
    return false;
  }
  const target = k.klpTargetState;
  const reliable = k.config.reliableStacktrace;
  const { ranges, funcs } = forbiddenRanges(k);
  k.verdicts.begin(ranges);
  const debugOn = reliable && k.log.dyndbg.isEnabled(SWITCH_SITE);
  // Without reliable stacks klp_try_switch_task() returns before any check: no cost.
  let checked = 0;
  if (reliable) checked = walkThreads(k, target);
  else collectPending(k, target);
  const pend = k.klpPending;
  const blocked = pend.len;
  if (debugOn) {
    for (let i = 0; i < blocked; i++) {
      const s = pend.slots[i];
      reportSwitchFailure(k, s, checkAndSwitch(k, s, funcs));
    }
  }
  const debugLines = debugOn ? blocked : 0;
  const holdUs = checked * k.config.walkCheckUsPerTask + debugLines * k.config.walkDebugPrintUs;
  const now = k.clock.now;
  k.tasklist.readHold({ start: now, end: now + holdUs, checked, debugLines, cpu: k.cpuOf(k.current) });
  k.rcuTasks.holdout(now, now + holdUs);
  const pending = blocked + checkIdleTasks(k, target, funcs, reliable, debugOn);
  // What follows is the klp core machine's decision (klpCoreMachine.ts): complete when every
  // task is switched (klpFinishTransition), else fake signals when due (klpSendSignals) and
  // the work re-armed (klpRearmTransitionWork). Observers see the attempt first.
  const attempt = { type: 'klp.attempt', patch: patch.name, complete: pending === 0, pending, holdUs, signalsCnt: k.klpSignalsCnt } as const;
  k.events.publish(attempt);
  k.klpCore.send(attempt);
  return pending === 0;
}

/**
 * klp_try_complete_transition()'s for_each_possible_cpu() over the idle tasks; returns how
 * many stay pending. Its own function: V8 optimises the loop within a few attempts, where
 * inside klpTryCompleteTransition() (one call per attempt) it ran unoptimised for dozens.
 */
function checkIdleTasks(k: Kernel, target: number, funcs: KlpFunc[], reliable: boolean, debugOn: boolean): number {
  const ps = k.tasks.patchState;
  const flags = k.tasks.flags;
  let pending = 0;
  for (let c = 0; c < k.nrCpus; c++) {
    const s = k.idleSlot(c);
    if (k.cpus[c].online) {
      if (ps[s] === target) continue;
      let ok = false;
      if (reliable) {
        const v = checkAndSwitch(k, s, funcs);
        ok = v.ok;
        if (!ok && debugOn) reportSwitchFailure(k, s, v);
      }
      if (!ok) {
        pending++;
        wakeUpIfIdle(k, c);
      }
    } else if (ps[s] !== target) {
      // An offline CPU's idle task cannot be running anything: switch it directly.
      flags[s] &= ~TF.PATCH_PENDING;
      ps[s] = target;
    }
  }
  return pending;
}

/** The end of klp_try_complete_transition() once every task has switched: complete, then free. */
export function klpFinishTransition(k: Kernel): void {
  const patch = k.klpTransitionPatch;
  if (!patch) return;
  k.klpSchedHookEnabled = false;
  klpCompleteTransition(k);
  if (!patch.enabled) klpFreePatchAsync(k, patch);
  else if (patch.replace) klpFreeReplacedPatchesAsync(k, patch);
}

/** Whether a failed attempt with this klp_signals_cnt sends fake signals: every SIGNALS_TIMEOUT attempts. */
export function klpSignalsDue(signalsCnt: number): boolean {
  return signalsCnt !== 0 && signalsCnt % SIGNALS_TIMEOUT === 0;
}

/**
 * The end of a failed klp_try_complete_transition(): count it in klp_signals_cnt and
 * schedule_delayed_work(&klp_transition_work, round_jiffies_relative(HZ)) once the walk's
 * read_unlock() is done, `holdUs` after the attempt's start.
 */
export function klpRearmTransitionWork(k: Kernel, holdUs: number): void {
  k.klpSignalsCnt++;
  k.klpCore.send({ type: 'klp.queueWork', delayUs: k.roundJiffiesRelative(k.config.hz, holdUs) });
}

/** wake_up_if_idle(): the idle task passes do_idle() and switches itself there. */
function wakeUpIfIdle(k: Kernel, cpu: number): void {
  const idle = k.idleSlot(cpu);
  if (k.cpus[cpu].curr !== idle) return;
  k.clock.after(25, () => {
    if (k.cpus[cpu].curr === idle) k.klpUpdatePatchState(idle);
  }, `wake_up_if_idle(${cpu})`);
}

/** klp_complete_transition() */
function klpCompleteTransition(k: Kernel): void {
  const patch = k.klpTransitionPatch;
  if (!patch) return;
  const target = k.klpTargetState;
  k.klpDebug(TRANSITION_C, 'klp_complete_transition', `'${patch.name}': completing ${stateWord(target)} transition`);
  if (patch.replace && target === KLP_TRANSITION_PATCHED) {
    klpUnpatchReplacedPatches(k, patch);
    klpDiscardNops(k, patch);
  }
  if (target === KLP_TRANSITION_UNPATCHED) klpUnpatchObjects(k, patch, false);
  for (const func of patch.funcs()) func.transition = false;
  k.klpPending.release();
  const t = k.tasks;
  let warned = false;
  const reset = (s: number) => {
    if (t.flags[s] & TF.PATCH_PENDING && !warned) {
      warned = true;
      k.warn('kernel/livepatch/transition.c', 'klp_complete_transition', true, 'TIF_PATCH_PENDING still set');
    }
    t.patchState[s] = KLP_TRANSITION_IDLE;
  };
  for (let s = k.firstThread; s < t.n; s++) if (t.flags[s] & TF.LISTED) reset(s);
  for (let c = 0; c < k.nrCpus; c++) reset(k.idleSlot(c));
  for (const obj of patch.objs) {
    if (!obj.loaded) continue;
    if (target === KLP_TRANSITION_PATCHED) klpPostPatchCallback(obj);
    else klpPostUnpatchCallback(obj);
  }
  k.klpPr(KERN_NOTICE, `'${patch.name}': ${stateWord(target)} complete`);
  k.klpTargetState = KLP_TRANSITION_IDLE;
  k.klpTransitionPatch = null;
  const complete = { type: 'klp.complete', patch: patch.name, target } as const;
  k.events.publish(complete);
  k.klpCore.send(complete);
}

/** klp_cancel_transition(): an enable failed before the transition started. */
export function klpCancelTransition(k: Kernel): void {
  const patch = k.klpTransitionPatch;
  if (!patch || k.klpTargetState !== KLP_TRANSITION_PATCHED) {
    k.warn('kernel/livepatch/transition.c', 'klp_cancel_transition', true, 'klp_target_state != KLP_TRANSITION_PATCHED');
    return;
  }
  k.klpDebug(TRANSITION_C, 'klp_cancel_transition', `'${patch.name}': canceling patching transition, going to unpatch`);
  k.klpTargetState = KLP_TRANSITION_UNPATCHED;
  klpCompleteTransition(k);
}

/**
 * klp_reverse_transition(): clear every pending flag, flip the target and the patch's
 * `enabled`, and start again: only the tasks that had already switched become pending.
 * No attempt is made here; the delayed work that is already queued makes the next one.
 */
export function klpReverseTransition(k: Kernel): void {
  const patch = k.klpTransitionPatch;
  if (!patch) return;
  k.klpDebug(
    TRANSITION_C,
    'klp_reverse_transition',
    `'${patch.name}': reversing transition from ${k.klpTargetState === KLP_TRANSITION_PATCHED ? 'patching to unpatching' : 'unpatching to patching'}`,
  );
  const t = k.tasks;
  for (let s = k.firstThread; s < t.n; s++) if (t.flags[s] & TF.LISTED) t.flags[s] &= ~TF.PATCH_PENDING;
  for (let c = 0; c < k.nrCpus; c++) t.clear(k.idleSlot(c), TF.PATCH_PENDING);
  // klp_synchronize_transition(): every running switch has seen the cleared flags.
  patch.enabled = !patch.enabled;
  k.klpTargetState = (k.klpTargetState === KLP_TRANSITION_PATCHED ? KLP_TRANSITION_UNPATCHED : KLP_TRANSITION_PATCHED) as PatchState;
  k.events.publish({ type: 'klp.reverse', patch: patch.name, target: k.klpTargetState });
  klpStartTransition(k);
}

/**
 * klp_force_transition(): every pending task takes the target state without any check.
 * Patches leaving the system are marked forced: their modules are never released.
 */
export function klpForceTransition(k: Kernel): void {
  const patch = k.klpTransitionPatch;
  if (!patch) return;
  k.klpPr(KERN_WARNING, 'forcing remaining tasks to the patched state');
  const t = k.tasks;
  for (let s = k.firstThread; s < t.n; s++) if (t.flags[s] & TF.LISTED) k.klpUpdatePatchState(s);
  for (let c = 0; c < k.nrCpus; c++) k.klpUpdatePatchState(k.idleSlot(c));
  if (k.klpTargetState === KLP_TRANSITION_UNPATCHED) patch.forced = true;
  else if (patch.replace) for (const p of k.klpPatches) if (p !== patch) p.forced = true;
  k.events.publish({ type: 'klp.force', patch: patch.name });
}

/**
 * klp_send_signals() (transition.c): kthreads get wake_up_state(task, TASK_INTERRUPTIBLE);
 * user tasks set_notify_signal(), the same wake-up or a kick of a running task into the
 * exit-to-user path. Idle tasks and TASK_UNINTERRUPTIBLE sleepers, freezable or not, stay.
 */
export function klpSendSignals(k: Kernel): void {
  if (k.klpSignalsCnt === SIGNALS_TIMEOUT) k.klpPr(KERN_NOTICE, 'signaling remaining tasks');
  const t = k.tasks;
  // The attempt's walk has just left exactly the unswitched threads here, in task-list order.
  const pend = k.klpPending;
  let signalled = 0;
  for (let i = 0; i < pend.len; i++) {
    const s = pend.slots[i];
    if (!(t.flags[s] & TF.LISTED) || !(t.flags[s] & TF.PATCH_PENDING)) continue;
    signalled++;
    if (t.flags[s] & TF.KTHREAD) {
      k.wakeInterruptible(s);
    } else {
      t.flags[s] |= TF.NOTIFY_SIGNAL;
      signalWakeUp(k, s);
    }
  }
  k.events.publish({ type: 'klp.signal', patch: k.klpTransitionPatch?.name ?? '', round: k.klpSignalsCnt / SIGNALS_TIMEOUT, tasks: signalled });
}

/**
 * signal_wake_up(): a user task sleeping interruptibly is interrupted, returns to user
 * space (where the pending flag is handled) and restarts its syscall; a running task in
 * user mode gets an IPI and switches on the interrupt's return to user mode.
 */
function signalWakeUp(k: Kernel, s: number): void {
  const st = k.tasks.sched[s];
  const inUser = k.tasks.has(s, TF.USER_MODE);
  if (wakesOnSignal(st) || (inUser && (st === Sched.RUNNING || st === Sched.RUNNABLE))) {
    k.clock.after(10, () => {
      if (!(k.tasks.flags[s] & TF.LISTED)) return;
      const now = k.tasks.sched[s];
      if (wakesOnSignal(now) || k.tasks.has(s, TF.USER_MODE)) k.exitToUserMode(s);
    }, 'signal_wake_up');
  }
}

/**
 * __klp_sched_try_switch(): a stack-checked self switch from the scheduler. v6.4-v6.15 from
 * cond_resched(), v6.16+ from __schedule() for a task going to a freezable sleep.
 */
export function klpSchedTrySwitch(k: Kernel, slot: number, freezable: boolean): void {
  if (!k.klpSchedHookEnabled) return;
  const hook = k.features.schedHook;
  if (hook === 'freezable_schedule' && !freezable) return;
  if (hook === 'cond_resched' && freezable) return;
  if (!(k.tasks.flags[slot] & TF.PATCH_PENDING)) return;
  const saved = k.current;
  k.current = slot;
  klpTrySwitchTask(k, slot);
  k.current = saved;
}
