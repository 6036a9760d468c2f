// Issue 12 points 2 and 3: what the kernel prints when something goes wrong, line by line.

import { describe, expect, it } from 'vitest';
import { Simulation, SELFTEST_CONFIG } from '../../../src/engine/simulation';
import type { ModuleDef } from '../../../src/kernel/module';
import { runToEnd } from '../../support/helpers';

/** A livepatch whose two funcs both replace cmdline_proc_show: two "cmdline_proc_show,1" directories. */
const DUP: ModuleDef = {
  name: 'lp_dup',
  livepatch: true,
  outOfTree: true,
  description: 'two klp_funcs for one function',
  symbols: [{ name: 'lp_dup_show', size: 0x30, body: () => 0 }],
  init: (m) => m.klpEnablePatch({ objs: [{ name: null, funcs: [{ oldName: 'cmdline_proc_show', newFunc: 'lp_dup_show' }, { oldName: 'cmdline_proc_show', newFunc: 'lp_dup_show' }] }] }),
};

function insmodDup(version: string) {
  const sim = new Simulation({ ...SELFTEST_CONFIG, version }, [DUP]);
  const before = sim.log.length;
  const [o] = runToEnd(sim, ['insmod lp_dup.ko']);
  return { sim, o, log: sim.log.slice(before) };
}

