import { describe, expect, it } from 'vitest';
import { explainBlocker } from '../../../../src/engine/blockers';
import { Session } from '../../../../src/engine/session';
import { Simulation } from '../../../../src/engine/simulation';
import type { Kernel } from '../../../../src/kernel/kernel';
import { DEFAULT_SCENARIO_DOCUMENT as DEFAULT_SCENARIO } from '../../../../src/scenario/defaultScenario';
import { livepatchTree, patchStateOf, type SysfsNode } from '../../../../src/engine/select/sysfsModel';

function atSeconds(sec: number): Session {
  const s = new Session({ title: 't', build: () => new Simulation(), script: DEFAULT_SCENARIO.script });
  s.advanceTo(s.start + sec * 1_000_000);
  return s;
}

function find(node: SysfsNode, path: string): SysfsNode {
  const all = (n: SysfsNode): SysfsNode[] => [n, ...(n.children ?? []).flatMap(all)];
  const hit = all(node).find((n) => n.path === path);
  if (!hit) throw new Error(`${path} not in the tree`);
  return hit;
}

/** Everything a read could disturb: time, the log, the current task, every task's state. */
function fingerprint(k: Kernel): string {
  const t = k.tasks;
  return JSON.stringify([k.clock.now, k.clock.nextTime(), k.log.records.length, k.current, k.incidents.length, k.klpTargetState, [...t.patchState.subarray(0, t.n)], [...t.flags.subarray(0, t.n)], [...t.sched.subarray(0, t.n)]]);
}

const P = '/sys/kernel/livepatch/test_klp_callbacks_demo';

describe('sysfs view model', () => {
  it('shows enabled=1 as the target while the patching is still in transition', () => {
    const s = atSeconds(10);
    const tree = livepatchTree(s.sim.kernel);
    const enabled = find(tree, `${P}/enabled`);
    expect(enabled).toMatchObject({ mode: '-rw-r--r--', value: '1', differs: true });
    expect(enabled.truth).toMatch(/^the target, not the outcome: patching in progress, [1-9]\d* tasks? not switched yet$/);
    expect(find(tree, `${P}/transition`)).toMatchObject({ mode: '-r--r--r--', value: '1', differs: true });
    expect(find(tree, `${P}/force`)).toMatchObject({ mode: '--w-------', error: 'Permission denied' });
    const busy = find(tree, `${P}/test_klp_callbacks_busy/patched`);
    expect(busy).toMatchObject({ value: '1', differs: true });
    const func = find(tree, `${P}/test_klp_callbacks_busy/busymod_work_func,1`);
    expect(func).toMatchObject({ kind: 'dir', mode: 'drwxr-xr-x' });
    expect(func.truth).toBe('→ patched_work_func; func_stack entry 1 of 1, transition flag set (sysfs shows none of it)');
    expect(find(tree, `${P}/test_klp_callbacks_mod/patched`).truth).toMatch(/not loaded/);
  });

  it('reads without changing the kernel', () => {
    const s = atSeconds(10);
    const before = fingerprint(s.sim.kernel);
    livepatchTree(s.sim.kernel);
    for (let slot = 0; slot < s.sim.kernel.tasks.n; slot++) patchStateOf(s.sim.kernel, slot, '');
    expect(fingerprint(s.sim.kernel)).toBe(before);
  });

  it('has no patch directories once the reversed patch is unloaded', () => {
    const tree = livepatchTree(atSeconds(60).sim.kernel);
    expect(tree.children).toEqual([]);
    expect(tree.truth).toBe('klp_patches: 0; no transition');
  });

  it('reads /proc/<pid>/patch_state of the blocking kworker beside why it has not switched', () => {
    const s = atSeconds(10);
    const k = s.sim.kernel;
    const c = s.classify();
    const slot = [...c.reason.subarray(0, c.n)].findIndex((r, i) => r !== 0 && k.tasks.commOf(i).startsWith('kworker'));
    const ps = patchStateOf(k, slot, explainBlocker(k, c, slot));
    expect(ps?.comm).toBe('kworker/0:0');
    expect(ps?.node).toMatchObject({ path: `/proc/${k.tasks.pid[slot]}/patch_state`, value: '0', differs: true });
    expect(ps?.node.truth).toContain('TIF_PATCH_PENDING set: not switched yet. In uninterruptible sleep with busymod_work_func');
  });
});
