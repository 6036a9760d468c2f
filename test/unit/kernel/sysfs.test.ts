// The livepatch sysfs interface (core.c: enabled_store/show, transition_show, force_store,
// replace_show, stack_order_show, patched_show) and /proc/<pid>/patch_state
// (docs/kernel-model.md §7, §15) through the simulated shell.

import { describe, it, expect } from 'vitest';
import { Simulation, SELFTEST_CONFIG } from '../../../src/engine/simulation';
import { TF } from '../../../src/kernel/tasks';
import { KLP_TRANSITION_PATCHED } from '../../../src/kernel/constants';
import { runToEnd } from '../../support/helpers';

const LP = '/sys/kernel/livepatch';
const P = `${LP}/test_klp_livepatch`;
const DEMO = `${LP}/test_klp_callbacks_demo`;
const EINVAL = 'bash: echo: write error: Invalid argument';
const EBUSY = 'bash: echo: write error: Device or resource busy';

function run(sim: Simulation, lines: string[]) {
  return runToEnd(sim, lines).map((o) => o.result);
}

function withPatch(version?: string) {
  const sim = new Simulation(version ? { ...SELFTEST_CONFIG, version } : SELFTEST_CONFIG);
  run(sim, ['load_lp test_klp_livepatch']);
  return sim;
}

function stalledDemo() {
  const sim = new Simulation();
  run(sim, ['load_mod test_klp_callbacks_busy block_transition=Y', 'load_lp_nowait test_klp_callbacks_demo']);
  return sim;
}

describe('sysfs attribute modes (klp_patch_attrs, klp_object_attrs)', () => {
  it('patch directory: enabled 0644, force 0200, replace/stack_order/transition 0444, object subdir (ls -l)', () => {
    const out = run(withPatch(), [`ls -l ${P}`]);
    expect(out[0].out).toEqual([
      'total 0',
      '-rw-r--r-- 1 root root 4096 enabled',
      '--w------- 1 root root 4096 force',
      '-r--r--r-- 1 root root 4096 replace',
      '-r--r--r-- 1 root root 4096 stack_order',
      '-r--r--r-- 1 root root 4096 transition',
      'drwxr-xr-x 2 root root 0 vmlinux',
    ]);
  });

  it('object directory: one directory per func "<old_name>,<sympos or 1>" and a read-only patched file', () => {
    const out = run(withPatch(), [`ls -l ${P}/vmlinux`, `cat ${P}/vmlinux/patched`]);
    expect(out[0].out).toEqual(['total 0', 'drwxr-xr-x 2 root root 0 cmdline_proc_show,1', '-r--r--r-- 1 root root 4096 patched']);
    expect(out[1].out).toEqual(['1']);
  });

  it('kernel 6.1 profile: no replace nor stack_order attribute (replace added in v6.11, stack_order in v6.14); patched is there (v6.0/6.1)', () => {
    const sim = withPatch('6.1');
    const out = run(sim, [`ls -l ${P}`, `cat ${P}/replace`, `cat ${P}/stack_order`]);
    expect(out[0].out).toEqual([
      'total 0',
      '-rw-r--r-- 1 root root 4096 enabled',
      '--w------- 1 root root 4096 force',
      '-r--r--r-- 1 root root 4096 transition',
      'drwxr-xr-x 2 root root 0 vmlinux',
    ]);
    expect(out[1].err).toEqual([`cat: ${P}/replace: No such file or directory`]);
    expect(out[2].err).toEqual([`cat: ${P}/stack_order: No such file or directory`]);
    expect(run(sim, [`cat ${P}/vmlinux/patched`])[0].out).toEqual(['1']);
  });

  it('replace_show: 0 for a non-replace patch, 1 for an atomic-replace patch', () => {
    const sim = withPatch();
    const out = run(sim, [`cat ${P}/replace`, 'load_lp test_klp_atomic_replace replace=1', `cat ${LP}/test_klp_atomic_replace/replace`]);
    expect(out[0].out).toEqual(['0']);
    expect(out[2].out).toEqual(['1']);
  });
});

describe('read/write permission and missing paths (kernfs)', () => {
  it('writing a read-only attribute (transition, stack_order, replace) is refused with "Permission denied"', () => {
    const out = run(withPatch(), [`echo 1 > ${P}/transition`, `echo 1 > ${P}/stack_order`, `echo 1 > ${P}/replace`]);
    for (const [i, f] of ['transition', 'stack_order', 'replace'].entries()) {
      expect(out[i].status).toBe(1);
      expect(out[i].err).toEqual([`bash: ${P}/${f}: Permission denied`]);
    }
  });

  it('reading the write-only force attribute gives "Permission denied"', () => {
    const out = run(withPatch(), [`cat ${P}/force`]);
    expect(out[0].err).toEqual([`cat: ${P}/force: Permission denied`]);
    expect(out[0].status).toBe(1);
  });

  it('a nonexistent patch directory gives "No such file or directory" for echo, cat and ls', () => {
    const out = run(withPatch(), [`echo 0 > ${LP}/nope/enabled`, `cat ${LP}/nope/enabled`, `ls ${LP}/nope`]);
    expect(out[0].err).toEqual([`bash: ${LP}/nope/enabled: No such file or directory`]);
    expect(out[1].err).toEqual([`cat: ${LP}/nope/enabled: No such file or directory`]);
    expect(out[2].err).toEqual([`ls: cannot access '${LP}/nope': No such file or directory`]);
    expect(out[2].status).toBe(2);
  });
});

