// The kernel policies by name, and the one a machine runs (KernelConfig.policy).

import type { Kernel } from '../kernel';
import { HYBRID_RFC_2025 } from './hybridRfc2025';
import { REPLACE_SET_2026 } from './replaceSet2026';
import type { KernelPolicy, PolicyName } from './types';
import { UPSTREAM } from './upstream';

export const POLICIES: ReadonlyMap<PolicyName, KernelPolicy> = new Map<PolicyName, KernelPolicy>([
  ['upstream', UPSTREAM],
  ['hybrid-rfc-2025', HYBRID_RFC_2025],
  ['replace-set-2026', REPLACE_SET_2026],
]);

export function policyByName(name: PolicyName): KernelPolicy {
  return POLICIES.get(name) ?? UPSTREAM;
}

/** The policy machine `k` runs. */
export function policyOf(k: Kernel): KernelPolicy {
  return policyByName(k.config.policy);
}
