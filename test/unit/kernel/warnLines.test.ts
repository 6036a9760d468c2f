// Line numbers of the WARN sites (issue 12 point 3): each comes from the kernel source of the
// profile (src/kernel/regs.ts WARN_LINES). kernel/livepatch/state.c in v6.12:
// klp_get_prev_state() has `if (WARN_ON_ONCE(!klp_transition_patch))` at line 69.

import { describe, expect, it } from 'vitest';
import { Simulation } from '../../../src/engine/simulation';
import { warnLine } from '../../../src/kernel/regs';
import { klpGetPrevState } from '../../../src/kernel/state';

describe('WARN line table (regs.ts warnLine)', () => {
  it('v6.12: klp_get_prev_state() outside a transition warns at state.c:69', () => {
    const sim = new Simulation({ version: '6.12' });
    const before = sim.log.length;
    expect(klpGetPrevState(sim.kernel, 1)).toBeNull();
    const warning = sim.log.slice(before).map((l) => l.text).find((t) => t.startsWith('WARNING: '));
    expect(warning).toMatch(/^WARNING: CPU: \d PID: \d+ at kernel\/livepatch\/state\.c:69 klp_get_prev_state\+0x[0-9a-f]+\/0x[0-9a-f]+$/);
  });

  it('the table answers only for the versions it was counted in', () => {
    expect(warnLine(612, 'kernel/livepatch/state.c', 'klp_get_prev_state', '!klp_transition_patch')).toBe(69);
    expect(warnLine(601, 'kernel/livepatch/state.c', 'klp_get_prev_state', '!klp_transition_patch')).toBeUndefined();
    for (const n of [601, 612, 616]) expect(warnLine(n, 'kernel/livepatch/patch.c', 'klp_ftrace_handler', 'patch_state == KLP_TRANSITION_IDLE')).toBe(98);
  });
});

describe('v6.12 transition.c sites (counted in the v6.12 source)', () => {
  it('klp_start_transition() with no transition set up warns at transition.c:535, klp_try_complete_transition() at :458', async () => {
    const { klpStartTransition, klpTryCompleteTransition } = await import('../../../src/kernel/transition');
    const sim = new Simulation({ version: '6.12' });
    const before = sim.log.length;
    klpStartTransition(sim.kernel);
    klpTryCompleteTransition(sim.kernel);
    const warnings = sim.log.slice(before).map((l) => l.text).filter((t) => t.startsWith('WARNING: '));
    expect(warnings.map((w) => / at (\S+) /.exec(w)?.[1])).toEqual(['kernel/livepatch/transition.c:535', 'kernel/livepatch/transition.c:458']);
    expect(warnLine(612, 'kernel/livepatch/transition.c', 'klp_init_transition', 'task->patch_state != KLP_TRANSITION_IDLE')).toBe(600);
    expect(warnLine(612, 'kernel/livepatch/transition.c', 'klp_cancel_transition', 'klp_target_state != KLP_TRANSITION_PATCHED')).toBe(167);
  });
});

describe('v6.12 patch.c sites (counted in the v6.12 source)', () => {
  it('klp_patch_func and klp_unpatch_func WARN_ONs', () => {
    expect(warnLine(612, 'kernel/livepatch/patch.c', 'klp_unpatch_func', '!func->patched')).toBe(131);
    expect(warnLine(612, 'kernel/livepatch/patch.c', 'klp_unpatch_func', '!ops')).toBe(137);
    expect(warnLine(612, 'kernel/livepatch/patch.c', 'klp_patch_func', '!func->old_func')).toBe(165);
    expect(warnLine(612, 'kernel/livepatch/patch.c', 'klp_patch_func', 'func->patched')).toBe(168);
  });
});
