// kernel/livepatch/core.c and patch.c as the simulated machine shows them (docs/kernel-model.md §2,
// §3, §6, §8, §9, §12): enabling while another patch is in transition, func_stack order,
// atomic replace with nops, stack_order, module coming/going, determinism.

import { describe, it, expect } from 'vitest';
import { Simulation } from '../../../src/engine/simulation';
import type { ModuleDef } from '../../../src/kernel/module';
import type { SeqFile } from '../../../src/kernel/vmlinux';
import { runToEnd } from '../../support/helpers';

const LP = '/sys/kernel/livepatch';
const BOOT_CMDLINE = 'BOOT_IMAGE=/boot/vmlinuz root=/dev/vda1 ro console=ttyS0,115200 quiet';

function run(sim: Simulation, lines: string[]) {
  return runToEnd(sim, lines).map((o) => ({ ...o.result, time: o.time }));
}

/** A livepatch module `name` replacing vmlinux `target` with a show routine printing `name`. */
function lpModule(name: string, target: string, replace = false): ModuleDef {
  return {
    name,
    livepatch: true,
    outOfTree: true,
    description: `test livepatch ${name}`,
    symbols: [
      {
        name: `${name}_show`,
        size: 0x30,
        body: (_x: unknown, seq: unknown) => {
          (seq as SeqFile).printf(`${name}\n`);
          return 0;
        },
      },
    ],
    init: (m) => m.klpEnablePatch({ replace, objs: [{ name: null, funcs: [{ oldName: target, newFunc: `${name}_show` }] }] }),
  };
}

const threeOnCmdline = () =>
  new Simulation(undefined, [lpModule('lp_a', 'cmdline_proc_show'), lpModule('lp_b', 'cmdline_proc_show'), lpModule('lp_c', 'cmdline_proc_show')]);

function stackNames(sim: Simulation, owner: string, fn: string): string[] | undefined {
  const k = sim.kernel;
  return k.klpOps.get(k.codeOf(owner, fn))?.funcStack.map((f) => f.patch.name);
}

describe('klp_enable_patch while another patch is in transition', () => {
  it('klp_enable_patch: insmod of a second livepatch during a transition fails with EBUSY ("Device or resource busy") and prints no livepatch message', () => {
    const sim = new Simulation();
    run(sim, ['load_mod test_klp_callbacks_busy block_transition=Y', 'load_lp_nowait test_klp_callbacks_demo']);
    const before = sim.log.length;
    const out = run(sim, ['insmod test_modules/test_klp_livepatch.ko', `ls ${LP}`, 'lsmod']);
    expect(out[0].status).toBe(1);
    expect(out[0].err).toEqual(['insmod: ERROR: could not insert module test_modules/test_klp_livepatch.ko: Device or resource busy']);
    expect(sim.log.slice(before).filter((r) => r.text.startsWith('livepatch:'))).toEqual([]);
    expect(out[1].out).toEqual(['test_klp_callbacks_demo']);
    expect(out[2].out.some((l) => l.startsWith('test_klp_livepatch '))).toBe(false);
    expect(sim.kernel.klpTransitionPatch?.name).toBe('test_klp_callbacks_demo');
  });

  it('klp_enable_patch: once the transition is over, the same insmod succeeds', () => {
    const sim = new Simulation();
    run(sim, ['load_mod test_klp_callbacks_busy block_transition=Y', 'load_lp_nowait test_klp_callbacks_demo']);
    const out = run(sim, ['echo 1 > /sys/kernel/livepatch/test_klp_callbacks_demo/force', 'sleep 2', 'insmod test_modules/test_klp_livepatch.ko']);
    expect(out[2].status).toBe(0);
    expect(sim.kernel.klpPatches.map((p) => p.name)).toEqual(['test_klp_callbacks_demo', 'test_klp_livepatch']);
  });
});

