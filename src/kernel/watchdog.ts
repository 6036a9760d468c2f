// The perf-NMI hard-lockup detector: kernel/watchdog_hld.c up to v6.4, kernel/watchdog.c since
// v6.5 (hence the message prefix). Every CPU takes a watchdog hrtimer interrupt every
// watchdog_thresh * 2 / 5 seconds and a perf NMI every watchdog_thresh seconds; an NMI that
// finds no hrtimer interrupt since the previous NMI reports the CPU as locked up, once per
// stretch (watchdog_hardlockup_check()). Both are taken as started at boot, in phase.

import type { Kernel } from './kernel';
import { KERN_EMERG, KERN_WARNING } from './printk';
import { codeLine, regLines, seedOf } from './regs';

/** Where the NMI finds a writer spinning on tasklist_lock: the pause of its cpu_relax() loop. */
const SPIN_AT = 'queued_write_lock_slowpath';
const SPIN_OFFSET = 0x5d;

export class NmiWatchdog {
  /** Per CPU: end of the interrupts-off stretch already reported (watchdog_hardlockup_warned). */
  private warnedUntil: number[] = [];
  /** Every report: CPU, time, and the task that spun. */
  readonly lockups: { cpu: number; time: number; slot: number }[] = [];

  constructor(private readonly k: Kernel) {
    const t = k.config.watchdogThresh;
    // proc_watchdog_thresh(): an integer from 0 (off) to 60 seconds.
    if (!Number.isInteger(t) || t < 0 || t > 60) throw new Error(`watchdogThresh must be an integer number of seconds from 0 to 60, got ${String(t)}`);
  }

  /**
   * `cpu` runs with interrupts off from `from` to `to` (µs), its task `slot` spinning in
   * queued_write_lock_slowpath() called from `frames` (innermost first): schedule the report
   * if an NMI sees it.
   */
  irqsOff(cpu: number, from: number, to: number, slot: number, frames: readonly string[]): void {
    const thresh = this.k.config.watchdogThresh * 1_000_000;
    if (thresh <= 0) return;
    if ((this.warnedUntil[cpu] ?? -1) > from) return;
    const hrtimerPeriod = (thresh * 2) / 5;
    const lastTick = Math.floor(from / hrtimerPeriod) * hrtimerPeriod;
    // The first NMI at or after the last hrtimer interrupt saves its count; the next one finds it unchanged.
    const detect = Math.ceil(lastTick / thresh) * thresh + thresh;
    if (detect >= to) return;
    this.warnedUntil[cpu] = to;
    this.k.clock.at(detect, () => this.report(cpu, slot, frames), `NMI watchdog cpu ${cpu}`);
  }

  /**
   * watchdog_hardlockup_check(): pr_emerg, print_modules(), show_regs() of the interrupted
   * context (arch/x86/kernel/dumpstack.c: the CPU and Hardware name lines, RIP and its Code:
   * line, __show_regs() with interrupts off in EFLAGS, as write_lock_irq() left them), then
   * its call trace.
   */
  private report(cpu: number, slot: number, frames: readonly string[]): void {
    const k = this.k;
    const t = k.tasks;
    const prefix = k.features.number >= 605 ? 'watchdog: ' : 'NMI watchdog: ';
    const trace = frames.map((name) => k.syms.find('vmlinux', name)).filter((s) => s !== undefined);
    const spin = k.syms.find('vmlinux', SPIN_AT);
    const rip = `${SPIN_AT}+0x${SPIN_OFFSET.toString(16)}/0x${(spin?.size ?? 0x90).toString(16)}`;
    // The NMI lands on the pause (f3 90) of cpu_relax(); RFLAGS has IF clear: 0x46 (ZF PF).
    const trap = { seed: seedOf(`${t.pid[slot]}:lockup:${cpu}:${k.clock.now}`), pid: t.pid[slot], trapOpcode: 'f3 90', ip: (spin?.addr ?? 0xffffffff81000000n) + BigInt(SPIN_OFFSET), eflags: 0x46 };
    k.printk(KERN_EMERG, `${prefix}Watchdog detected hard LOCKUP on cpu ${cpu}`);
    const lines = [
      `Modules linked in: ${k.modulesLinkedIn()}`,
      ...k.dumpStackInfo(cpu, t.pid[slot], t.commOf(slot)),
      'Hardware name: QEMU Standard PC (Q35 + ICH9, 2009), BIOS 1.16.3-debian-1.16.3-2 04/01/2014',
      `RIP: 0010:${rip}`,
      codeLine(trap),
      ...regLines(trap),
      'Call Trace:',
      ' <TASK>',
      ...k.callTrace(slot, trace.map((s) => s.id)),
      ' </TASK>',
    ];
    for (const l of lines) k.printk(KERN_WARNING, l);
    this.lockups.push({ cpu, time: k.clock.now, slot });
    k.incidents.push({ time: k.clock.now, kind: 'warn', text: `hard LOCKUP on cpu ${cpu}` });
  }
}
