// The scheduler's view of each task: a task's program runs as a coroutine on a CPU until it
// sleeps (schedule()), wakes (try_to_wake_up()) or ends; CPUs without a task run their idle
// task (do_idle()).

import { BusyCpus } from './busyCpus';
import type { Step, Wait, WaitQueue } from './exec';
import type { Coroutine } from './kernelState';
import { KernelSplats, TaskKilled } from './splat';
import { isFreezableSleep, Sched, wakesOnSignal, type SchedState } from './tasks';

export abstract class KernelSched extends KernelSplats {
  // The livepatch core's per-task hooks the scheduler paths call (kernel.ts).
  /** __klp_sched_try_switch() (transition.ts), called by the scheduler paths. */
  abstract klpSchedHook: (slot: number, freezable: boolean) => void;
  /** klp_update_patch_state() (transition.c). */
  abstract klpUpdatePatchState(slot: number): void;

  /** The CPUs user-space spinners keep busy (busyCpus.ts). */
  readonly busy = new BusyCpus(this);

  // ------------------------------------------------------------------ coroutines

  /** Start running `gen` as the program of task `slot` on `cpu`, now. */
  startTask(slot: number, gen: Step, cpu = 0): void {
    this.coroutines.set(slot, { gen, cpu });
    this.clock.after(0, () => this.resume(slot), `run ${this.tasks.commOf(slot)}`);
  }

  /** Run the task until it sleeps or ends. */
  resume(slot: number): void {
    const co = this.coroutines.get(slot);
    if (!co || this.tasks.sched[slot] === Sched.DEAD) return;
    co.timer = undefined;
    co.wait = undefined;
    // A task coming back from a `run` step never left its CPU: it keeps it (else it would
    // also take an idle CPU and be curr of two).
    const own = this.cpus.findIndex((c) => c.curr === slot);
    const cpu = own >= 0 ? own : this.pickCpu(co.cpu);
    this.runOn(slot, cpu);
    const saved = this.current;
    this.current = slot;
    let r: IteratorResult<Wait, unknown>;
    try {
      r = co.gen.next();
    } catch (e) {
      this.current = saved;
      if (e instanceof TaskKilled) {
        this.offCpu(slot, Sched.DEAD);
        this.reap(slot);
        return;
      }
      throw e;
    }
    this.current = saved;
    if (r.done) {
      this.coroutines.delete(slot);
      // A program that ended in do_exit() has already been reaped.
      this.offCpu(slot, this.tasks.sched[slot] === Sched.DEAD ? Sched.DEAD : Sched.RUNNABLE);
      return;
    }
    this.enterWait(slot, co, r.value);
  }

  private enterWait(slot: number, co: Coroutine, w: Wait): void {
    co.wait = w;
    if (w.kind === 'run') {
      co.timer = this.clock.after(w.us, () => this.resume(slot), 'run');
      return;
    }
    // __schedule(): the v6.16+ livepatch hook runs for a task going to a freezable sleep.
    if (isFreezableSleep(w.state)) this.klpSchedHook(slot, true);
    this.offCpu(slot, w.state);
    if (w.kind === 'sleep') {
      co.timer = this.clock.after(w.us, () => this.resume(slot), 'timer');
    } else {
      if (w.until()) {
        co.timer = this.clock.after(0, () => this.resume(slot), 'wake');
        return;
      }
      w.wq.add(slot);
    }
  }

  /** wake_up_process() for a task blocked on a wait queue or sleeping. */
  wakeUp(slot: number): void {
    const co = this.coroutines.get(slot);
    if (!co || !co.wait || co.wait.kind === 'run') return;
    const w = co.wait;
    if (w.kind === 'block') {
      if (!w.until()) {
        w.wq.add(slot);
        return;
      }
      w.wq.remove(slot);
    }
    this.clock.cancel(co.timer);
    this.tasks.sched[slot] = Sched.RUNNABLE;
    co.timer = this.clock.after(0, () => this.resume(slot), 'wake');
  }