describe('func_stack order with several non-replace patches (klp_patch_func, klp_ftrace_handler)', () => {
  it('klp_patch_func: three patches of cmdline_proc_show share one klp_ops, newest first; /proc/cmdline runs the newest', () => {
    const sim = threeOnCmdline();
    const out = run(sim, ['insmod lp_a.ko', 'sleep 2', 'cat /proc/cmdline', 'insmod lp_b.ko', 'sleep 2', 'insmod lp_c.ko', 'sleep 2', 'cat /proc/cmdline']);
    expect(out[2].out).toEqual(['lp_a']);
    expect(out[7].out).toEqual(['lp_c']);
    expect(stackNames(sim, 'vmlinux', 'cmdline_proc_show')).toEqual(['lp_c', 'lp_b', 'lp_a']);
    expect(sim.kernel.klpOps.size).toBe(1);
  });

  it('stack_order_show: stack_order is the 1-based position in klp_patches', () => {
    const sim = threeOnCmdline();
    const out = run(sim, ['insmod lp_a.ko', 'sleep 2', 'insmod lp_b.ko', 'sleep 2', 'insmod lp_c.ko', 'sleep 2', `cat ${LP}/lp_a/stack_order ${LP}/lp_b/stack_order ${LP}/lp_c/stack_order`]);
    expect(out[6].out).toEqual(['1', '2', '3']);
  });

  it('klp_unpatch_func: disabling the top patch makes the one below run again', () => {
    const sim = threeOnCmdline();
    const out = run(sim, ['insmod lp_a.ko', 'sleep 2', 'insmod lp_b.ko', 'sleep 2', 'insmod lp_c.ko', 'sleep 2', `echo 0 > ${LP}/lp_c/enabled`, 'sleep 2', 'cat /proc/cmdline', `ls ${LP}`]);
    expect(out[8].out).toEqual(['lp_b']);
    expect(out[9].out).toEqual(['lp_a', 'lp_b']);
    expect(stackNames(sim, 'vmlinux', 'cmdline_proc_show')).toEqual(['lp_b', 'lp_a']);
  });

  it('klp_unpatch_func + stack_order_show: disabling the bottom patch keeps the newest active and renumbers stack_order', () => {
    const sim = threeOnCmdline();
    const out = run(sim, ['insmod lp_a.ko', 'sleep 2', 'insmod lp_b.ko', 'sleep 2', 'insmod lp_c.ko', 'sleep 2', `echo 0 > ${LP}/lp_a/enabled`, 'sleep 2', 'cat /proc/cmdline', `cat ${LP}/lp_b/stack_order ${LP}/lp_c/stack_order`]);
    expect(out[6].status).toBe(0);
    expect(out[8].out).toEqual(['lp_c']);
    expect(out[9].out).toEqual(['1', '2']);
    expect(stackNames(sim, 'vmlinux', 'cmdline_proc_show')).toEqual(['lp_c', 'lp_b']);
  });

  it('klp_unpatch_func: when the last patch of a function goes, its klp_ops is freed and the original runs', () => {
    const sim = new Simulation();
    const out = run(sim, ['load_lp test_klp_livepatch', 'cat /proc/cmdline', 'disable_lp test_klp_livepatch', 'cat /proc/cmdline']);
    expect(out[1].out).toEqual(['test_klp_livepatch: this has been live patched']);
    expect(out[3].out).toEqual([BOOT_CMDLINE]);
    expect(stackNames(sim, 'vmlinux', 'cmdline_proc_show')).toBeUndefined();
  });
});

