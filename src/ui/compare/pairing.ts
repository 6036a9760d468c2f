// Which scenario B Compare mode runs beside A: the same scenario under another policy (one
// click), a preset, or an opened file; always on A's seed, so the two runs differ only in
// what the scenarios say, not in the random choices of the workload.

import { toDocument, validateScenario, type Scenario, type ScenarioResult } from '../../scenario/document';
import { POLICIES } from '../../kernel/policy';
import type { PolicyName } from '../../kernel/policy/types';
import { withoutForeignFields } from '../../scenario/policySpec';

/** The policies A does not run: the one-click choices for B. */
export function otherPolicies(a: Scenario): PolicyName[] {
  return [...POLICIES.keys()].filter((p) => p !== a.kernel.policy);
}

/**
 * A under `policy`, validated as a document would be: a scenario using one policy's module
 * fields (replaceable, replaceSet, replace) gets the validator's message instead, unless
 * `dropForeign`: then those fields are left out (the title says which), as the chapters'
 * measured answer runs a script under every policy.
 */
export function underPolicy(a: Scenario, policy: PolicyName, dropForeign = false): ScenarioResult {
  const doc = toDocument(a);
  const kernel = (doc.kernel ?? {}) as Record<string, unknown>;
  const modules = dropForeign && Array.isArray(doc.modules) ? withoutForeignFields(doc.modules, policy) : null;
  const title = `${a.title} (policy ${policy}${modules?.dropped.length ? `, without ${modules.dropped.join(', ')}` : ''})`.slice(0, 200);
  const r = validateScenario({ ...doc, ...(modules ? { modules: modules.modules } : {}), kernel: { ...kernel, policy }, title });
  return r.ok ? r : { ok: false, errors: r.errors };
}

/** B as Compare runs it: on A's seed. */
export function onSeedOf(a: Scenario, b: Scenario): Scenario {
  return b.seed === a.seed ? b : { ...b, seed: a.seed };
}
