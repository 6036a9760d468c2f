// A debate chapter's measured answer: the step's scenario run to the end under every policy,
// with the consistency analysis the Consistency view shows (src/analysis), counted. Each run
// is an engine host's, headless (src/engine/host.ts runToEnd), as the CLI's.

import { analyseSimulation } from '../../analysis/registry';
import { analysisJson, commandAtOf } from '../../analysis/report';
import { POLICY_NAMES, type PolicyName } from '../../kernel/policy/types';
import { sessionSourceOf } from '../../scenario/build';
import { EngineHost } from '../../engine/host';
import type { Scenario } from '../../scenario/document';

export interface PolicyMeasure {
  policy: PolicyName;
  /** Universes the tasks ran, and how many of them were never shipped. */
  universes: number;
  neverShipped: number;
  massSwitches: number;
  dependencyViolations: number;
  /** Transitions the script needed (started patching or unpatching transitions). */
  transitions: number;
  /** Most tasks in a never-shipped universe at once. */
  tasksAffected: number;
  /** Script lines that failed under this policy (a refused load, for example), the line a helper died at included. */
  failedLines: number;
  /** Why the script stopped early under this policy (a selftest helper's `die` at a line, the run budget), or null when it ran to its end. */
  stopped: string | null;
}

/** Run `s` under each policy to the end of its script (and its last transition). */
export function measurePolicies(s: Scenario): PolicyMeasure[] {
  return POLICY_NAMES.map((policy) => {
    const scenario: Scenario = { ...s, kernel: { ...s.kernel, policy } };
    // The source attaches the analysis to the machine it boots; analyseSimulation returns it.
    const host = new EngineHost(sessionSourceOf(scenario), { record: false });
    const sim = host.session.sim;
    const a = analyseSimulation(sim, scenario.dependencies);
    const out = host.runToEnd();
    host.close();
    const j = analysisJson(a, policy, commandAtOf(out.outcomes));
    const never = j.universes.filter((u) => !u.shipped);
    return {
      policy,
      universes: j.universes.length,
      neverShipped: never.length,
      massSwitches: j.violations.filter((v) => v.kind === 'mass-switch').length,
      dependencyViolations: j.violations.filter((v) => v.kind === 'dependency').length,
      transitions: sim.log.filter((r) => /: starting (un)?patching transition$/.test(r.text)).length,
      tasksAffected: never.reduce((m, u) => Math.max(m, u.tasks), 0),
      failedLines: out.outcomes.filter((o) => o.result.status !== 0).length + (out.died ? 1 : 0),
      stopped: out.died ? `line ${out.died.line.line} (${out.died.line.text}): ${out.died.reason}` : (out.budget?.message ?? null),
    };
  });
}
