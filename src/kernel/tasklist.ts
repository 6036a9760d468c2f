// tasklist_lock (kernel/fork.c, kernel/exit.c) as the livepatch attempt walk meets it. The walk
// holds it for read over its whole pass, one non-sleeping section (docs/kernel-model.md §4.3, §14.4);
// copy_process() and release_task() take it for write with write_lock_irq() and spin there,
// interrupts off, until the reader leaves. Every read hold is kept for the timeline.

import type { Kernel } from './kernel';

/** One read section of klp_try_complete_transition(), in virtual µs. */
export interface TasklistHold {
  start: number;
  end: number;
  /** Threads klp_try_switch_task() checked (pending ones; switched ones return at once). */
  checked: number;
  /** Per-task pr_debug lines printed inside the section. */
  debugLines: number;
  /** CPU of the kworker that walked. */
  cpu: number;
}

/** Which writer takes the lock: it decides the call chain the lockup splat shows. */
export type TasklistWriter = 'fork' | 'exit';

/** Innermost first, below the spinning queued_write_lock_slowpath(). */
const WRITER_FRAMES: Record<TasklistWriter, readonly string[]> = {
  fork: ['copy_process', 'kernel_clone', '__x64_sys_clone', 'do_syscall_64', 'entry_SYSCALL_64_after_hwframe'],
  exit: ['release_task', 'exit_notify', 'do_exit', 'do_group_exit', '__x64_sys_exit_group', 'do_syscall_64', 'entry_SYSCALL_64_after_hwframe'],
};

export class TasklistLock {
  readonly holds: TasklistHold[] = [];
  /** The read section in progress ends here (virtual µs); writers wait until then. */
  readUntil = 0;
  /** write_lock_irq() calls that found a read section in progress and spun until it ended. */
  writersDelayed = 0;
  /** The longest of those spins (virtual µs). */
  longestWriterSpin = 0;

  constructor(private readonly k: Kernel) {
    for (const knob of ['walkCheckUsPerTask', 'walkDebugPrintUs'] as const) {
      const v = k.config[knob];
      if (!Number.isFinite(v) || v < 0) throw new Error(`${knob} must be a number of microseconds >= 0, got ${String(v)}`);
    }
  }

  /** read_lock() .. read_unlock() of one attempt walk. */
  readHold(h: TasklistHold): void {
    this.holds.push(h);
    if (h.end > this.readUntil) this.readUntil = h.end;
  }

  /** write_lock_irq(): run `fn` now, or when the read section ends with the writer spinning until then. */
  write(fn: () => void, path: TasklistWriter, writer: number): void {
    const k = this.k;
    const now = k.clock.now;
    if (now >= this.readUntil) {
      fn();
      return;
    }
    this.writersDelayed++;
    this.longestWriterSpin = Math.max(this.longestWriterSpin, this.readUntil - now);
    k.nmiWatchdog.irqsOff(this.writerCpu(writer), now, this.readUntil, writer, WRITER_FRAMES[path]);
    k.clock.at(this.readUntil, fn, `write_lock_irq(&tasklist_lock) ${path}`);
  }

  /**
   * The CPU a writer spins on: the one it runs on, else (workload tasks are not placed on
   * CPUs) one picked by slot among the online CPUs, so writers spread as they would.
   */
  private writerCpu(writer: number): number {
    const cpus = this.k.cpus;
    const on = cpus.findIndex((c) => c.curr === writer);
    if (on >= 0) return on;
    const online = cpus.flatMap((c, i) => (c.online ? [i] : []));
    return online.length ? online[writer % online.length] : 0;
  }
}
