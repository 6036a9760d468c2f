// The differential test of the search's compact model against the real kernel: every run the
// search finds, replayed as a normal scenario (replay.ts) through the kernel with the
// consistency analysis attached, as `sim --analysis` runs it, ends in the same violation.
import { describe, expect, it } from 'vitest';
import { attachConsistency } from '../../../src/analysis/attach';
import { parseScript } from '../../../src/scenario/script';
import type { Scenario } from '../../../src/scenario/document';
import { replayScenario } from '../../../src/search/replay';
import { searchScenario, type Goal } from '../../../src/search/search';
import { DEPENDENCY_SPLIT, HELD_FORCED, PETR_HYBRID, ROOT, scenarioOf } from './fixtures';
import { join } from 'node:path';
import { bootScenario } from '../../support/helpers';

function replay(scenario: Scenario, goal: Goal) {
  const r = searchScenario(scenario, { goal });
  if (!r.found) throw new Error(`nothing found (${r.states} states)`);
  const rs = replayScenario(scenario, r.found);
  expect(parseScript(rs.script).ok).toBe(true);
  const { sim, run } = bootScenario(rs);
  const analysis = attachConsistency(sim, rs.dependencies).analysis;
  const out = run();
  return { found: r.found, sim, analysis, out };
}

describe('a found run replays on the real kernel with the same outcome', () => {
  it("Petr's counter-example: the replay's analysis has the never-shipped universe {funcB=lp3}", () => {
    const { analysis, out } = replay(scenarioOf(PETR_HYBRID), 'default');
    expect(out.outcomes.filter((l) => l.result.status !== 0)).toEqual([]);
    const never = analysis.universes.filter((u) => !u.shipped);
    expect(never.map((u) => u.key)).toEqual(['funcB=lp3']);
  });

  it("Petr's mass switch: the found run, continued to lp3's completion by stepping every task out of the patched functions, shows it in the analysis", () => {
    const scenario = scenarioOf(PETR_HYBRID);
    const r = searchScenario(scenario, { goal: 'default' });
    const rs = replayScenario(scenario, r.found!);
    rs.script.push('step_task funcad/0', 'step_task funcad/1', 'step_task funcbd/0', 'step_task funcbd/1', 'wait_attempt');
    const { sim, run } = bootScenario(rs);
    const analysis = attachConsistency(sim).analysis;
    run();
    expect(analysis.violations.map((v) => v.kind)).toContain('mass-switch');
  });

  it('a dependency split over two patches: the replay reports the dependency violation', () => {
    const { analysis } = replay(scenarioOf(DEPENDENCY_SPLIT), 'default');
    expect(analysis.violations.map((v) => v.kind)).toContain('dependency');
  });

  it('stuck: at the end of the replay the transition is still in progress, the kthread in the old function', () => {
    const { sim, found } = replay(scenarioOf(HELD_FORCED), 'stuck');
    expect(found.kind).toBe('stuck');
    expect(sim.kernel.klpTransitionPatch?.name).toBe('lp_work');
  });

  it('rmmod-refused: the replay ends with rmmod refused, the module in use', () => {
    const { out } = replay(scenarioOf(HELD_FORCED), 'rmmod-refused');
    expect(out.died?.line.text).toBe('unload_mod lp_work');
    // functions.sh's unload_mod dies with the refcount the forced transition left held.
    expect(out.died?.reason).toMatch(/failed to unload module lp_work \(refcnt\)/);
  });

  it('mass-switch: a target module loaded after its livepatch (klp_module_coming()) switches every task at once; the replay\'s analysis says so', () => {
    const { found, analysis } = replay(scenarioOf(join(ROOT, 'public/scenarios/stuck-kthread-force.json')), 'default');
    expect(found.kind).toBe('mass-switch');
    expect(found.lines.at(-1)).toBe('insmod stuckmod.ko');
    expect(analysis.violations.map((v) => v.kind)).toContain('mass-switch');
  });

  it('under replace-set-2026 too: the rmmod refused after a forced unpatching replays as refused', () => {
    const { out, found } = replay(scenarioOf(HELD_FORCED, (s) => (s.kernel.policy = 'replace-set-2026')), 'rmmod-refused');
    expect(found.kind).toBe('rmmod-refused');
    expect(out.died?.reason).toMatch(/failed to unload module lp_work \(refcnt\)/);
  });
});