  /**
   * A fatal signal's default action for a task running a program (do_group_exit()): it
   * leaves its CPU and its program unwinds through its cleanup, which exits and reaps it.
   * Returns false when the task runs no program.
   */
  killTask(slot: number): boolean {
    const co = this.coroutines.get(slot);
    if (!co) return false;
    this.clock.cancel(co.timer);
    if (co.wait?.kind === 'block') co.wait.wq.remove(slot);
    this.coroutines.delete(slot);
    this.offCpu(slot, Sched.RUNNABLE);
    const saved = this.current;
    this.current = slot;
    try {
      co.gen.return(undefined);
    } finally {
      this.current = saved;
    }
    return true;
  }

  /** wake_up_all() on a wait queue. */
  wakeQueue(wq: WaitQueue): void {
    for (const s of wq.take()) this.wakeUp(s);
  }

  /**
   * wake_up_state(task, TASK_INTERRUPTIBLE): only sleepers whose state has TASK_INTERRUPTIBLE
   * (freezable or not); a TASK_UNINTERRUPTIBLE sleeper, freezable or not, stays asleep.
   */
  wakeInterruptible(slot: number): boolean {
    const st = this.tasks.sched[slot];
    if (!wakesOnSignal(st)) return false;
    const co = this.coroutines.get(slot);
    if (co) {
      if (co.wait?.kind === 'sleep') {
        this.clock.cancel(co.timer);
        this.tasks.sched[slot] = Sched.RUNNABLE;
        co.timer = this.clock.after(0, () => this.resume(slot), 'signal wake');
      } else if (co.wait?.kind === 'block') {
        // Woken, re-checks its condition and goes back to sleep in the same place.
        this.resleep(slot, st);
      }
      return true;
    }
    this.resleep(slot, st);
    return true;
  }

  /** A woken task that finds nothing to do schedules out again from the same stack. */
  private resleep(slot: number, st: number): void {
    this.clock.after(0, () => {
      if (this.tasks.sched[slot] === Sched.DEAD) return;
      if (isFreezableSleep(st)) this.klpSchedHook(slot, true);
    }, 'resleep');
  }

  private pickCpu(pref: number): number {
    const c = this.cpus[pref];
    if (c && c.online && this.isIdleTask(c.curr)) return pref;
    for (let i = 0; i < this.cpus.length; i++) if (this.cpus[i].online && this.isIdleTask(this.cpus[i].curr)) return i;
    return pref < this.cpus.length ? pref : 0;
  }

  /** Put `slot` on `cpu` (the CPU's idle task is then preempted in do_idle). */
  runOn(slot: number, cpu: number): void {
    const c = this.cpus[cpu];
    if (!this.isIdleTask(c.curr) && c.curr !== slot && this.tasks.sched[c.curr] === Sched.RUNNING) {
      this.tasks.sched[c.curr] = Sched.RUNNABLE;
    }
    if (this.isIdleTask(c.curr)) this.tasks.sched[c.curr] = Sched.RUNNABLE;
    c.curr = slot;
    this.tasks.sched[slot] = Sched.RUNNING;
  }

  /** The task leaves its CPU in state `st`; the CPU goes idle. */
  offCpu(slot: number, st: SchedState): void {
    this.tasks.sched[slot] = st;
    for (let i = 0; i < this.cpus.length; i++) {
      const c = this.cpus[i];
      if (c.curr === slot) {
        const idle = this.idleSlot(i);
        c.curr = idle;
        // A spinner of this CPU runs rather than the idle task.
        if (c.online && this.busy.takeCpu(i)) continue;
        this.tasks.sched[idle] = c.online ? Sched.RUNNING : Sched.RUNNABLE;
        // do_idle(): after schedule_idle() returns, a pending idle task switches itself.
        if (c.online) this.klpUpdatePatchState(idle);
      }
    }
  }
}
