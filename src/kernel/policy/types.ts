// The one seam between the livepatch core and a kernel policy: upstream, or a proposal that
// was posted to the live-patching list but never merged. Each policy is one module that
// implements this interface and lists, in words, every way it differs from upstream; the core
// asks it at the few places where the proposals change kernel/livepatch/core.c.

import type { Kernel } from '../kernel';
import type { KlpPatch } from '../klp';

export const POLICY_NAMES = ['upstream', 'hybrid-rfc-2025', 'replace-set-2026'] as const;
export type PolicyName = (typeof POLICY_NAMES)[number];

/** One difference from upstream: the kernel function it changes and what changes. */
export interface PolicyChange {
  where: string;
  what: string;
}

/** A sysfs attribute of /sys/kernel/livepatch/<patch> that the policy decides on. */
interface PolicyAttr {
  name: string;
  show(): string;
  /** Absent: read-only (0444). */
  store?(buf: string): number;
}

export interface KernelPolicy {
  readonly name: PolicyName;
  /** One line for the header and exports. */
  readonly title: string;
  /** True for a proposal that is not in any released kernel ("proposal, not merged"). */
  readonly proposal: boolean;
  /** Where the rules come from (list threads, the posted patches). */
  readonly sources: readonly string[];
  /** Every way this policy differs from upstream (empty for upstream). */
  readonly changes: readonly PolicyChange[];
  /** The klp_patch.replace value a module's static description yields. */
  replaceFlag(defReplace: boolean): boolean;
  /**
   * Whether the replace patch `patch` replaces the older patch `old`: klp_add_nops() adds
   * nops for it, klp_unpatch_replaced_patches() and klp_free_replaced_patches_async() take it.
   */
  replaces(patch: KlpPatch, old: KlpPatch): boolean;
  /** Whether klp_is_patch_compatible() compares `patch`'s states with those of `old`. */
  comparesStates(patch: KlpPatch, old: KlpPatch): boolean;
  /**
   * The check klp_enable_patch() makes after klp_is_patch_compatible(), against the patches
   * on klp_patches (`listed`): null, or the refusal's log text (the core prints it and
   * returns -EINVAL). Pure: the state-space search (src/search/) asks it too.
   */
  enableRefusal(patch: KlpPatch, listed: readonly KlpPatch[]): string | null;
  /** The attributes of the patch's sysfs directory besides enabled, force, stack_order, transition. */
  patchAttrs(k: Kernel, patch: KlpPatch): PolicyAttr[];
}
