// Modules from the field reports (docs/debate.md §5 C3-C5, docs/kernel-model.md §14): the operator's two
// cumulative livepatches alternated in the stress loop, the in-tree modules whose functions
// they patch, and a small kthread module with two patches of its loop for the stuck-kthread
// and forced-transition hazards. Same ModuleDef interface as the selftest catalog.

import type { ModuleDef, PatchDef } from '../../kernel/module';

/** The functions the 6.1 cumulative patches change, by object (docs/debate.md §5 C3). */
const RELEASE12_FUNCS: Record<string, string[]> = {
  vmlinux: ['blk_throtl_cancel_bios', '__d_move', 'do_iter_readv_writev', 'update_rq_clock', 'blk_mq_handle_expired', 'd_delete', 'do_exit', 'high_work_func', 'try_charge_memcg'],
  xfs: ['xfs_extent_busy_flush', 'xfs_iget', 'xfs_inode_mark_reclaimable'],
  fuse: ['fuse_send_init', 'process_init_reply'],
  nf_tables: ['nft_data_init'],
};

/** release6 predates the update_rq_clock fix (the WARN of C5 ran release12's update_rq_clock). */
const RELEASE6_FUNCS: Record<string, string[]> = {
  ...RELEASE12_FUNCS,
  vmlinux: RELEASE12_FUNCS.vmlinux.filter((f) => f !== 'update_rq_clock'),
};

/**
 * A kpatch-style cumulative livepatch: replace mode, each replacement function named like
 * the function it replaces, one object per patched binary.
 */
function cumulativePatch(name: string, funcs: Record<string, string[]>): ModuleDef {
  const patch: PatchDef = {
    replace: true,
    objs: Object.entries(funcs).map(([obj, names]) => ({
      name: obj === 'vmlinux' ? null : obj,
      funcs: names.map((f) => ({ oldName: f, newFunc: f })),
    })),
  };
  return {
    name,
    livepatch: true,
    description: `Cumulative livepatch ${name} (${Object.values(funcs).flat().length} functions)`,
    symbols: Object.values(funcs).flat().map((f, i) => ({ name: f, size: 0x60 + ((i * 0x2c) % 0x1a0) })),
    init: (m) => m.klpEnablePatch(patch),
  };
}

/** An in-tree module that only provides functions for the patches to find. */
function targetModule(name: string, description: string): ModuleDef {
  return {
    name,
    description,
    symbols: RELEASE12_FUNCS[name].map((f) => ({ name: f })),
  };
}

/** A module whose kthread loops in kthread_target_loop() (the workload runs the kthread). */
const kthreadTarget: ModuleDef = {
  name: 'kthread_target',
  description: 'A module with a kthread main loop (kthread_target_loop) and its wait helper',
  symbols: [{ name: 'kthread_target_loop', size: 0x120 }, { name: 'kthread_target_wait', size: 0x80 }],
};

/** A non-replace livepatch of the kthread's loop function. */
function loopPatch(name: string): ModuleDef {
  return {
    name,
    livepatch: true,
    description: `Livepatch of kthread_target_loop (${name})`,
    symbols: [{ name: 'kthread_target_loop', size: 0x130 }],
    init: (m) => m.klpEnablePatch({ objs: [{ name: 'kthread_target', funcs: [{ oldName: 'kthread_target_loop', newFunc: 'kthread_target_loop' }] }] }),
  };
}

export const FIELD_MODULES: readonly ModuleDef[] = [
  cumulativePatch('livepatch_61_release6', RELEASE6_FUNCS),
  cumulativePatch('livepatch_61_release12', RELEASE12_FUNCS),
  targetModule('xfs', 'SGI XFS with ACLs, security attributes, realtime, scrub, repair, quota, no debug enabled'),
  targetModule('fuse', 'Filesystem in Userspace'),
  targetModule('nf_tables', 'Framework for packet filtering and classification'),
  kthreadTarget,
  loopPatch('livepatch_kthread_loop'),
  loopPatch('livepatch_kthread_loop2'),
];
