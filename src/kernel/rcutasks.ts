// kernel/rcu/tasks.h, the classic RCU Tasks flavour, as far as the attempt walk meets it. A
// grace period waits for every task that was on a run queue when it began to pass a voluntary
// context switch; rcu_tasks_wait_gp() rescans its holdouts after sleeping HZ/10 jiffies, one
// jiffy longer each time, and once the grace period is rcu_task_stall_info (10 s) old prints
// an informational line, then again after three times as long (40 s, 130 s ...).
//
// When is a grace period in progress? On the hosts of the report RCU Tasks grace periods are
// requested all the time (BPF trampolines, kprobe optimisation, the ftrace ops every replaced
// livepatch unregisters), so the model takes one to begin when an attempt walk begins: the
// kworker that walks the task list under read_lock(tasklist_lock) cannot switch voluntarily,
// so it holds the grace period open until its walk ends. A walk shorter than 10 s leaves no
// trace in the log.

import type { Kernel } from './kernel';
import { KERN_INFO } from './printk';

/** rcupdate.rcu_task_stall_info default: HZ * 10. */
const RCU_TASK_STALL_INFO_S = 10;
/** rcupdate.rcu_task_stall_info_mult default. */
const RCU_TASK_STALL_INFO_MULT = 3;

export class RcuTasks {
  /** rcu_tasks.tasks_gp_seq: an rcu_seq, (completed grace periods << 2) | 1 while one runs. */
  gpSeq = 0;
  /** The grace period in progress ends here (virtual µs). */
  private gpEnd = -1;

  constructor(private readonly k: Kernel) {}

  /** A grace period starting at `start` whose one holdout switches voluntarily at `end`. */
  holdout(start: number, end: number): void {
    // The walker was not on a run queue when a grace period already in progress began.
    if (start < this.gpEnd) return;
    const k = this.k;
    const hz = k.config.hz;
    const jiffyUs = 1_000_000 / hz;
    // rcu_seq_start(); the rcu_seq_end() value is taken at once, nothing reads it before.
    const seq = this.gpSeq + 1;
    this.gpSeq = (seq | 3) + 1;
    const gpStart = Math.floor(start / jiffyUs);
    let j = gpStart;
    let lastinfo = gpStart;
    let rtsi = RCU_TASK_STALL_INFO_S * hz;
    let fract = Math.floor(hz / 10);
    // rcu_tasks_wait_gp()'s holdout loop: sleep, rescan, print if due, stop once no holdout is left.
    for (;;) {
      j += fract;
      if (fract < hz) fract++;
      const scanAt = j * jiffyUs;
      if (j > lastinfo + rtsi) {
        const text = this.infoText(seq, j - gpStart);
        k.clock.at(scanAt, () => k.printk(KERN_INFO, text), 'rcu_tasks_wait_gp');
        lastinfo = j;
        rtsi *= RCU_TASK_STALL_INFO_MULT;
      }
      if (end <= scanAt) {
        this.gpEnd = scanAt;
        return;
      }
    }
  }

  /** The pr_info() of rcu_tasks_wait_gp(); "number ... (since boot)" since v6.2. */
  private infoText(seq: number, ageJiffies: number): string {
    return this.k.features.number >= 602
      ? `rcu_tasks_wait_gp: rcu_tasks grace period number ${seq} (since boot) is ${ageJiffies} jiffies old.`
      : `rcu_tasks_wait_gp: rcu_tasks grace period ${seq} is ${ageJiffies} jiffies old.`;
  }
}
