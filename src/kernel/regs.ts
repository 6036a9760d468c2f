// What x86-64 prints of a trapped context: show_ip()/show_opcodes() and __show_regs()
// (arch/x86/kernel/dumpstack.c, process_64.c) and the page-table walk of a page fault
// (dump_pagetable(), arch/x86/mm/fault.c). Where in the source a WARN site is: warnLines.ts.
// Register contents are made up (deterministic from the context), their layout is the kernel's.

/** A small deterministic generator for register contents (xorshift32). */
function words(seed: number): () => number {
  let s = seed >>> 0 || 0x9e3779b9;
  return () => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s;
  };
}

export function seedOf(text: string): number {
  let h = 2166136261;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 16777619) >>> 0;
  return h;
}

const hex = (n: bigint, w = 16): string => n.toString(16).padStart(w, '0');

interface TrapContext {
  /** Seed for the made-up contents (e.g. pid, function, time). */
  seed: number;
  /** Kernel stack of the task: its RSP lies in it. */
  pid: number;
  /** The opcode at RIP: "0f 0b" (ud2 of a WARN), or null when the text cannot be read. */
  trapOpcode: string | null;
  /** The instruction pointer (for "Unable to access opcode bytes at"). */
  ip: bigint;
  /** A page fault: CR2 holds its address. */
  cr2?: bigint;
  /** orig_ax of a syscall frame; -1 (not printed) for a trap. */
  origAx?: number;
  /** RFLAGS; default 0x10246 (RF IF ZF PF). A context with interrupts off clears IF (0x200). */
  eflags?: number;
}

/**
 * show_opcodes(): 42 bytes before RIP, the bytes at RIP in <>, 21 after ("Code: ..."), or
 * "Code: Unable to access opcode bytes at 0x%lx." when RIP - 42 cannot be read.
 */
export function codeLine(c: TrapContext): string {
  if (c.trapOpcode === null) return `Code: Unable to access opcode bytes at 0x${(c.ip - 42n).toString(16)}.`;
  const next = words(c.seed ^ 0xc0de);
  const byte = () => (next() & 0xff).toString(16).padStart(2, '0');
  const before = Array.from({ length: 42 }, byte);
  const [op0, ...op] = c.trapOpcode.split(' ');
  const after = Array.from({ length: 64 - 42 - 1 - op.length }, byte);
  return `Code: ${[...before, `<${op0}>`, ...op, ...after].join(' ')}`;
}

/** regLines(): RSP/EFLAGS and the five lines of general registers, the saved pt_regs. */
export const SAVED_REG_LINES = 6;

/** CR4 of the modelled CPU: PSE PAE MCE PGE OSFXSR OSXMMEXCPT UMIP FSGSBASE OSXSAVE SMEP SMAP PKE. */
const CR4 = 0x750ef0n;
/** X86_CR4_PKE (bit 22): protection keys for user pages are on. */
const X86_CR4_PKE = 1n << 22n;
/** init_pkru_value (arch/x86/mm/pkeys.c): access disabled for every key but key 0. */
const INIT_PKRU = 0x55555554n;

/**
 * __show_regs() of a kernel-mode context after the RIP and Code lines: RSP/EFLAGS (with
 * ORIG_RAX for a syscall), the general registers three to a line, FS/GS, CS/DS/ES/CR0,
 * CR2/CR3/CR4, and PKRU, which arch/x86/kernel/process_64.c prints whenever CR4.PKE is set
 * (`if (cr4 & X86_CR4_PKE)`; cpu_feature_enabled(X86_FEATURE_OSPKE) in older trees, the same
 * on a CPU that boots with PKE on). The first SAVED_REG_LINES lines come from the trapped
 * pt_regs; the rest (FS base, control registers, PKRU) are read from the CPU when printed.
 */
export function regLines(c: TrapContext): string[] {
  const next = words(c.seed);
  const k = (base: bigint) => base + BigInt(next() & 0xfffff) * 0x40n;
  const small = () => BigInt(next() & 0xfff);
  const pick = () => {
    const r = next() % 4;
    return r === 0 ? 0n : r === 1 ? small() : r === 2 ? k(0xffff888100000000n) : k(0xffffffff81000000n);
  };
  const rsp = 0xffffc90000000000n + BigInt(c.pid) * 0x4000n + 0x3d00n + BigInt((next() & 0x3f) * 8);
  const regs = ['RAX', 'RBX', 'RCX', 'RDX', 'RSI', 'RDI', 'RBP', 'R08', 'R09', 'R10', 'R11', 'R12', 'R13', 'R14', 'R15'].map((n) => `${n}: ${hex(pick())}`);
  const lines = [`RSP: 0018:${hex(rsp)} EFLAGS: ${hex(BigInt(c.eflags ?? 0x10246), 8)}${c.origAx !== undefined && c.origAx >= 0 ? ` ORIG_RAX: ${hex(BigInt(c.origAx))}` : ''}`];
  for (let i = 0; i < regs.length; i += 3) lines.push(regs.slice(i, i + 3).join(' '));
  const fs = 0x7f0000000000n + BigInt(next()) * 0x100n;
  lines.push(`FS:  ${hex(fs)}(0000) GS:ffff88813bc00000(0000) knlGS:0000000000000000`);
  lines.push('CS:  0010 DS: 0000 ES: 0000 CR0: 0000000080050033');
  const cr3 = 0x100000000n + (BigInt(next() & 0xfffff) << 12n);
  lines.push(`CR2: ${hex(c.cr2 ?? 0x7f0000000000n + BigInt(next()) * 0x10n)} CR3: ${hex(cr3)} CR4: ${hex(CR4)}`);
  // The debug registers hold their defaults (not printed); CR4.PKE is set, so PKRU follows.
  if (CR4 & X86_CR4_PKE) lines.push(`PKRU: ${hex(INIT_PKRU, 8)}`);
  return lines;
}

