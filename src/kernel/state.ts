// kernel/livepatch/state.c: the system states (klp_state) a livepatch declares, and the
// compatibility check klp_enable_patch() makes with them.

import type { KlpPatch, KlpState } from './klp';
import type { Kernel } from './kernel';
import { policyOf } from './policy';

/** klp_get_state() */
export function klpGetState(patch: KlpPatch, id: number): KlpState | null {
  return patch.states.find((s) => s.id === id) ?? null;
}

/** klp_get_prev_state(): newest match among the patches older than the transition patch. */
export function klpGetPrevState(k: Kernel, id: number): KlpState | null {
  if (!k.klpTransitionPatch) {
    k.warn('kernel/livepatch/state.c', 'klp_get_prev_state', true, '!klp_transition_patch');
    return null;
  }
  let last: KlpState | null = null;
  for (const p of k.klpPatches) {
    if (p === k.klpTransitionPatch) break;
    const s = klpGetState(p, id);
    if (s) last = s;
  }
  return last;
}

/** klp_is_patch_compatible() (state.c). */
export function klpIsPatchCompatible(k: Kernel, patch: KlpPatch): boolean {
  const policy = policyOf(k);
  for (const old of k.klpPatches) {
    // A policy may scope the comparison (replace-set-2026: the patches of the same set).
    if (!policy.comparesStates(patch, old)) continue;
    for (const oldState of old.states) {
      const s = klpGetState(patch, oldState.id);
      if (!s) {
        if (patch.replace) return false;
        continue;
      }
      if (s.version < oldState.version) return false;
    }
  }
  return true;
}

