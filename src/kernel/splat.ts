// printk and splats: the kernel log lines the machine writes itself, WARN (kernel/panic.c
// __warn()), the page-fault Oops (arch/x86/mm/fault.c, arch/x86/kernel/dumpstack.c) and the
// lines every splat shares (lib/dump_stack.c, print_tainted()).

import { KERN_ALERT, KERN_ERR, KERN_INFO, KERN_WARNING, type LogLevel } from './printk';
import { codeLine, pageTableLine, regLines, SAVED_REG_LINES, seedOf, userRegLines } from './regs';
import { warnLine } from './warnLines';
import { formatAddr, returnOffset } from './symbols';
import { KernelState } from './kernelState';
import { TF } from './tasks';

/** dump_stack_print_hw() / dmi: the machine the model boots (QEMU's q35). */
const HARDWARE_NAME = 'Hardware name: QEMU Standard PC (Q35 + ICH9, 2009), BIOS 1.16.3-debian-1.16.3-2 04/01/2014';

/** taint_flags[] (kernel/panic.c): each flag's letter when set and its description, in bit order. */
const TAINT_FLAGS: readonly (readonly [string, string])[] = [
  ['P', 'PROPRIETARY_MODULE'], ['F', 'FORCED_MODULE'], ['S', 'CPU_OUT_OF_SPEC'], ['R', 'FORCED_RMMOD'],
  ['M', 'MACHINE_CHECK'], ['B', 'BAD_PAGE'], ['U', 'USER'], ['D', 'DIE'], ['A', 'OVERRIDDEN_ACPI_TABLE'],
  ['W', 'WARN'], ['C', 'CRAP'], ['I', 'FIRMWARE_WORKAROUND'], ['O', 'OOT_MODULE'], ['E', 'UNSIGNED_MODULE'],
  ['L', 'SOFTLOCKUP'], ['K', 'LIVEPATCH'], ['X', 'AUX'], ['T', 'RANDSTRUCT'], ['N', 'TEST'], ['J', 'FWCTL'],
];

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
  /**
   * exec_summary_regs (arch/x86/kernel/dumpstack.c): __die_header() saves the first Oops's
   * pt_regs (while die_counter is 0), shown again after every Oops's end-trace line: its RIP,
   * Code and saved registers.
   */
  private execSummary: string[] | undefined;

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
   * WARN_ON_ONCE()/WARN_ON()/WARN() (include/asm-generic/bug.h), reported by __warn()
   * (kernel/panic.c): cut-here (and WARN()'s own message), "WARNING: CPU: .. at file:line
   * func+off/size", the modules, then show_regs() of the trapped context (the CPU and
   * Hardware name lines, RIP with the ud2 in the Code: line, the registers) and its call
   * trace; the W taint and the end-trace line. `inner` are trace lines above the task's
   * stack (the ftrace trampoline of a handler's WARN); the once-key makes WARN_ON_ONCE print
   * once per boot.
   */
  warn(file: string, func: string, once: boolean, why: string, message?: string, inner: readonly string[] = []): void {
    const key = `${file}:${func}:${why}`;
    if (once && this.warnedOnce.has(key)) return;
    this.warnedOnce.add(key);
    const cur = this.current;
    const cpu = this.cpuOf(cur);
    const pid = this.tasks.pid[cur];
    const comm = this.tasks.commOf(cur);
    // print_tainted() in the CPU line shows the flags before this WARN adds W.
    const info = this.dumpStackInfo(cpu, pid, comm);
    this.taints.add('W');
    const sym = this.syms.find('vmlinux', func);
    const size = sym ? sym.size : ((func.length * 13 + 0x21) % 0x1a0) + 0x90;
    const off = sym ? returnOffset(sym) : (func.length * 13 + 0x21) % 0x1a0;
    const at = `${func}+0x${off.toString(16)}/0x${size.toString(16)}`;
    const trap = { seed: seedOf(`${pid}:${func}:${why}`), pid, trapOpcode: '0f 0b', ip: (sym ? sym.addr : 0xffffffff81000000n) + BigInt(off) };
    // __warn() prints "at file:line" from the bug table; the line comes from warnLines.ts, and a
    // site whose line was not counted for this version gets __warn()'s form without a file.
    const line = warnLine(this.features.number, { file, func, why });
    const lines = [
      '------------[ cut here ]------------',
      ...(message === undefined ? [] : [message]),
      `WARNING: CPU: ${cpu} PID: ${pid} at ${line === undefined ? '' : `${file}:${line} `}${at}`,
      `Modules linked in: ${this.modulesLinkedIn()}`,
      ...info,
      HARDWARE_NAME,
      `RIP: 0010:${at}`,
      codeLine(trap),
      ...regLines(trap),
      'Call Trace:',
      ' <TASK>',
      ...inner,
      ...this.callTrace(cur, this.trie.frames(this.tasks.stack[cur]).slice(0, 12), this.trie.frames(this.tasks.stack[cur])),
      ' </TASK>',
      `---[ end trace 0000000000000000 ]---`,
    ];
    for (const l of lines) this.printk(KERN_WARNING, l);
    this.incidents.push({ time: this.clock.now, kind: 'warn', text: `${func}: ${why}` });
    this.events.publish({ type: 'klp.warn', text: `${func}: ${why}` });
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
    for (const [ch] of this.taintFlags().slice(1)) s += this.taints.has(ch) ? ch : ' ';
    return `Tainted: ${s}`;
  }

  /**
   * taint_flags[] (kernel/panic.c) in flag order, letter and description; TAINT_FWCTL (J)
   * exists from v6.15.
   */
  private taintFlags(): readonly (readonly [string, string])[] {
    return this.features.number >= 615 ? TAINT_FLAGS : TAINT_FLAGS.slice(0, -1);
  }

  /**
   * dump_stack_print_info() (lib/dump_stack.c): the "CPU: ..." line of every splat, and from
   * v6.11, when the kernel is tainted, print_tainted_verbose()'s line after it ("Tainted:
   * [O]=OOT_MODULE, [K]=LIVEPATCH"). The effective UID appears from v6.11, the preemption
   * model from v6.15 (its format ends in a space).
   */
  dumpStackInfo(cpu: number, pid: number, comm: string): string[] {
    const n = this.features.number;
    const uid = n >= 611 ? ' UID: 0' : '';
    const preempt = n >= 615 ? ' PREEMPT(voluntary) ' : '';
    const info = `CPU: ${cpu}${uid} PID: ${pid} Comm: ${comm} ${this.taintString()} ${this.features.release} #1${preempt}`;
    if (n < 611 || !this.taints.size) return [info];
    const set = this.taintFlags().filter(([ch]) => this.taints.has(ch));
    return [info, `Tainted: ${set.map(([ch, desc]) => `[${ch}]=${desc}`).join(', ')}`];
  }

  /**
   * dump_stack() (lib/dump_stack.c): dump_stack_lvl(KERN_DEFAULT), the default message level
   * (4, warning); no taint, no cut-here or end-trace lines. `inner` are the frames of the
   * functions that called it, innermost first (dump_stack_lvl itself included).
   */
  dumpStack(inner: readonly string[]): void {
    const cur = this.current;
    const frames = [...this.codes('vmlinux', inner), ...this.trie.frames(this.tasks.stack[cur])];
    const lines = [
      ...this.dumpStackInfo(this.cpuOf(cur), this.tasks.pid[cur], this.tasks.commOf(cur)),
      HARDWARE_NAME,
      'Call Trace:',
      ' <TASK>',
      ...this.callTrace(cur, frames),
      ' </TASK>',
    ];
    for (const l of lines) this.printk(KERN_WARNING, l);
  }

  /**
   * sysfs_warn_dup() (fs/sysfs/dir.c): a pr_warn() with pr_fmt "sysfs: " and dump_stack(),
   * called by sysfs_create_dir_ns() when kernfs_create_dir_ns() returns -EEXIST under
   * kobject_add_internal() (lib/kobject.c), which then says so with pr_err(). `callers`
   * are the vmlinux frames between kobject_add() and the task's stack.
   */
  sysfsWarnDup(parentPath: string, name: string, callers: readonly string[]): void {
    this.printk(KERN_WARNING, `sysfs: cannot create duplicate filename '${parentPath}/${name}'`);
    this.dumpStack(['dump_stack_lvl', 'sysfs_warn_dup.cold', 'sysfs_create_dir_ns', 'kobject_add_internal', 'kobject_add', ...callers]);
    // lib/kobject.c prints through pr_fmt "kobject: " in the later profiles: absent in v6.1
    // reports, present in v6.5 and v6.12 ones; the model switches at v6.4.
    const prefix = this.features.number >= 604 ? 'kobject: ' : '';
    this.printk(KERN_ERR, `${prefix}kobject_add_internal failed for ${name} with -EEXIST, don't try to register things with the same name in the same directory.`);
  }

  /**
   * show_trace_log_lvl()'s lines for `shown` (innermost first) of the task in `slot`: each
   * frame, and after entry_SYSCALL_64_after_hwframe the user registers the syscall saved
   * (userRegLines()). `stack` is the task's whole stack, which says which syscall it is in,
   * whether it is still inside it, and whether do_exit() has already dropped its mm.
   */
  callTrace(slot: number, shown: readonly number[], stack: readonly number[] = shown): string[] {
    const lines = shown.map((c) => this.traceLine(c));
    const names = stack.map((c) => this.syms.codes[c].name);
    if (names.at(-1) !== 'entry_SYSCALL_64_after_hwframe' || this.syms.codes[shown.at(-1) ?? -1]?.name !== 'entry_SYSCALL_64_after_hwframe') return lines;
    const sys = names.map((n) => /^__x64_sys_(\w+)$/.exec(n)?.[1]).find((n) => n !== undefined);
    const leaving = names.includes('syscall_exit_to_user_mode');
    const pid = this.tasks.pid[slot];
    const user = userRegLines({ seed: seedOf(`${pid}:user:${this.clock.now}`), syscall: leaving ? undefined : sys, inSyscall: !leaving, codeReadable: !names.includes('do_exit') });
    return [...lines, ...user];
  }

  /** One line of a call trace (show_trace_log_lvl): " symbol+off/size [module]". */
  traceLine(code: number): string {
    const c = this.syms.codes[code];
    return ` ${c.name}+0x${returnOffset(c).toString(16)}/0x${c.size.toString(16)}${this.moduleTag(code)}`;
  }

  /** A WARN raised by `slot` (which may not be `current` in the model's bookkeeping). */
  warnAs(slot: number, file: string, func: string, why: string, inner: readonly string[] = []): void {
    const saved = this.current;
    this.current = slot;
    this.warn(file, func, true, why, undefined, inner);
    this.current = saved;
  }

  /**
   * A task executed text of an unloaded module: the page-fault Oops of §14.5 as
   * page_fault_oops() (arch/x86/mm/fault.c) prints it: show_fault_oops()'s BUG and #PF
   * lines, dump_pagetable(), then __die(): "Oops:" with ++die_counter, show_regs() (the
   * text is gone: no opcode bytes), the trace, the modules and CR2; then oops_end(): the
   * end-trace line (oops_exit()) and the "executive summary in case the oops scrolled away",
   * __show_regs() of the first Oops's saved registers (the control registers read now).
   * Levels: show_fault_oops()'s lines are pr_alert, dump_pagetable() pr_info, the rest
   * KERN_DEFAULT (the default message level, warning).
   */
  oopsFreedText(slot: number, code: number): never {
    const sym = this.syms.codes[code];
    const cpu = this.cpuOf(slot);
    const addr = formatAddr(sym.addr);
    const pid = this.tasks.pid[slot];
    // __die_header(): "[#%d]" is ++die_counter, one more for every Oops since boot; the line
    // starts "Oops: " + __die()'s string ("Oops") from v6.10 ("x86/dumpstack: uniform die
    // messages prompt"); the preemption model moved to the CPU line in v6.15.
    const dieCounter = this.incidents.filter((i) => i.kind === 'oops').length + 1;
    const info = this.dumpStackInfo(cpu, pid, this.tasks.commOf(slot));
    const seed = seedOf(`${pid}:${addr}:${dieCounter}`);
    const trap = { seed, pid, trapOpcode: null, ip: sym.addr, cr2: sym.addr };
    const ip = [`RIP: 0010:0x${addr}`, codeLine(trap)];
    const regs = regLines(trap);
    this.execSummary ??= [...ip, ...regs.slice(0, SAVED_REG_LINES)];
    const lines = [
      `${this.features.number >= 610 ? 'Oops: ' : ''}Oops: 0010 [#${dieCounter}]${this.features.number >= 615 ? '' : ' PREEMPT'} SMP NOPTI`,
      ...info,
      HARDWARE_NAME,
      ...ip,
      ...regs,
      'Call Trace:',
      ' <TASK>',
      ...this.callTrace(slot, this.trie.frames(this.tasks.stack[slot]).slice(1, 12), this.trie.frames(this.tasks.stack[slot])),
      ' </TASK>',
      `Modules linked in: ${this.modulesLinkedIn()} [last unloaded: ${sym.owner}(K)]`,
      `CR2: ${addr}`,
      '---[ end trace 0000000000000000 ]---',
      ...this.execSummary,
      ...regs.slice(SAVED_REG_LINES),
    ];
    this.taints.add('D');
    this.printk(KERN_ALERT, `BUG: unable to handle page fault for address: ${addr}`);
    this.printk(KERN_ALERT, '#PF: supervisor instruction fetch in kernel mode');
    this.printk(KERN_ALERT, '#PF: error_code(0x0010) - not-present page');
    this.printk(KERN_INFO, pageTableLine(seed));
    for (const l of lines) this.printk(KERN_WARNING, l);
    // rewind_stack_and_make_dead() -> make_task_dead() (kernel/exit.c): a task that oopsed
    // inside do_exit() (PF_EXITING) is left alone, never to run again.
    if (this.tasks.has(slot, TF.EXITING)) this.printk(KERN_ALERT, 'Fixing recursive fault but reboot is needed!');
    this.incidents.push({ time: this.clock.now, kind: 'oops', text: `${this.tasks.commOf(slot)}:${pid} executed freed text of ${sym.owner}` });
    throw new TaskKilled(slot);
  }
}