describe('sysfs_warn_dup: a pr_warn and dump_stack(), not a WARNING', () => {
  // fs/sysfs/dir.c sysfs_warn_dup(): pr_warn("cannot create duplicate filename '%s/%s'\n")
  // with pr_fmt "sysfs: ", then dump_stack(); lib/kobject.c kobject_add_internal() then
  // pr_err("%s failed for %s with -EEXIST, don't try to register things with the same name
  // in the same directory.\n").
  it('v6.12: the duplicate, the stack dump without cut-here/RIP/end-trace, then kobject_add_internal with the "kobject: " prefix; no W taint', () => {
    const { sim, o, log } = insmodDup('6.12');
    expect(o.result.status).toBe(1);
    const texts = log.map((r) => r.text);
    const at = texts.indexOf("sysfs: cannot create duplicate filename '/kernel/livepatch/lp_dup/vmlinux/cmdline_proc_show,1'");
    expect(at).toBeGreaterThanOrEqual(0);
    expect(log[at].level).toBe(4); // pr_warn
    const pid = sim.kernel.tasks.pid[sim.kernel.tasks.n - 1];
    // print_tainted(): the module taints (O, E, K) but no W.
    expect(texts[at + 1]).toBe(`CPU: 0 UID: 0 PID: ${pid} Comm: insmod Tainted: G           OE K    6.12.0 #1`);
    // lib/dump_stack.c dump_stack_print_info() from v6.11: print_tainted_verbose() when tainted.
    expect(texts[at + 2]).toBe('Tainted: [O]=OOT_MODULE, [E]=UNSIGNED_MODULE, [K]=LIVEPATCH');
    expect(texts[at + 3]).toMatch(/^Hardware name: /);
    expect(texts.slice(at + 4, at + 6)).toEqual(['Call Trace:', ' <TASK>']);
    const trace = texts.slice(at + 6, texts.indexOf(' </TASK>', at));
    // The shape of a real report (live-patching list, Oct 2025: a duplicate "somefunc,1").
    expect(trace.slice(0, 7).map((l) => l.replace(/\+0x.*/, ''))).toEqual([' dump_stack_lvl', ' sysfs_warn_dup.cold', ' sysfs_create_dir_ns', ' kobject_add_internal', ' kobject_add', ' klp_enable_patch', ' lp_dup_init']);
    // show_regs_if_on_stack() at the syscall's entry regs (arch/x86/kernel/dumpstack.c):
    // __show_regs(SHOW_REGS_SHORT) of insmod's user context after the last frame.
    const entry = trace.findIndex((l) => /^ entry_SYSCALL_64_after_hwframe\+0x[1-9a-f][0-9a-f]*\/0x/.test(l));
    expect(entry).toBe(trace.length - 9);
    const user = trace.slice(entry + 1);
    const rip = /^RIP: 0033:0x(7f[0-9a-f]{10})$/.exec(user[0])?.[1];
    expect(rip).toBeDefined();
    // show_opcodes() of current's user text: the `syscall` instruction (0f 05) just before RIP.
    expect(user[1]).toMatch(/^Code: (?:[0-9a-f]{2} ){40}0f 05 <[0-9a-f]{2}>(?: [0-9a-f]{2}){21}$/);
    // finit_module is syscall 313; still inside it, regs->ax holds -ENOSYS.
    expect(user[2]).toMatch(/^RSP: 002b:00007ffc[0-9a-f]{8} EFLAGS: 00000246 ORIG_RAX: 0000000000000139$/);
    // The syscall instruction saved the return RIP in RCX and RFLAGS in R11.
    expect(user[3]).toMatch(new RegExp(`^RAX: ffffffffffffffda RBX: [0-9a-f]{16} RCX: 0000${rip}$`));
    expect(user[6]).toMatch(/^R10: [0-9a-f]{16} R11: 0000000000000246 R12: [0-9a-f]{16}$/);
    expect(user[7]).toMatch(/^R13: [0-9a-f]{16} R14: [0-9a-f]{16} R15: [0-9a-f]{16}$/);
    const end = texts.indexOf(' </TASK>', at);
    expect(texts[end + 1]).toBe("kobject: kobject_add_internal failed for cmdline_proc_show,1 with -EEXIST, don't try to register things with the same name in the same directory.");
    expect(log[end + 1].level).toBe(3); // pr_err
    // dump_stack() shows no trapped kernel context (no RIP: 0010 and register dump): only the
    // user context at the syscall entry.
    for (const t of texts) expect(t).not.toMatch(/cut here|^WARNING:|^RIP: 0010|end trace/);
    expect(sim.kernel.taints.has('W')).toBe(false);
  });

  it('v6.1: kobject_add_internal prints without the "kobject: " prefix, the CPU line without UID', () => {
    const { log } = insmodDup('6.1');
    const texts = log.map((r) => r.text);
    expect(texts).toContain("kobject_add_internal failed for cmdline_proc_show,1 with -EEXIST, don't try to register things with the same name in the same directory.");
    expect(texts.some((t) => /^CPU: 0 PID: \d+ Comm: insmod Tainted: G {11}OE K {4}6\.1\.0 #1$/.test(t))).toBe(true);
  });
});

describe('WARN and Oops shaped like x86-64 __warn() / page_fault_oops()', () => {
  /** A task whose patch_state is KLP_TRANSITION_IDLE calls a function in transition. */
  function idleCallerWarn(version: string) {
    const sim = new Simulation({ ...SELFTEST_CONFIG, version });
    runToEnd(sim, ['load_mod test_klp_callbacks_busy block_transition=Y', 'load_lp_nowait test_klp_callbacks_demo']);
    const k = sim.kernel;
    const slot = sim.shell.slot;
    k.tasks.patchState[slot] = -1 as never; // KLP_TRANSITION_IDLE
    const before = sim.log.length;
    k.resolveCall(slot, k.codeOf('test_klp_callbacks_busy', 'busymod_work_func'));
    return { texts: sim.log.slice(before).map((r) => r.text), k, slot };
  }

  // kernel/livepatch/patch.c klp_ftrace_handler(): WARN_ON_ONCE(patch_state == KLP_UNDEFINED)
  // (KLP_TRANSITION_IDLE from v6.10) is line 98 of the file in v6.1, v6.12 and v6.16.
  for (const version of ['6.1', '6.12', '6.16']) {
    it(`v${version}: the ftrace handler's WARN names patch.c:98, dumps the registers and shows the trampoline`, () => {
      const { texts: all, k, slot } = idleCallerWarn(version);
      const pid = k.tasks.pid[slot];
      // From v6.11 print_tainted_verbose()'s line follows the CPU line (taken out here so the
      // lines below keep one numbering); it names the taints of the CPU line, W not yet.
      const verbose = version === '6.1' ? [] : all.splice(4, 1);
      const texts = all;
      if (version !== '6.1') expect(verbose).toEqual(['Tainted: [O]=OOT_MODULE, [E]=UNSIGNED_MODULE, [K]=LIVEPATCH']);
      // print_tainted(): TAINT_FWCTL (J) is a column from v6.15.
      expect(texts[3]).toMatch(version === '6.16' ? / OE K {5}6\.16\.0 #1 / : new RegExp(` OE K {4}${version.replace('.', '\\.')}\\.0 #1`));
      expect(texts[0]).toBe('------------[ cut here ]------------');
      expect(texts[1]).toMatch(new RegExp(`^WARNING: CPU: \\d PID: ${pid} at kernel/livepatch/patch\\.c:98 klp_ftrace_handler\\+0x[1-9a-f][0-9a-f]*/0x[0-9a-f]+$`));
      expect(texts[2]).toMatch(/^Modules linked in: test_klp_callbacks_demo\(OEK\) test_klp_callbacks_busy\(OE\)$/);
      expect(texts[3]).toMatch(/^CPU: \d /);
      expect(texts[4]).toMatch(/^Hardware name: /);
      expect(texts[5]).toBe(`RIP: 0010:${texts[1].split(' ').at(-1)}`);
      // show_opcodes(): 42 bytes, the ud2 of the WARN in <>, then the rest, 64 in all.
      expect(texts[6]).toMatch(/^Code: (?:[0-9a-f]{2} ){42}<0f> 0b(?: [0-9a-f]{2}){20}$/);
      expect(texts[7]).toMatch(/^RSP: 0018:ffffc900[0-9a-f]{8} EFLAGS: 00010246$/);
      expect(texts[8]).toMatch(/^RAX: [0-9a-f]{16} RBX: [0-9a-f]{16} RCX: [0-9a-f]{16}$/);
      expect(texts[12]).toMatch(/^R13: [0-9a-f]{16} R14: [0-9a-f]{16} R15: [0-9a-f]{16}$/);
      expect(texts[13]).toMatch(/^FS: {2}[0-9a-f]{16}\(0000\) GS:[0-9a-f]{16}\(0000\) knlGS:0{16}$/);
      expect(texts[14]).toBe('CS:  0010 DS: 0000 ES: 0000 CR0: 0000000080050033');
      expect(texts[15]).toMatch(/^CR2: [0-9a-f]{16} CR3: [0-9a-f]{16} CR4: 0000000000750ef0$/);
      // arch/x86/kernel/process_64.c __show_regs(): `if (cr4 & X86_CR4_PKE)` prints PKRU
      // (init_pkru_value, arch/x86/mm/pkeys.c); CR4 0x750ef0 has PKE (bit 22) set.
      expect(texts[16]).toBe('PKRU: 55555554');
      expect(texts.slice(17, 21)).toEqual(['Call Trace:', ' <TASK>', ' ftrace_trampoline+0xa3/0x197 [__builtin__ftrace]', texts[20]]);
      expect(texts[20]).toMatch(/^ \? busymod_work_func\+0x5\/0x[0-9a-f]+ \[test_klp_callbacks_busy\]$/);
      expect(texts.at(-1)).toBe('---[ end trace 0000000000000000 ]---');
      for (const t of texts) expect(t).not.toMatch(/\+0x0\//);
      // add_taint(TAINT_WARN) comes after the report: the CPU line does not show W yet.
      expect(texts[3]).not.toMatch(/W/);
      expect(k.taints.has('W')).toBe(true);
    });
  }
});

describe('WARN() with a message: klp_shadow_alloc of an existing <obj, id>', () => {
  // kernel/livepatch/shadow.c __klp_shadow_get_or_alloc(): WARN(1, "Duplicate shadow variable
  // <%p, %lx>\n", obj, id). __warn_printk() prints the message after cut-here, then __warn().
  it('prints cut-here, the message, the WARNING line, and taints W', () => {
    const sim = new Simulation();
    const k = sim.kernel;
    const before = sim.log.length;
    k.warn('kernel/livepatch/shadow.c', '__klp_shadow_get_or_alloc', false, 'duplicate', 'Duplicate shadow variable <000000001c7ee5b4, 4d2>');
    const texts = sim.log.slice(before).map((r) => r.text);
    expect(texts.slice(0, 2)).toEqual(['------------[ cut here ]------------', 'Duplicate shadow variable <000000001c7ee5b4, 4d2>']);
    expect(texts[2]).toMatch(/^WARNING: CPU: \d PID: \d+ at kernel\/livepatch\/shadow\.c:\d+ __klp_shadow_get_or_alloc\+0x[1-9a-f][0-9a-f]*\/0x[0-9a-f]+$/);
    expect(texts.at(-1)).toBe('---[ end trace 0000000000000000 ]---');
    expect(k.taints.has('W')).toBe(true);
  });
});
