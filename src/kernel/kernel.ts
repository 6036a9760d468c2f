// The simulated machine (kernelState.ts and the layers above it) with the livepatch core's
// globals: kernel/livepatch/core.c and transition.c keep these as file-scope variables; here
// they are fields, with the per-task hooks the rest of the kernel calls (klp_copy_process(),
// klp_update_patch_state(), the scheduler hook) and klp_ftrace_handler().

import { KLP_TRANSITION_IDLE, KLP_TRANSITION_UNPATCHED, USEC_PER_SEC, type PatchState } from './constants';
import { Exec } from './exec';
import { Ftrace } from './ftrace';
import type { KlpOps, KlpPatch } from './klp';
import type { Module } from './module';
import { RcuTasks } from './rcutasks';
import type { SymbolSpec } from './symbols';
import { TasklistLock, type TasklistWriter } from './tasklist';
import { PendingSlots, TF } from './tasks';
import { klpSchedTrySwitch } from './transition';
import { NmiWatchdog } from './watchdog';
import { KernelWorkqueues } from './workqueue';

export { DEFAULT_CONFIG, type KernelConfig } from './config';
export type { KlpEvent } from './kernelState';
export { TaskKilled } from './splat';
export type { WorkItem } from './workqueue';

export class Kernel extends KernelWorkqueues {
  readonly ftrace = new Ftrace(this);

  // --- livepatch core globals (core.c / transition.c) ---
  /** klp_patches: enabled or in-transition patches, oldest first. */
  klpPatches: KlpPatch[] = [];
  /** klp_transition_patch */
  klpTransitionPatch: KlpPatch | null = null;
  /** klp_target_state */
  klpTargetState: PatchState = KLP_TRANSITION_IDLE;
  /** klp_signals_cnt */
  klpSignalsCnt = 0;
  /** klp_ops, keyed by the original function's code id. */
  klpOps = new Map<number, KlpOps>();
  /** klp_sched_try_switch_key / cond_resched redirection is enabled. */
  klpSchedHookEnabled = false;
  /** Threads that may still be pending in the current transition (the walk's scratch). */
  readonly klpPending = new PendingSlots();

  /** __klp_sched_try_switch() (transition.ts), called by the scheduler paths. */
  klpSchedHook = (slot: number, freezable: boolean): void => klpSchedTrySwitch(this, slot, freezable);

  // --- what the attempt walk costs the rest of the machine ---
  readonly tasklist = new TasklistLock(this);
  readonly rcuTasks = new RcuTasks(this);
  readonly nmiWatchdog = new NmiWatchdog(this);

  // ------------------------------------------------------------------ per-task hooks (transition.c)

  /** klp_copy_process() (transition.c): the child inherits patch_state and the pending flag. */
  klpCopyProcess(parent: number, child: number): void {
    const t = this.tasks;
    if (t.has(parent, TF.PATCH_PENDING)) t.set(child, TF.PATCH_PENDING);
    else t.clear(child, TF.PATCH_PENDING);
    t.patchState[child] = t.patchState[parent];
    if (this.klpTargetState !== KLP_TRANSITION_IDLE && t.patchState[child] !== this.klpTargetState) this.klpPending.append(child);
    this.copiedProcesses.publish(child);
  }

  /**
   * write_lock_irq(&tasklist_lock) by `writer` (copy_process() for a fork, release_task() for
   * an exit), then `fn` in the write section: at once when no walk holds the lock, otherwise
   * when the walk's read section ends, with the writer's CPU spinning, interrupts off, until then.
   */
  tasklistWriteLock(fn: () => void, path: TasklistWriter = 'fork', writer = this.current): void {
    this.tasklist.write(fn, path, writer);
  }

  // ------------------------------------------------------------------ the ftrace handler

  /**
   * klp_ftrace_handler() (patch.c): which body runs when `slot` calls the function whose
   * original code is `orig`. Pure except for the WARN_ON_ONCE and the function tracer.
   */
  resolveCall(slot: number, orig: number): number {
    let code = orig;
    const ops = this.klpOps.get(orig);
    if (ops) {
      let func = ops.funcStack[0];
      if (!func) {
        this.warn('kernel/livepatch/patch.c', 'klp_ftrace_handler', true, 'empty func_stack');
      } else {
        let useOriginal = false;
        if (func.transition) {
          const ps = this.tasks.patchState[slot];
          if (ps === KLP_TRANSITION_IDLE) {
            // WARN_ON_ONCE(patch_state == KLP_TRANSITION_IDLE), then fall through: the top entry runs.
            this.warnAs(slot, 'kernel/livepatch/patch.c', 'klp_ftrace_handler', 'patch_state == KLP_TRANSITION_IDLE', this.ftraceCallFrames(orig));
          } else if (ps === KLP_TRANSITION_UNPATCHED) {
            const below = ops.funcStack[1];
            if (!below) useOriginal = true;
            else func = below;
          }
        }
        // A nop means "run the original"; never redirect to itself.
        if (!useOriginal && !func.nop && func.newFunc) code = func.newFunc.id;
      }
    }
    this.ftrace.traceCall(slot, orig, code);
    return code;
  }

