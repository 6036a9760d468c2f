import { describe, expect, it } from 'vitest';
import { KLP_TRANSITION_IDLE, KLP_TRANSITION_PATCHED, KLP_TRANSITION_UNPATCHED } from '../../../../src/kernel/constants';
import { Session } from '../../../../src/engine/session';
import { Simulation } from '../../../../src/engine/simulation';
import { DEFAULT_SCENARIO_DOCUMENT as DEFAULT_SCENARIO } from '../../../../src/scenario/defaultScenario';
import { funcStacksModel, ORIGINAL, resolveEntry, runsLabel, taskStates } from '../../../../src/engine/select/funcStacksModel';

const real = { nop: false, transition: false };
const inTransition = { nop: false, transition: true };
const nopInTransition = { nop: true, transition: true };

function session(script: readonly string[]): Session {
  return new Session({ title: 't', build: () => new Simulation(), script });
}

/** Step events until `until` holds (or fail after many steps). */
function stepUntil(s: Session, until: () => boolean): void {
  for (let i = 0; i < 100_000; i++) {
    if (until()) return;
    if (!s.stepEvent()) break;
  }
  throw new Error('condition never held');
}

describe('resolveEntry: the ftrace handler’s choice', () => {
  it('runs the original when the stack is empty', () => {
    expect(resolveEntry([], KLP_TRANSITION_PATCHED)).toBe(ORIGINAL);
  });
  it('runs the top entry outside a transition, whatever lies below', () => {
    expect(resolveEntry([real, real], KLP_TRANSITION_IDLE)).toBe(0);
  });
  it('sends an unpatched task to the next entry when the top is in transition', () => {
    expect(resolveEntry([inTransition, real], KLP_TRANSITION_UNPATCHED)).toBe(1);
    expect(resolveEntry([inTransition, real], KLP_TRANSITION_PATCHED)).toBe(0);
  });
  it('sends an unpatched task to the original when the entry in transition is alone', () => {
    expect(resolveEntry([inTransition], KLP_TRANSITION_UNPATCHED)).toBe(ORIGINAL);
  });
  it('treats a nop as the original for a switched task and the entry below for an unswitched one', () => {
    expect(resolveEntry([nopInTransition, real], KLP_TRANSITION_PATCHED)).toBe(ORIGINAL);
    expect(resolveEntry([nopInTransition, real], KLP_TRANSITION_UNPATCHED)).toBe(1);
  });
  it('lets an IDLE task run the top entry even when it is in transition (after the WARN)', () => {
    expect(resolveEntry([inTransition, real], KLP_TRANSITION_IDLE)).toBe(0);
  });
});

describe('taskStates: who is unswitched depends on the direction', () => {
  it('patching: unswitched tasks are unpatched', () => {
    expect(taskStates(KLP_TRANSITION_PATCHED)).toEqual({ unswitched: KLP_TRANSITION_UNPATCHED, switched: KLP_TRANSITION_PATCHED });
  });
  it('unpatching: unswitched tasks are still patched', () => {
    expect(taskStates(KLP_TRANSITION_UNPATCHED)).toEqual({ unswitched: KLP_TRANSITION_PATCHED, switched: KLP_TRANSITION_UNPATCHED });
  });
});

describe('funcStacksModel over the simulated kernel', () => {
  it('shows the default scenario’s stalled patching: unswitched tasks run the original, switched ones the patch', () => {
    const s = session(DEFAULT_SCENARIO.script);
    s.advanceTo(s.start + 10_000_000);
    const m = funcStacksModel(s.sim.kernel);
    expect(m.phase).toBe('patching');
    expect(m.patch).toBe('test_klp_callbacks_demo');
    const pending = s.classify().counts.slice(1).reduce((a, b) => a + b, 0);
    expect(m.unswitchedTasks).toBe(pending);
    expect(m.switchedTasks).toBeGreaterThan(1);
    expect(m.rows).toHaveLength(1);
    const row = m.rows[0];
    expect(row.name).toBe('busymod_work_func');
    expect(row.entries.map((e) => [e.patch, e.nop, e.transition, e.stackOrder, e.newName])).toEqual([['test_klp_callbacks_demo', false, true, 1, 'patched_work_func']]);
    expect(row.unswitched).toBe(ORIGINAL);
    expect(row.switched).toBe(0);
    expect(runsLabel(row, row.unswitched)).toBe('the original busymod_work_func [test_klp_callbacks_busy]');
    expect(runsLabel(row, row.switched)).toBe('patched_work_func [test_klp_callbacks_demo]');
  });

  it('after the reversal completes and the patch is unloaded, no function has a stack', () => {
    const s = session(DEFAULT_SCENARIO.script);
    s.advanceTo(s.start + 60_000_000);
    const m = funcStacksModel(s.sim.kernel);
    expect(m.phase).toBe('idle');
    expect(m.rows).toEqual([]);
  });

  it('atomic replace: the nop sits on top in transition; unswitched tasks keep the old patch, switched ones the original', () => {
    const s = session(['load_mod test_klp_callbacks_busy', 'load_lp test_klp_callbacks_demo', 'load_lp_nowait test_klp_callbacks_demo2 replace=1', 'sleep 5']);
    stepUntil(s, () => s.sim.kernel.klpTransitionPatch?.name === 'test_klp_callbacks_demo2');
    const row = funcStacksModel(s.sim.kernel).rows.find((r) => r.name === 'busymod_work_func');
    if (!row) throw new Error('busymod_work_func has no stack');
    expect(row.entries.map((e) => [e.patch, e.nop, e.transition, e.stackOrder])).toEqual([
      ['test_klp_callbacks_demo2', true, true, 2],
      ['test_klp_callbacks_demo', false, false, 1],
    ]);
    expect(row.unswitched).toBe(1);
    expect(row.switched).toBe(ORIGINAL);
    stepUntil(s, () => s.sim.kernel.klpTransitionPatch === null);
    expect(funcStacksModel(s.sim.kernel).rows).toEqual([]);
  });
});