describe('enabled_store / force_store error paths', () => {
  it('enabled_store: writing 1 to an enabled patch is EINVAL (same value as patch->enabled)', () => {
    const sim = withPatch();
    const out = run(sim, [`echo 1 > ${P}/enabled`, `cat ${P}/enabled`]);
    expect(out[0].err).toEqual([EINVAL]);
    expect(out[0].status).toBe(1);
    expect(out[1].out).toEqual(['1']);
    expect(sim.kernel.klpTransitionPatch).toBeNull();
  });

  it('enabled_store: a value kstrtobool rejects ("maybe", "2") is EINVAL and changes nothing', () => {
    const sim = withPatch();
    const out = run(sim, [`echo maybe > ${P}/enabled`, `echo 2 > ${P}/enabled`, `cat ${P}/enabled`]);
    expect(out[0].err).toEqual([EINVAL]);
    expect(out[1].err).toEqual([EINVAL]);
    expect(out[2].out).toEqual(['1']);
    expect(sim.kernel.klpTransitionPatch).toBeNull();
  });

  it('enabled_store: kstrtobool accepts "off"/"n" spellings: "off" disables the patch', () => {
    const sim = withPatch();
    const out = run(sim, [`echo off > ${P}/enabled`, `cat ${P}/enabled`, `cat ${P}/transition`]);
    expect(out[0].status).toBe(0);
    expect(out[1].out).toEqual(['0']);
    expect(out[2].out).toEqual(['1']);
  });

  it('__klp_disable_patch: echo 0 > enabled on another patch while a transition runs is EBUSY', () => {
    const sim = new Simulation();
    run(sim, ['load_lp test_klp_livepatch', 'load_mod test_klp_callbacks_busy block_transition=Y', 'load_lp_nowait test_klp_callbacks_demo']);
    const out = run(sim, [`echo 0 > ${P}/enabled`, `cat ${P}/enabled`]);
    expect(out[0].err).toEqual([EBUSY]);
    expect(out[0].status).toBe(1);
    expect(out[1].out).toEqual(['1']);
    expect(sim.kernel.klpTransitionPatch?.name).toBe('test_klp_callbacks_demo');
  });

  it('force_store: echo 1 > force on a patch that is not in transition is EINVAL', () => {
    const sim = withPatch();
    const before = sim.log.length;
    const out = run(sim, [`echo 1 > ${P}/force`]);
    expect(out[0].err).toEqual([EINVAL]);
    expect(sim.log.slice(before).some((r) => r.text.includes('forcing'))).toBe(false);
  });

  it('force_store: echo 0 > force is accepted and does nothing', () => {
    const sim = stalledDemo();
    const before = sim.log.length;
    const out = run(sim, [`echo 0 > ${DEMO}/force`, `cat ${DEMO}/transition`]);
    expect(out[0].status).toBe(0);
    expect(out[1].out).toEqual(['1']);
    expect(sim.log.slice(before).some((r) => r.text.includes('forcing'))).toBe(false);
  });

  it('rmmod of an enabled livepatch module fails: "Module X is in use" (klp_enable_patch took a module reference)', () => {
    const out = run(withPatch(), ['rmmod test_klp_livepatch', `cat ${P}/enabled`]);
    expect(out[0].err).toEqual(['rmmod: ERROR: Module test_klp_livepatch is in use']);
    expect(out[0].status).toBe(1);
    expect(out[1].out).toEqual(['1']);
  });
});

describe('transition_show and /proc/<pid>/patch_state (proc_pid_patch_state)', () => {
  it('transition reads 0 when idle, enabled reads 1', () => {
    const out = run(withPatch(), [`cat ${P}/transition`, `cat ${P}/enabled`]);
    expect(out[0].out).toEqual(['0']);
    expect(out[1].out).toEqual(['1']);
  });

  it('patch_state is -1 for every task when no transition runs', () => {
    const sim = withPatch();
    const pid = sim.kernel.tasks.pid[sim.kernel.listedSlots()[0]];
    const out = run(sim, [`cat /proc/${pid}/patch_state`, 'cat /proc/1/patch_state']);
    expect(out[0].out).toEqual(['-1']);
    expect(out[1].out).toEqual(['-1']);
  });

  it('patch_state during a stalled patching transition: 0 for the blocked kworker, 1 for a switched task', () => {
    const sim = stalledDemo();
    run(sim, ['sleep 2']);
    const k = sim.kernel;
    const blocked = k.listedSlots().find((s) => k.tasks.has(s, TF.PATCH_PENDING))!;
    const switched = k.listedSlots().find((s) => k.tasks.patchState[s] === KLP_TRANSITION_PATCHED && k.tasks.pid[s] > 1)!;
    expect(blocked).toBeDefined();
    expect(switched).toBeDefined();
    const out = run(sim, [`cat /proc/${k.tasks.pid[blocked]}/patch_state`, `cat /proc/${k.tasks.pid[switched]}/patch_state`]);
    expect(out[0].out).toEqual(['0']);
    expect(out[1].out).toEqual(['1']);
  });

  it('/proc/<pid>/patch_state of a pid that does not exist: "No such file or directory"', () => {
    const out = run(withPatch(), ['cat /proc/99999/patch_state']);
    expect(out[0].err).toEqual(['cat: /proc/99999/patch_state: No such file or directory']);
  });
});