/**
 * dump_pagetable() for an address in the module area after its text was freed: the upper
 * levels are present (the kernel's shared tables), the PTE is gone.
 */
export function pageTableLine(seed: number): string {
  const next = words(seed ^ 0x5a5a);
  const pgd = 0x2a1c067n + (BigInt(next() & 0xff) << 12n);
  const pud = pgd + 0x2000n;
  const pmd = 0x100000067n + (BigInt(next() & 0xfffff) << 12n);
  return `PGD ${pgd.toString(16)} P4D ${pgd.toString(16)} PUD ${pud.toString(16)} PMD ${pmd.toString(16)} PTE 0`;
}

/** x86-64 syscall numbers (arch/x86/entry/syscalls/syscall_64.tbl) of the syscalls the model's stacks enter. */
const SYSCALL_NR: ReadonlyMap<string, number> = new Map([
  ['read', 0], ['write', 1], ['pause', 34], ['nanosleep', 35], ['getpid', 39], ['clone', 56],
  ['execve', 59], ['wait4', 61], ['delete_module', 176], ['futex', 202], ['clock_nanosleep', 230],
  ['exit_group', 231], ['epoll_wait', 232], ['ppoll', 271], ['accept4', 288], ['finit_module', 313],
]);
/** What a thread killed on its way back from a syscall was most likely in: futex(), as in the do_exit report. */
const SIGNALLED_SYSCALL = 'futex';
const ENOSYS = 38n;
const ERESTARTSYS = 512n;

/** The user context a syscall saved at the top of the kernel stack (pt_regs at entry_SYSCALL_64). */
interface UserContext {
  seed: number;
  /** The syscall's name (`__x64_sys_<name>`), or undefined: returning from one with a signal to handle. */
  syscall: string | undefined;
  /** Still inside the syscall (regs->ax holds -ENOSYS) rather than on its way out (the return value). */
  inSyscall: boolean;
  /** The task's user memory can be read (false once exit_mm() has run in do_exit()). */
  codeReadable: boolean;
}

/**
 * show_regs_if_on_stack() -> __show_regs(regs, SHOW_REGS_SHORT) for the syscall's entry regs,
 * printed where the unwinder reaches them, after entry_SYSCALL_64_after_hwframe
 * (arch/x86/kernel/dumpstack.c): RIP 0033 and its Code: line (the `syscall` instruction,
 * 0f 05, just before RIP; "Unable to access" when the mm is gone), RSP 002b with EFLAGS and
 * ORIG_RAX (the syscall number), the general registers, RCX holding the return RIP and R11
 * the RFLAGS as the syscall instruction saved them.
 */
export function userRegLines(c: UserContext): string[] {
  const next = words(c.seed ^ 0x05ca11);
  const big = () => 0x7f0000000000n + BigInt(next() & 0xfffffff) * 0x100n + BigInt(next() & 0xff);
  const pick = () => {
    const r = next() % 3;
    return r === 0 ? 0n : r === 1 ? BigInt(next() & 0xffff) : big();
  };
  const rip = 0x7f0000000000n + BigInt(next() & 0xfffffff) * 0x1000n + BigInt(next() & 0xffe) + 1n;
  const rsp = 0x7ffc00000000n + BigInt(next() & 0x3ffffff) * 0x10n;
  const nr = SYSCALL_NR.get(c.syscall ?? SIGNALLED_SYSCALL) ?? 0;
  const ax = c.inSyscall ? -ENOSYS : -ERESTARTSYS;
  const val: Record<string, bigint> = { RAX: BigInt.asUintN(64, ax), RCX: rip, R11: 0x246n };
  const regs = ['RAX', 'RBX', 'RCX', 'RDX', 'RSI', 'RDI', 'RBP', 'R08', 'R09', 'R10', 'R11', 'R12', 'R13', 'R14', 'R15'].map((n) => `${n}: ${hex(val[n] ?? pick())}`);
  let code: string;
  if (!c.codeReadable) code = `Code: Unable to access opcode bytes at 0x${(rip - 42n).toString(16)}.`;
  else {
    const byte = () => (next() & 0xff).toString(16).padStart(2, '0');
    const before = [...Array.from({ length: 40 }, byte), '0f', '05'];
    code = `Code: ${[...before, `<${byte()}>`, ...Array.from({ length: 21 }, byte)].join(' ')}`;
  }
  const lines = [`RIP: 0033:0x${rip.toString(16)}`, code, `RSP: 002b:${hex(rsp)} EFLAGS: 00000246 ORIG_RAX: ${hex(BigInt(nr))}`];
  for (let i = 0; i < regs.length; i += 3) lines.push(regs.slice(i, i + 3).join(' '));
  return lines;
}
