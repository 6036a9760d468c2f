// Busy CPUs: user tasks spinning in user space (a task class with no kernel phases) occupy
// CPUs. Each spinner has a home CPU; of a CPU's spinners one at a time is `rq->curr`, so up
// to one per CPU is task_curr() and klp_try_switch_task() reports it as running
// ("hog-3:1234 is running", -EBUSY), while the idle task of a busy CPU is not running
// (do_idle() is preempted) and its stack is checked like any other.
//
// Every scheduler tick (1/HZ) interrupts the spinner on each busy CPU; the interrupt returns
// to user mode through irqentry_exit_to_user_mode() -> exit_to_user_mode_loop(), which calls
// klp_update_patch_state() while TIF_PATCH_PENDING is set (kernel/entry/common.c), so a
// running spinner switches at the first tick after klp_start_transition(). Spinners sharing a
// CPU take turns at the tick once the running one has had SLICE_US (a stand-in for the fair
// scheduler's slice); the one scheduled back in finishes the same exit-to-user loop and
// switches there. A kernel task woken on a busy CPU (the shell, insmod, a kworker) preempts
// the spinner; when it sleeps, the CPU goes back to a spinner rather than to its idle task.
// No spinners: no tick events, so machines without them run exactly as before.

import type { Cpu } from './kernelState';
import { Sched, type TaskTable } from './tasks';

/** How long a spinner runs before another spinner of its CPU gets a turn at the tick, µs. */
export const SLICE_US = 3000;

/** What the run queues need of the kernel. */
interface BusyCpuHost {
  readonly tasks: TaskTable;
  readonly cpus: Cpu[];
  readonly clock: { now: number; after(delay: number, fn: () => void, label?: string): unknown };
  readonly config: { hz: number };
  idleSlot(cpu: number): number;
  isIdleTask(slot: number): boolean;
  /** klp_update_patch_state() (transition.c). */
  klpUpdatePatchState(slot: number): void;
}

export class BusyCpus {
  /** Per CPU: its spinners, the running one (if any) first. */
  private readonly queues: number[][];
  /** Per spinner slot: its home CPU. */
  private readonly home = new Map<number, number>();
  /** When the running spinner of each CPU got it (for the slice). */
  private readonly since: number[];
  private ticking = false;

  constructor(private readonly k: BusyCpuHost) {
    this.queues = k.cpus.map(() => []);
    this.since = k.cpus.map(() => 0);
  }

  /** Spinners now (for views and tests). */
  get count(): number {
    return this.home.size;
  }

  isSpinner(slot: number): boolean {
    return this.home.has(slot);
  }

  /**
   * The task returned to user mode and spins there: it joins the online CPU with the fewest
   * spinners (the lowest number on a tie) and runs at once if that CPU is idle.
   */
  add(slot: number): void {
    if (this.home.has(slot)) return;
    const k = this.k;
    let best = -1;
    for (let c = 0; c < k.cpus.length; c++) {
      if (!k.cpus[c].online) continue;
      if (best < 0 || this.queues[c].length < this.queues[best].length) best = c;
    }
    if (best < 0) return;
    this.home.set(slot, best);
    this.queues[best].push(slot);
    k.tasks.sched[slot] = Sched.RUNNABLE;
    if (k.isIdleTask(k.cpus[best].curr)) this.runNext(best);
    this.startTicking();
  }

  /** The spinner leaves user space (a syscall, an exit): its CPU goes to the next spinner or idles. */
  remove(slot: number): void {
    const c = this.home.get(slot);
    if (c === undefined) return;
    this.home.delete(slot);
    const q = this.queues[c];
    q.splice(q.indexOf(slot), 1);
    const cpu = this.k.cpus[c];
    if (cpu.curr === slot) {
      if (!this.runNext(c)) this.idle(c);
    }
  }

  /**
   * A kernel task left CPU `c` (it slept or ended): a spinner of that CPU runs if there is
   * one. Returns whether one took the CPU (else the caller runs the idle task).
   */
  takeCpu(c: number): boolean {
    return this.runNext(c);
  }

  /** Put the first runnable spinner of CPU c on it; it completes its return to user mode. */
  private runNext(c: number): boolean {
    const k = this.k;
    const q = this.queues[c];
    const cpu = k.cpus[c];
    if (!q.length || !cpu.online) return false;
    const slot = q[0];
    // A kernel task on the CPU keeps it until it sleeps; an idle task or a spinner yields.
    if (!k.isIdleTask(cpu.curr) && !this.home.has(cpu.curr)) return false;
    if (cpu.curr !== slot) k.tasks.sched[cpu.curr] = Sched.RUNNABLE;
    cpu.curr = slot;
    k.tasks.sched[slot] = Sched.RUNNING;
    this.since[c] = k.clock.now;
    // exit_to_user_mode_loop() after schedule() returned: the pending flag is handled.
    k.klpUpdatePatchState(slot);
    return true;
  }

  private idle(c: number): void {
    const k = this.k;
    const idle = k.idleSlot(c);
    k.cpus[c].curr = idle;
    k.tasks.sched[idle] = Sched.RUNNING;
    // do_idle(): after schedule_idle() returns, a pending idle task switches itself.
    k.klpUpdatePatchState(idle);
  }

  private startTicking(): void {
    if (this.ticking) return;
    this.ticking = true;
    this.armTick();
  }

  /** The next jiffy boundary: scheduler_tick() on every CPU. */
  private armTick(): void {
    const k = this.k;
    const jiffyUs = 1e6 / k.config.hz;
    const next = (Math.floor(k.clock.now / jiffyUs) + 1) * jiffyUs;
    k.clock.after(Math.max(1, Math.round(next - k.clock.now)), () => this.tick(), 'scheduler tick');
  }

  private tick(): void {
    const k = this.k;
    if (this.home.size === 0) {
      this.ticking = false;
      return;
    }
    for (let c = 0; c < k.cpus.length; c++) {
      const q = this.queues[c];
      const cpu = k.cpus[c];
      if (!q.length || cpu.curr !== q[0]) continue;
      // The timer interrupt returns to user mode: klp_update_patch_state() if pending.
      k.klpUpdatePatchState(q[0]);
      if (q.length > 1 && k.clock.now - this.since[c] >= SLICE_US) {
        // The slice is used up: the spinner goes to the back, the next one runs.
        const prev = q.shift() as number;
        q.push(prev);
        k.tasks.sched[prev] = Sched.RUNNABLE;
        this.runNext(c);
      }
    }
    this.armTick();
  }
}
