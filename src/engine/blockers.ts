// Why each task has not switched yet, for every task at once: the views colour a million
// cells by it and the timeline counts it at every attempt. It asks klp_check_and_switch_task()'s
// questions from the one table of them (kernel/switchRule.ts), with the stack verdicts of one
// attempt computed once for all tasks, and never switches anything.

import { KLP_TRANSITION_IDLE } from '../kernel/constants';
import type { Kernel } from '../kernel/kernel';
import { forbiddenRanges } from '../kernel/transition';
import { isUninterruptibleSleep, Sched, TF } from '../kernel/tasks';
import { firstFailedCheck, SWITCH_RULE } from '../kernel/switchRule';

/** Blocker reasons, as small integers so a million of them fit in a Uint8Array. */
export const Reason = {
  /** Not taking part: no transition, already in the target state, or gone. */
  NONE: 0,
  /** Pending, but the next attempt's stack check will pass. */
  WILL_SWITCH: 1,
  /** On a CPU: klp_check_and_switch_task() returns -EBUSY. */
  RUNNING: 2,
  /** Sleeping with a forbidden function on its stack (-EADDRINUSE). */
  SLEEPING: 3,
  /** As SLEEPING, in D state: a fake signal cannot move it either. */
  UNINTERRUPTIBLE: 4,
  /** The unwinder cannot vouch for its stack (-EINVAL), or the arch has no reliable stacktrace. */
  UNRELIABLE: 5,
  /** Exiting and already unhashed: the walk no longer sees it, though it may run old code. */
  EXITING: 6,
} as const;
export type ReasonCode = (typeof Reason)[keyof typeof Reason];

export const REASON_NAMES = ['none', 'will switch', 'running', 'sleeping on a patched function', 'uninterruptible (D) in a patched function', 'unreliable stack', 'exiting, unhashed'] as const;
/** Reasons that block the transition (everything but NONE). */
export const BLOCKING_REASONS: readonly ReasonCode[] = [Reason.WILL_SWITCH, Reason.RUNNING, Reason.SLEEPING, Reason.UNINTERRUPTIBLE, Reason.UNRELIABLE, Reason.EXITING];

export interface Classification {
  /** reason[slot] for slots 0..n-1 */
  reason: Uint8Array;
  /** For SLEEPING/UNINTERRUPTIBLE: index into funcNames of the function on the stack; else -1. */
  func: Int16Array;
  funcNames: string[];
  counts: number[];
  n: number;
}

/** Classify every task slot (see Reason). `prev` is reused when big enough. */
export function classifyTasks(k: Kernel, prev?: Classification): Classification {
  const t = k.tasks;
  const n = t.n;
  const reason = prev && prev.reason.length >= n ? prev.reason : new Uint8Array(Math.max(n, 1024));
  const func = prev && prev.func.length >= n ? prev.func : new Int16Array(Math.max(n, 1024));
  const counts = [0, 0, 0, 0, 0, 0, 0];
  reason.fill(0, 0, n);
  func.fill(-1, 0, n);
  const target = k.klpTargetState;
  if (target === KLP_TRANSITION_IDLE) {
    counts[0] = n;
    return { reason, func, funcNames: [], counts, n };
  }
  const { ranges, funcs } = forbiddenRanges(k);
  k.verdicts.begin(ranges);
  const reliable = k.config.reliableStacktrace;
  for (let s = 0; s < n; s++) {
    let r: ReasonCode = Reason.NONE;
    const st = t.sched[s];
    if (st !== Sched.DEAD && t.patchState[s] !== target) {
      const f = t.flags[s];
      if (!(f & TF.LISTED)) r = Reason.EXITING;
      else {
        // SWITCH_RULE decides, in the kernel's order; a kernel without reliable stack traces
        // cannot check a stack at all (klp_try_switch_task() returns false before it).
        const v = k.verdicts.verdict(t.stack[s]);
        const i = firstFailedCheck(st, f, v, s === k.current);
        const failed = i < 0 ? null : SWITCH_RULE[i].reason;
        if (failed === 'running') r = Reason.RUNNING;
        else if (!reliable || failed === 'unreliable') r = Reason.UNRELIABLE;
        else if (failed === 'sleeping') {
          r = isUninterruptibleSleep(st) ? Reason.UNINTERRUPTIBLE : Reason.SLEEPING;
          func[s] = v;
        } else r = Reason.WILL_SWITCH;
      }
    }
    reason[s] = r;
    counts[r]++;
  }
  return { reason, func, funcNames: funcs.map((f) => f.oldName), counts, n };
}

/** One sentence on why `slot` has not switched (the Tasks tooltip and the inspector). */
export function explainBlocker(k: Kernel, c: Classification, slot: number): string {
  const t = k.tasks;
  const target = k.klpTargetState;
  if (target === KLP_TRANSITION_IDLE) return 'No transition is in progress; every task runs the current patch stack.';
  if (t.sched[slot] === Sched.DEAD) return 'The task has exited.';
  if (t.patchState[slot] === target) return 'Already switched to the target state.';
  switch (c.reason[slot]) {
    case Reason.EXITING:
      return 'Exiting and unhashed from the task list: the transition no longer sees it, although it may still run old code in do_exit().';
    case Reason.RUNNING:
      return 'Running on a CPU: the stack of a running task cannot be checked (-EBUSY); it switches when it sleeps, returns to user space or reaches the scheduler hook.';
    case Reason.UNRELIABLE:
      return k.config.reliableStacktrace
        ? 'Its stack trace is unreliable (-EINVAL); only a return to user space, a signal or force can switch it.'
        : 'This kernel has no reliable stack traces: the walk cannot switch any task; tasks switch at user-space return and in the idle loop.';
    case Reason.SLEEPING:
      return `Sleeping with ${c.funcNames[c.func[slot]]} on its stack (-EADDRINUSE); it switches when it leaves that function or is woken by a fake signal.`;
    case Reason.UNINTERRUPTIBLE:
      return `In uninterruptible sleep with ${c.funcNames[c.func[slot]]} on its stack: fake signals cannot wake it; only leaving that function, reverse or force helps.`;
    case Reason.WILL_SWITCH:
      return 'Its stack is clean: the next attempt switches it.';
    default:
      return 'Not taking part in the transition.';
  }
}
