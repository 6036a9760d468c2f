// step_task and wait_attempt (src/scenario/commands/stepping.ts): what they refuse, in words.
import { describe, expect, it } from 'vitest';
import { HELD_FORCED, scenarioOf } from '../../search/fixtures';
import { bootScenario } from '../../../support/helpers';

function run(script: string[]) {
  const { run } = bootScenario(scenarioOf(HELD_FORCED, (s) => (s.script = script)));
  return run().outcomes.map((o) => ({ text: o.line.text, status: o.result.status, err: o.result.err.join('; ') }));
}

describe('step_task and wait_attempt', () => {
  it('step_task refuses an unknown or non-sleeping task; wait_attempt refuses when no transition is in progress', () => {
    const out = run(['step_task nosuch', 'wait_attempt', 'load_mod wmod', 'step_task worker/0']);
    expect(out[0]).toEqual({ text: 'step_task nosuch', status: 1, err: "step_task: no task is named 'nosuch'" });
    expect(out[1]).toEqual({ text: 'wait_attempt', status: 1, err: 'wait_attempt: no transition in progress' });
    expect(out[3].status).toBe(0);
  });

  it('wait_attempt returns after exactly one attempt of the transition in progress', () => {
    const { sim, run } = bootScenario(scenarioOf(HELD_FORCED, (s) => (s.script = ['load_mod wmod', 'step_task worker/0', 'load_lp_nowait lp_work', 'wait_attempt', 'wait_attempt'])));
    run();
    expect(sim.klpEvents.filter((e) => e.event.type === 'klp.attempt')).toHaveLength(3);
  });
});