describe('atomic replace (klp_add_nops, klp_unpatch_replaced_patches, klp_discard_nops)', () => {
  const setup = () => {
    const sim = new Simulation(undefined, [lpModule('lp_r', 'meminfo_proc_show', true)]);
    run(sim, ['load_lp test_klp_livepatch', 'insmod lp_r.ko']);
    return sim;
  };

  it('klp_add_nops: during the replace transition cmdline_proc_show has a nop of the new patch on top of the replaced patch', () => {
    const sim = setup();
    const k = sim.kernel;
    expect(k.klpTransitionPatch?.name).toBe('lp_r');
    const ops = k.klpOps.get(k.codeOf('vmlinux', 'cmdline_proc_show'))!;
    expect(ops.funcStack.map((f) => [f.patch.name, f.nop])).toEqual([
      ['lp_r', true],
      ['test_klp_livepatch', false],
    ]);
    expect(ops.funcStack[0].transition).toBe(true);
    const out = run(sim, [`ls ${LP}`, `ls ${LP}/lp_r/vmlinux`, `cat ${LP}/test_klp_livepatch/enabled`]);
    expect(out[0].out).toEqual(['lp_r', 'test_klp_livepatch']);
    expect(out[1].out).toContain('cmdline_proc_show,1');
    expect(out[2].out).toEqual(['1']);
  });

  it('klp_ftrace_handler: a task already switched by the replace transition runs the original code through the nop; one not yet switched runs the replaced patch', () => {
    const sim = setup();
    const k = sim.kernel;
    const orig = k.codeOf('vmlinux', 'cmdline_proc_show');
    const old = k.codeOf('test_klp_livepatch', 'livepatch_cmdline_proc_show');
    const slot = k.listedSlots()[0];
    const saved = k.tasks.patchState[slot];
    k.tasks.patchState[slot] = 1; // KLP_TRANSITION_PATCHED
    expect(k.resolveCall(slot, orig)).toBe(orig);
    k.tasks.patchState[slot] = 0; // KLP_TRANSITION_UNPATCHED
    expect(k.resolveCall(slot, orig)).toBe(old);
    k.tasks.patchState[slot] = saved;
  });

  it('klp_complete_transition: after the replace completes, the replaced patch leaves /sys/kernel/livepatch, the nop and its klp_ops are gone, stack_order is renumbered', () => {
    const sim = setup();
    const out = run(sim, ['sleep 2', `ls ${LP}`, `ls ${LP}/lp_r/vmlinux`, 'cat /proc/cmdline', 'cat /proc/meminfo', `cat ${LP}/lp_r/stack_order`, 'rmmod test_klp_livepatch']);
    expect(out[1].out).toEqual(['lp_r']);
    expect(out[2].out).not.toContain('cmdline_proc_show,1');
    expect(out[2].out).toContain('meminfo_proc_show,1');
    expect(out[3].out).toEqual([BOOT_CMDLINE]);
    expect(out[4].out).toEqual(['lp_r']);
    expect(out[5].out).toEqual(['1']);
    // klp_free_replaced_patches_async: module_put, so the old module can be removed.
    expect(out[6].status).toBe(0);
    expect(stackNames(sim, 'vmlinux', 'cmdline_proc_show')).toBeUndefined();
    expect(sim.kernel.klpPatches.map((p) => p.name)).toEqual(['lp_r']);
  });

  it('klp_reverse_transition of a replace enable: the replaced patch stays enabled and running, the replace patch is freed', () => {
    const sim = setup();
    const out = run(sim, [`echo 0 > ${LP}/lp_r/enabled`, 'sleep 3', `ls ${LP}`, 'cat /proc/cmdline', `cat ${LP}/test_klp_livepatch/enabled`, 'rmmod lp_r']);
    expect(out[2].out).toEqual(['test_klp_livepatch']);
    expect(out[3].out).toEqual(['test_klp_livepatch: this has been live patched']);
    expect(out[4].out).toEqual(['1']);
    expect(out[5].status).toBe(0);
    expect(stackNames(sim, 'vmlinux', 'cmdline_proc_show')).toEqual(['test_klp_livepatch']);
  });

  it('klp_force_transition: forcing a replace patching transition marks every other patch forced', () => {
    const sim = setup();
    const old = sim.kernel.klpPatches.find((p) => p.name === 'test_klp_livepatch')!;
    const out = run(sim, [`echo 1 > ${LP}/lp_r/force`, 'sleep 2', 'rmmod test_klp_livepatch']);
    expect(old.forced).toBe(true);
    expect(sim.kernel.klpPatches.find((p) => p.name === 'lp_r')!.forced).toBe(false);
    expect(out[2].err).toEqual(['rmmod: ERROR: Module test_klp_livepatch is in use']);
  });
});