  /**
   * The trace lines between a handler and the task's stack: the ops' trampoline (kallsyms
   * names it ftrace_trampoline in [__builtin__ftrace]) and, found by scanning, the return
   * address of the traced function's fentry call (5 bytes in: never +0x0).
   */
  private ftraceCallFrames(orig: number): string[] {
    const f = this.syms.codes[orig];
    const tag = f.owner === 'vmlinux' ? '' : ` [${f.owner}]`;
    return [' ftrace_trampoline+0xa3/0x197 [__builtin__ftrace]', ` ? ${f.name}+0x5/0x${f.size.toString(16)}${tag}`];
  }

  resolveCallByName(slot: number, owner: string, name: string): number {
    return this.resolveCall(slot, this.codeOf(owner, name));
  }
  // ------------------------------------------------------------------ switch paths outside the walk

  /**
   * Exit to user mode (exit_to_user_mode_loop): klp_update_patch_state() for a pending
   * task, and TIF_NOTIFY_SIGNAL is consumed (the fake signal has done its job).
   */
  exitToUserMode(slot: number): void {
    this.tasks.clear(slot, TF.NOTIFY_SIGNAL);
    this.klpUpdatePatchState(slot);
    this.exitToUserModeHook?.(slot);
  }

  /**
   * Told of every exit to user mode, after the switch: the workload restarts a syscall that
   * a fake signal interrupted, through the ftrace handler, with the task's new state.
   */
  exitToUserModeHook: ((slot: number) => void) | null = null;

  /** klp_update_patch_state() (transition.c): no stack check. */
  klpUpdatePatchState(slot: number): void {
    const t = this.tasks;
    if (t.has(slot, TF.PATCH_PENDING)) {
      t.clear(slot, TF.PATCH_PENDING);
      t.patchState[slot] = this.klpTargetState;
    }
  }

  /** Module lookup by name (the module loader sets this). */
  findModule(name: string): Module | undefined {
    return this.modules.get(name);
  }

  /** Add symbols of a module to kallsyms. */
  addModuleSymbols(owner: string, specs: readonly SymbolSpec[]): void {
    for (const s of specs) this.syms.add(owner, s);
  }

  /**
   * round_jiffies_relative(delta) (kernel/time/timer.c) for the CPU running the caller, in
   * microseconds from now; `lateUs` when the caller gets there that much later than now
   * (after a long walk). jiffies count from INITIAL_JIFFIES (include/linux/jiffies.h:
   * (unsigned long)(unsigned int)(-300*HZ), so that they wrap 5 minutes after boot), taken
   * here as ticking from boot on; round_jiffies_common() rounds the absolute value, so the
   * retries fall on the whole "jiffies seconds", which are (2^32 mod HZ) jiffies off the
   * printk seconds of local_clock(): at N.704 s with HZ=1000, less 3 ms per CPU number.
   */
  roundJiffiesRelative(deltaJiffies: number, lateUs = 0): number {
    const hz = this.config.hz;
    const initial = 2 ** 32 - 300 * hz;
    const jiffies = initial + Math.floor(((this.clock.now + lateUs) * hz) / USEC_PER_SEC);
    const cpu = this.cpuOf(this.current);
    // round_jiffies_common(): skew by cpu*3, round to a whole second (down if within the
    // first quarter), unskew; the unrounded value if the result is not after jiffies.
    let j = jiffies + deltaJiffies + cpu * 3;
    const rem = j % hz;
    j = rem < hz / 4 ? j - rem : j - rem + hz;
    j -= cpu * 3;
    const target = j <= jiffies ? jiffies + deltaJiffies : j;
    const atUs = ((target - initial) * USEC_PER_SEC) / hz;
    return Math.max(1, Math.round(atUs - this.clock.now));
  }

  /** An execution context for the task running now (`current`). */
  execOfCurrent(): Exec {
    return this.execFor(this.current);
  }

  protected execFor(slot: number): Exec {
    return new Exec(this, slot);
  }
}
