// Which scenario B Compare mode runs beside A: the same scenario under another policy (one
// click), a preset, or an opened file; always on A's seed, so the two runs differ only in
// what the scenarios say, not in the random choices of the workload.

import { toDocument, validateScenario, type Scenario, type ScenarioResult } from '../../scenario/document';
import { POLICIES } from '../../kernel/policy';
import type { PolicyName } from '../../kernel/policy/types';

/** The policies A does not run: the one-click choices for B. */
export function otherPolicies(a: Scenario): PolicyName[] {
  return [...POLICIES.keys()].filter((p) => p !== a.kernel.policy);
}

/**
 * A under `policy`, validated as a document would be: a scenario using one policy's module
 * fields (replaceable, replaceSet, replace) gets the validator's message instead.
 */
export function underPolicy(a: Scenario, policy: PolicyName): ScenarioResult {
  const doc = toDocument(a);
  const kernel = (doc.kernel ?? {}) as Record<string, unknown>;
  const r = validateScenario({ ...doc, kernel: { ...kernel, policy }, title: `${a.title} (policy ${policy})`.slice(0, 200) });
  return r.ok ? r : { ok: false, errors: r.errors };
}

/** B as Compare runs it: on A's seed. */
export function onSeedOf(a: Scenario, b: Scenario): Scenario {
  return b.seed === a.seed ? b : { ...b, seed: a.seed };
}
