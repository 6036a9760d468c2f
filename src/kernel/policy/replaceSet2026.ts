// replace-set-2026: Yafang Shao's "livepatch: Support scoped atomic replace using
// replace_set" (v2 May 2026, v3 June 2026, "[PATCH v3 3/7]"), after Song Liu's "replace tag"
// idea and Petr Mladek's review (lore.kernel.org/live-patching; copies read at
// https://www.mail-archive.com/live-patching@vger.kernel.org/msg00511.html and
// https://lkml.iu.edu/2604.0/10971.html). A proposal, pending, not merged.
//
// Rules modelled:
// - `replace` becomes `unsigned int replace_set`, default 0 (Petr's request); every patch
//   atomically replaces the enabled patches of its own set, so one patch per set is active;
//   the non-replace mode is gone.
// - "We should refuse loading a livepatch which would patch a function already patched by
//   another livepatch with another replace_set" (Petr, May 2026), and two sets may not use
//   the same klp_state id.
// - sysfs shows `replace_set` instead of `replace`.
// The series' own refusal text and errno were not in any copy we could read: the messages
// below are STAND-INS, marked as such in the log line itself, naming both patches and the
// function (or state id); the core returns -EINVAL, what klp_is_patch_compatible()'s refusal returns.

import type { KlpPatch } from '../klp';
import type { KernelPolicy } from './types';

const STAND_IN = '[stand-in text: replace_set series v3]';

/** The first function of `patch` that a listed patch of another set already patches. */
function functionConflict(patch: KlpPatch, listed: readonly KlpPatch[]): { old: KlpPatch; object: string; func: string } | null {
  for (const old of listed) {
    if (old.replaceSet === patch.replaceSet) continue;
    for (const obj of patch.objs) {
      const oldObj = old.objs.find((o) => o.name === obj.name);
      if (!oldObj) continue;
      for (const f of obj.funcs) {
        if (f.nop) continue;
        const hit = oldObj.funcs.find((g) => !g.nop && g.oldName === f.oldName && (g.oldSympos || 1) === (f.oldSympos || 1));
        if (hit) return { old, object: obj.displayName, func: f.oldName };
      }
    }
  }
  return null;
}

function stateConflict(patch: KlpPatch, listed: readonly KlpPatch[]): { old: KlpPatch; id: number } | null {
  for (const old of listed) {
    if (old.replaceSet === patch.replaceSet) continue;
    for (const s of patch.states) if (old.states.some((o) => o.id === s.id)) return { old, id: s.id };
  }
  return null;
}

export const REPLACE_SET_2026: KernelPolicy = {
  name: 'replace-set-2026',
  title: 'replace sets (2026 series, v2/v3): scoped atomic replace, one active patch per set',
  proposal: true,
  sources: [
    'livepatch: Support scoped atomic replace using replace_set (v2 May 2026, v3 June 2026)',
    'Song Liu, "replace tag" idea, and Petr Mladek\'s review (Apr-Jun 2026)',
  ],
  changes: [
    { where: 'struct klp_patch', what: '"replace" becomes the integer "replaceSet" (default 0); the non-replace mode is gone' },
    { where: 'klp_add_nops()', what: 'a new patch adds nops only for the patches of its own replace set' },
    { where: 'klp_unpatch_replaced_patches(), klp_free_replaced_patches_async()', what: 'only the patches of the same set are replaced and freed' },
    { where: 'klp_is_patch_compatible()', what: 'states are compared only with the patches of the same set' },
    { where: 'klp_enable_patch()', what: 'refuses a patch that changes a function a patch of another set changes (stand-in text, -EINVAL)' },
    { where: 'klp_enable_patch()', what: 'refuses a patch that uses a klp_state id a patch of another set uses (stand-in text, -EINVAL)' },
    { where: '/sys/kernel/livepatch/<patch>/replace_set', what: 'replaces the "replace" attribute' },
  ],
  replaceFlag: () => true,
  replaces: (patch, old) => old.replaceSet === patch.replaceSet,
  comparesStates: (patch, old) => old.replaceSet === patch.replaceSet,
  enableRefusal(patch, listed) {
    const f = functionConflict(patch, listed);
    if (f) return `${STAND_IN} patch '${patch.name}' (replace_set ${patch.replaceSet}) patches function '${f.func}' of '${f.object}', already patched by '${f.old.name}' (replace_set ${f.old.replaceSet})`;
    const s = stateConflict(patch, listed);
    if (s) return `${STAND_IN} patch '${patch.name}' (replace_set ${patch.replaceSet}) uses state id ${s.id}, already used by '${s.old.name}' (replace_set ${s.old.replaceSet})`;
    return null;
  },
  patchAttrs: (_k, patch) => [{ name: 'replace_set', show: () => `${patch.replaceSet}\n` }],
};
