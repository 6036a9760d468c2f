// The checks of the debate's shipped scenarios (issue 8, docs/debate.md §4 scenarios 1-6): each
// runs with the consistency analysis attached, as `sim --analysis` does, and must end with
// exactly the universes and violations its description promises.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'vitest';
import { attachConsistency } from '../../src/analysis/attach';
import { analysisJson, commandAtOf, type AnalysisJson } from '../../src/analysis/report';
import type { Simulation } from '../../src/engine/simulation';
import { parseScenarioText } from '../../src/scenario/document';
import { bootScenario } from '../support/helpers';

const DIR = join(__dirname, '..', '..', 'public', 'scenarios');

export interface Analysed {
  sim: Simulation;
  json: AnalysisJson;
  texts: string[];
  failed: string[];
}

export function analyse(file: string, dir = DIR): Analysed {
  const r = parseScenarioText(readFileSync(join(dir, file), 'utf8'));
  if (!r.ok) throw new Error(`${file}: ${r.errors.join('; ')}`);
  const { sim, run } = bootScenario(r.scenario);
  const { analysis } = attachConsistency(sim, r.scenario.dependencies);
  const out = run();
  expect(out.died).toBeUndefined();
  return {
    sim,
    json: analysisJson(analysis, r.scenario.kernel.policy, commandAtOf(out.outcomes)),
    texts: sim.log.map((l) => l.text),
    failed: out.outcomes.filter((o) => o.result.status !== 0).map((o) => o.line.text),
  };
}

/** Each universe as "f=impl ..." with its shipped flag. */
export function universesOf(j: AnalysisJson): [string, boolean][] {
  return j.universes.map((u) => [j.functions.map((f) => `${f}=${u.impl[f]}`).join(' '), u.shipped]);
}

export const kindsOf = (j: AnalysisJson) => j.violations.map((v) => v.kind);

const enabled = (a: Analysed) => a.sim.kernel.klpPatches.filter((p) => p.enabled).map((p) => p.name);

