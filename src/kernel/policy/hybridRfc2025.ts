// hybrid-rfc-2025: Yafang Shao's "livepatch: Add support for hybrid mode" (RFC, Jan 2025),
// reposted in April 2026 as "[RFC PATCH 3/4] livepatch: Add "replaceable" attribute to
// klp_patch" and "[RFC PATCH 4/4] livepatch: Implement livepatch hybrid mode"
// (lore.kernel.org/live-patching; copy read at https://lkml.iu.edu/2604.0/03092.html).
// A proposal, never merged.
//
// What the posted diffs do:
// - 3/4 adds `bool replaceable` to struct klp_patch (a module sets it; default: replaceable)
//   and a `replaceable` sysfs attribute, so "userspace can flip it" (docs/debate.md, scenario 4).
// - 4/4 (kernel/livepatch/core.c, 6 insertions) adds `if (!old_patch->replaceable) continue;`
//   in klp_add_nops() and in klp_free_replaced_patches_async(). The third 2-line hunk is
//   modelled as the same skip in klp_unpatch_replaced_patches(): without it the completed
//   transition would unpatch the non-replaceable patch it never added nops for, and Petr
//   Mladek's review of the RFC (list message 58bf64d2, docs/debate.md C8) describes the
//   non-replaceable lp1 staying live after lp3's transition completes.
// Nothing else changes: one klp_target_state, one task->patch_state, so one transition still
// moves every function of the transition patch in the same direction.

import { EINVAL } from '../errno';
import { kstrtobool } from '../module';
import type { KernelPolicy } from './types';
import { UPSTREAM } from './upstream';

export const HYBRID_RFC_2025: KernelPolicy = {
  name: 'hybrid-rfc-2025',
  title: 'hybrid mode RFC (Yafang Shao, 2025/2026): non-replaceable patches beside a cumulative one',
  proposal: true,
  sources: [
    '[RFC PATCH 0/2] livepatch: Add support for hybrid mode (Jan 2025) and the review thread (Petr Mladek, list message 58bf64d2)',
    '[RFC PATCH 3/4] livepatch: Add "replaceable" attribute to klp_patch (Apr 2026)',
    '[RFC PATCH 4/4] livepatch: Implement livepatch hybrid mode (Apr 2026)',
  ],
  changes: [
    { where: 'struct klp_patch', what: 'a livepatch module sets "replaceable" (default true); non-replaceable patches stay when a replace patch completes' },
    { where: 'klp_add_nops()', what: 'a replace patch adds no nops for the functions of non-replaceable patches' },
    { where: 'klp_unpatch_replaced_patches()', what: 'non-replaceable patches stay enabled and patched at the end of a replace transition' },
    { where: 'klp_free_replaced_patches_async()', what: 'non-replaceable patches are not freed: their modules keep their reference' },
    { where: '/sys/kernel/livepatch/<patch>/replaceable', what: 'new attribute, 0 or 1, writable' },
  ],
  replaceFlag: (defReplace) => defReplace,
  replaces: (_patch, old) => old.replaceable,
  comparesStates: () => true,
  enableRefusal: () => null,
  patchAttrs: (k, patch) => [
    ...UPSTREAM.patchAttrs(k, patch),
    {
      name: 'replaceable',
      show: () => `${patch.replaceable ? 1 : 0}\n`,
      store: (buf) => {
        const v = kstrtobool(buf);
        if (v === null) return -EINVAL;
        patch.replaceable = v;
        return 0;
      },
    },
  ],
};