describe('module coming/going (klp_module_coming, klp_module_going)', () => {
  it('klp_module_coming / klp_module_going: a patch of a not-yet-loaded module is applied when it loads and reverted when it unloads', () => {
    const sim = new Simulation();
    const before = sim.log.length;
    const out = run(sim, ['load_lp test_klp_mod_patch', 'load_mod test_klp_mod_target', 'cat /proc/test_klp_mod_target', 'unload_mod test_klp_mod_target']);
    expect(out[2].out).toEqual(['test_klp_mod_patch: this has been live patched']);
    const texts = sim.log.slice(before).map((r) => r.text);
    const apply = texts.indexOf("livepatch: applying patch 'test_klp_mod_patch' to loading module 'test_klp_mod_target'");
    const init = texts.indexOf('test_klp_mod_target: test_klp_mod_target_init');
    expect(apply).toBeGreaterThanOrEqual(0);
    expect(init).toBeGreaterThan(apply);
    const exit = texts.indexOf('test_klp_mod_target: test_klp_mod_target_exit');
    const revert = texts.indexOf("livepatch: reverting patch 'test_klp_mod_patch' on unloading module 'test_klp_mod_target'");
    expect(exit).toBeGreaterThan(init);
    expect(revert).toBeGreaterThan(exit);
  });
});

describe('module coming/going during a transition (klp_module_coming, klp_cleanup_module_patches_limited)', () => {
  it('klp_module_coming: for the transition patch, pre_patch runs but post_patch does not; klp_module_going skips pre_unpatch but runs post_unpatch', () => {
    const sim = new Simulation();
    run(sim, ['load_mod test_klp_callbacks_busy block_transition=Y', 'load_lp_nowait test_klp_callbacks_demo']);
    const before = sim.log.length;
    run(sim, ['load_mod test_klp_callbacks_mod', 'unload_mod test_klp_callbacks_mod']);
    const texts = sim.log.slice(before).map((r) => r.text).filter((t) => t.includes('test_klp_callbacks_mod') && !t.startsWith('%'));
    expect(texts).toEqual([
      "livepatch: applying patch 'test_klp_callbacks_demo' to loading module 'test_klp_callbacks_mod'",
      'test_klp_callbacks_demo: pre_patch_callback: test_klp_callbacks_mod -> [MODULE_STATE_COMING] Full formed, running module_init',
      'test_klp_callbacks_mod: test_klp_callbacks_mod_init',
      'test_klp_callbacks_mod: test_klp_callbacks_mod_exit',
      "livepatch: reverting patch 'test_klp_callbacks_demo' on unloading module 'test_klp_callbacks_mod'",
      'test_klp_callbacks_demo: post_unpatch_callback: test_klp_callbacks_mod -> [MODULE_STATE_GOING] Going away',
    ]);
    expect(sim.kernel.klpTransitionPatch?.name).toBe('test_klp_callbacks_demo');
  });
});

describe('determinism', () => {
  it('two runs of the same script give identical kernel logs, timestamps included', () => {
    const script = [
      "echo 'func klp_try_switch_task +p' > /sys/kernel/debug/dynamic_debug/control",
      'load_mod test_klp_callbacks_busy block_transition=Y',
      'load_lp_nowait test_klp_callbacks_demo',
      'sleep 17',
      'echo 0 > /sys/kernel/livepatch/test_klp_callbacks_demo/enabled',
      'sleep 3',
      'load_lp test_klp_livepatch',
      'disable_lp test_klp_livepatch',
    ];
    const once = () => {
      const sim = new Simulation();
      const out = run(sim, script);
      return { dmesg: sim.dmesg(true), times: out.map((o) => o.time), levels: sim.log.map((r) => r.level) };
    };
    const a = once();
    const b = once();
    expect(a.dmesg.length).toBeGreaterThan(20);
    expect(a.dmesg.some((l) => l.includes('signaling remaining tasks'))).toBe(true);
    expect(b).toEqual(a);
  });
});