export const DEBATE_CHECKS: Record<string, () => void> = {
  'petr-upstream.json': () => {
    const a = analyse('petr-upstream.json');
    expect(a.json.policy).toBe('upstream');
    expect(universesOf(a.json)).toEqual([
      ['funcA=original funcB=original', true],
      ['funcA=lp1 funcB=original', true],
      ['funcA=lp2 funcB=original', true],
      ['funcA=original funcB=lp3', true],
    ]);
    expect(a.json.violations).toEqual([]);
    expect(enabled(a)).toEqual(['lp3']);
  },
  'petr-hybrid.json': () => {
    const a = analyse('petr-hybrid.json');
    expect(a.json.policy).toBe('hybrid-rfc-2025');
    expect(universesOf(a.json)).toEqual([
      ['funcA=original funcB=original', true],
      ['funcA=lp1 funcB=original', true],
      ['funcA=lp2 funcB=original', true],
      ['funcA=original funcB=lp3', false],
      ['funcA=lp1 funcB=lp3', true],
    ]);
    expect(kindsOf(a.json)).toEqual(['never-shipped', 'mass-switch']);
    const [never, mass] = a.json.violations;
    expect(never).toMatchObject({ functions: ['funcA', 'funcB'], patches: ['lp3'], command: 'load_lp lp3' });
    expect(mass).toMatchObject({ functions: ['funcA'], patches: ['lp1'], command: 'load_lp lp3' });
    expect(mass.detail).toMatch(/^\d+ tasks switched together at klp_complete_transition\(\) of 'lp3' .*: funcA: original -> lp1$/);
    // The mass switch is at the completion of lp3's transition.
    const complete = a.sim.klpEvents.find((e) => e.event.type === 'klp.complete' && e.event.patch === 'lp3');
    expect(mass.time).toBe(complete!.time / 1e6);
    expect(enabled(a)).toEqual(['lp1', 'lp3']);
  },
  'petr-replace-set.json': () => {
    const a = analyse('petr-replace-set.json');
    expect(a.texts).toContain("livepatch: [stand-in text: replace_set series v3] patch 'lp2' (replace_set 0) patches function 'funcA' of 'demo', already patched by 'lp1' (replace_set 1)");
    expect(a.texts).toContain('insmod: ERROR: could not insert module test_modules/lp2.ko: Invalid parameters');
    expect(universesOf(a.json)).toEqual([
      ['funcA=original funcB=original', true],
      ['funcA=lp1 funcB=original', true],
      ['funcA=lp1 funcB=lp3', true],
    ]);
    expect(a.json.violations).toEqual([]);
    expect(enabled(a)).toEqual(['lp1', 'lp3']);
  },
  'atomic-replace-v1-v2.json': () => {
    const a = analyse('atomic-replace-v1-v2.json');
    expect(universesOf(a.json)).toEqual([
      ['funcA=original funcB=original funcC=original', true],
      ['funcA=v1 funcB=v1 funcC=original', true],
      ['funcA=v2 funcB=original funcC=v2', true],
    ]);
    expect(a.json.violations).toEqual([]);
    expect(a.failed).toEqual([]);
    expect(a.sim.kernel.modules.has('v1')).toBe(false);
  },
  'parallel-stack-order.json': () => {
    const a = analyse('parallel-stack-order.json');
    // stack_order of team_fix, team_perf, then team_perf again after team_other is gone.
    const orders = a.texts.filter((t) => /^\d+$/.test(t));
    expect(orders).toEqual(['1', '3', '2']);
    expect(universesOf(a.json)).toEqual([
      ['funcA=original funcB=original', true],
      ['funcA=team_fix funcB=original', true],
      ['funcA=team_fix funcB=team_other', true],
      ['funcA=team_perf funcB=team_other', true],
      ['funcA=team_perf funcB=original', true],
      ['funcA=team_fix funcB=original', true],
    ].filter((u, i, all) => all.findIndex((x) => x[0] === u[0]) === i));
    expect(a.json.violations).toEqual([]);
    expect(enabled(a)).toEqual(['team_fix']);
  },
  'yafang-fix1-5.json': () => {
    const a = analyse('yafang-fix1-5.json');
    expect(a.json.policy).toBe('hybrid-rfc-2025');
    expect(universesOf(a.json).map(([u, s]) => [u, s])).toEqual([
      ['funcA=original funcC=original funcB=original funcD=original', true],
      ['funcA=fix1 funcC=original funcB=original funcD=original', true],
      ['funcA=fix1 funcC=fix2 funcB=original funcD=original', true],
      ['funcA=fix3 funcC=fix2 funcB=fix3 funcD=original', true],
      ['funcA=fix3 funcC=fix2 funcB=fix3 funcD=fix4', true],
      ['funcA=fix5 funcC=fix2 funcB=fix5 funcD=fix4', true],
    ]);
    expect(a.json.violations).toEqual([]);
    expect(enabled(a)).toEqual(['fix2', 'fix4', 'fix5']);
  },
  'petr-variant-b.json': () => {
    const a = analyse('petr-variant-b.json');
    expect(universesOf(a.json)).toEqual([
      ['funcA=original funcB=original funcC=original', true],
      ['funcA=fix1 funcB=fix1 funcC=original', true],
      ['funcA=fix3 funcB=fix1 funcC=fix3', true],
    ]);
    expect(kindsOf(a.json)).toEqual(['dependency']);
    expect(a.json.violations[0]).toMatchObject({ functions: ['funcA', 'funcB'], patches: ['fix3', 'fix2'], command: 'load_lp fix3', detail: 'dependency "fix3 tested with fix2\'s funcB": runs funcA=fix3 but funcB=fix1 (needs fix2)' });
  },
  'dependency-split.json': () => {
    const a = analyse('dependency-split.json');
    expect(kindsOf(a.json)).toEqual(['dependency']);
    expect(a.json.violations[0]).toMatchObject({ functions: ['funcA', 'funcB'], command: 'load_lp fixx_a' });
    expect(a.json.violations[0].tasks).toBeGreaterThan(200);
  },
  'dependency-cumulative.json': () => {
    const a = analyse('dependency-cumulative.json');
    expect(universesOf(a.json)).toEqual([
      ['funcA=original funcB=original', true],
      ['funcA=fixx funcB=fixx', true],
    ]);
    expect(a.json.violations).toEqual([]);
  },
  'replace-sets-offband.json': () => {
    const a = analyse('replace-sets-offband.json');
    expect(a.texts).toContain("livepatch: [stand-in text: replace_set series v3] patch 'offband_funca' (replace_set 7) patches function 'funcA' of 'demo', already patched by 'main_v1' (replace_set 0)");
    expect(a.texts).toContain("livepatch: [stand-in text: replace_set series v3] patch 'offband_state' (replace_set 7) uses state id 1, already used by 'main_v1' (replace_set 0)");
    expect(universesOf(a.json)).toEqual([
      ['funcA=original funcB=original funcC=original', true],
      ['funcA=main_v1 funcB=main_v1 funcC=original', true],
      ['funcA=main_v1 funcB=main_v1 funcC=offband', true],
      ['funcA=main_v2 funcB=main_v2 funcC=offband', true],
    ]);
    expect(a.json.violations).toEqual([]);
    expect(enabled(a)).toEqual(['offband', 'main_v2']);
    expect(a.texts).toContain('7');
  },
};
