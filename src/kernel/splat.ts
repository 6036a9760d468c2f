// printk and splats: the kernel log lines the machine writes itself, WARN (kernel/panic.c
// __warn()), the page-fault Oops (arch/x86/mm/fault.c, arch/x86/kernel/dumpstack.c) and the
// lines every splat shares (lib/dump_stack.c, print_tainted()).

import { KERN_ALERT, KERN_WARNING, type LogLevel } from './printk';
import { formatAddr } from './symbols';
import { KernelState } from './kernelState';

/** Thrown through a task's program when the task dies (Oops). */
export class TaskKilled extends Error {
  constructor(readonly slot: number) {
    super(`task ${slot} killed`);
  }
}

export abstract class KernelSplats extends KernelState {
  private warnedOnce = new Set<string>();
  /** Taint letters set so far (for the "Tainted:" line of splats). */
  readonly taints = new Set<string>();
  /** console_loglevel (the test_klp_state modules change it). */
  consoleLoglevel = 7;
  /** Every WARN and Oops the run produced, in order (for summaries). */
  readonly incidents: { time: number; kind: 'warn' | 'oops'; text: string }[] = [];

  // ------------------------------------------------------------------ printing

  printk(level: LogLevel, text: string): void {
    this.log.printk(level, text);
  }

  /** pr_*() in kernel/livepatch: pr_fmt is KBUILD_MODNAME ": " = "livepatch: ". */
  klpPr(level: LogLevel, text: string): void {
    this.log.printk(level, `livepatch: ${text}`);
  }

  /** pr_debug() in kernel/livepatch/<file>.c, function `func`. */
  klpDebug(file: string, func: string, text: string): void {
    this.log.debug({ file: `kernel/livepatch/${file}`, func, module: 'livepatch' }, `livepatch: ${text}`);
  }

  /**
   * WARN_ON_ONCE()/WARN_ON(): the standard splat. `site` names file and function; the
   * once-key makes WARN_ON_ONCE print once per boot.
   */
  warn(file: string, func: string, once: boolean, why: string): void {
    const key = `${file}:${func}:${why}`;
    if (once && this.warnedOnce.has(key)) return;
    this.warnedOnce.add(key);
    this.taints.add('W');
    const cur = this.current;
    const cpu = this.cpuOf(cur);
    const pid = this.tasks.pid[cur];
    const comm = this.tasks.commOf(cur);
    const off = (func.length * 13 + 0x21) % 0x1a0;
    const lines = [
      '------------[ cut here ]------------',
      `WARNING: CPU: ${cpu} PID: ${pid} at ${file}:${this.lineOf(file, func)} ${func}+0x${off.toString(16)}/0x${(off + 0x90).toString(16)}`,
      `Modules linked in: ${this.modulesLinkedIn()}`,
      this.dumpStackInfo(cpu, pid, comm),
      'Hardware name: QEMU Standard PC (Q35 + ICH9, 2009), BIOS 1.16.3-debian-1.16.3-2 04/01/2014',
      `RIP: 0010:${func}+0x${off.toString(16)}/0x${(off + 0x90).toString(16)}`,
      'Call Trace:',
      ' <TASK>',
      ...this.trie.frames(this.tasks.stack[cur]).slice(0, 12).map((c) => this.traceLine(c)),
      ' </TASK>',
      `---[ end trace 0000000000000000 ]---`,
    ];
    for (const l of lines) this.printk(KERN_WARNING, l);
    this.incidents.push({ time: this.clock.now, kind: 'warn', text: `${func}: ${why}` });
    this.events.publish({ type: 'klp.warn', text: `${func}: ${why}` });
  }

  private lineOf(file: string, func: string): number {
    let h = 0;
    for (const ch of file + func) h = (h * 31 + ch.charCodeAt(0)) % 700;
    return 60 + h;
  }

  private moduleTag(code: number): string {
    const o = this.syms.codes[code].owner;
    return o === 'vmlinux' ? '' : ` [${o}]`;
  }

  modulesLinkedIn(): string {
    return [...this.moduleOrder]
      .reverse()
      .map((n) => {
        const m = this.modules.get(n);
        return m ? `${n}${m.taintFlags()}` : n;
      })
      .join(' ');
  }

  /**
   * print_tainted() (kernel/panic.c): "Not tainted", or "Tainted: " and one character per
   * taint flag in flag order, the first P or G (a proprietary module or not), the others
   * their letter or a space; the kernel does not trim the trailing spaces.
   */
  taintString(): string {
    if (!this.taints.size) return 'Not tainted';
    let s = this.taints.has('P') ? 'P' : 'G';
    for (const ch of 'FSRMBUDAWCIOELKXTN') s += this.taints.has(ch) ? ch : ' ';
    return `Tainted: ${s}`;
  }

  /**
   * dump_stack_print_info() (lib/dump_stack.c): the "CPU: ..." line of every splat. The
   * effective UID appears from v6.11, the preemption model from v6.15 (its format ends in a
   * space).
   */
  dumpStackInfo(cpu: number, pid: number, comm: string): string {
    const n = this.features.number;
    const uid = n >= 611 ? ' UID: 0' : '';
    const preempt = n >= 615 ? ' PREEMPT(voluntary) ' : '';
    return `CPU: ${cpu}${uid} PID: ${pid} Comm: ${comm} ${this.taintString()} ${this.features.release} #1${preempt}`;
  }

  /** One line of a call trace (show_trace_log_lvl): " symbol+off/size [module]". */
  traceLine(code: number): string {
    const c = this.syms.codes[code];
    return ` ${c.name}+0x${(code % 0x60).toString(16)}/0x${c.size.toString(16)}${this.moduleTag(code)}`;
  }

  /** A WARN raised by `slot` (which may not be `current` in the model's bookkeeping). */
  warnAs(slot: number, file: string, func: string, why: string): void {
    const saved = this.current;
    this.current = slot;
    this.warn(file, func, true, why);
    this.current = saved;
  }

  /** A task executed text of an unloaded module: the page-fault Oops of §14.5. */
  oopsFreedText(slot: number, code: number): never {
    const sym = this.syms.codes[code];
    const cpu = this.cpuOf(slot);
    const addr = formatAddr(sym.addr);
    // __die_header(): "[#%d]" is ++die_counter, one more for every Oops since boot.
    const dieCounter = this.incidents.filter((i) => i.kind === 'oops').length + 1;
    const lines = [
      `BUG: unable to handle page fault for address: ${addr}`,
      '#PF: supervisor instruction fetch in kernel mode',
      '#PF: error_code(0x0010) - not-present page',
      `Oops: 0010 [#${dieCounter}] PREEMPT SMP NOPTI`,
      this.dumpStackInfo(cpu, this.tasks.pid[slot], this.tasks.commOf(slot)),
      `RIP: 0010:0x${addr}`,
      'Call Trace:',
      ' <TASK>',
      ...this.trie.frames(this.tasks.stack[slot]).slice(1, 12).map((c) => this.traceLine(c)),
      ' </TASK>',
      `Modules linked in: ${this.modulesLinkedIn()} [last unloaded: ${sym.owner}(K)]`,
      '---[ end trace 0000000000000000 ]---',
    ];
    this.taints.add('D');
    for (const l of lines) this.printk(KERN_ALERT, l);
    this.incidents.push({ time: this.clock.now, kind: 'oops', text: `${this.tasks.commOf(slot)}:${this.tasks.pid[slot]} executed freed text of ${sym.owner}` });
    throw new TaskKilled(slot);
  }
}
