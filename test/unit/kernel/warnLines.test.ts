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
