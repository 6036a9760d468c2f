// Upstream (mainline as of v6.19): the model every conformance case checks. Nothing differs.

import type { KernelPolicy } from './types';

export const UPSTREAM: KernelPolicy = {
  name: 'upstream',
  title: 'upstream (mainline kernel/livepatch)',
  proposal: false,
  sources: ['kernel/livepatch/core.c, transition.c, patch.c (mainline)', 'Documentation/livepatch/cumulative-patches.rst'],
  changes: [],
  replaceFlag: (defReplace) => defReplace,
  // klp_add_nops(), klp_unpatch_replaced_patches(), klp_free_replaced_patches_async():
  // every older patch on klp_patches.
  replaces: () => true,
  comparesStates: () => true,
  enableRefusal: () => null,
  // /sys/kernel/livepatch/<patch>/replace (v6.11+).
  patchAttrs: (k, patch) => (k.features.replaceAttr ? [{ name: 'replace', show: () => `${patch.replace ? 1 : 0}\n` }] : []),
};
