// kernel/livepatch/core.c: enabling, disabling, atomic-replace nops, freeing, the sysfs
// store handlers, and the module notifiers; plus state.c (klp_state).

import { KLP_TRANSITION_PATCHED, KLP_TRANSITION_UNPATCHED, KSYM_NAME_LEN, MODULE_NAME_LEN } from './constants';
import { EBUSY, EEXIST, EINVAL, ENODEV, ENOENT } from './errno';
import { KlpFunc, KlpObject, type KlpPatch } from './klp';
import { policyOf } from './policy';
import { klpIsPatchCompatible } from './state';
import type { Kernel } from './kernel';
import type { Module } from './module';
import { klpPatchObject, klpUnpatchObject, klpUnpatchObjects } from './patch';
import { KERN_ERR, KERN_NOTICE, KERN_WARNING } from './printk';
import {
  klpCancelTransition,
  klpInitTransition,
  klpStartTransition,
  klpTryCompleteTransition,
} from './transition';
import { kstrtobool } from './module';

// ------------------------------------------------------------------ callbacks (core.h)

/** klp_pre_patch_callback(): remembers whether post_unpatch may run. */
function klpPrePatchCallback(obj: KlpObject): number {
  const ret = obj.callbacks.prePatch ? obj.callbacks.prePatch(obj) : 0;
  obj.postUnpatchEnabled = ret === 0;
  return ret;
}

export function klpPostPatchCallback(obj: KlpObject): void {
  obj.callbacks.postPatch?.(obj);
}

function klpPreUnpatchCallback(obj: KlpObject): void {
  obj.callbacks.preUnpatch?.(obj);
}

/** klp_post_unpatch_callback(): only if pre_patch succeeded; then disarmed. */
export function klpPostUnpatchCallback(obj: KlpObject): void {
  if (obj.postUnpatchEnabled && obj.callbacks.postUnpatch) obj.callbacks.postUnpatch(obj);
  obj.postUnpatchEnabled = false;
}

// ------------------------------------------------------------------ init

/** The sysfs directory of every livepatch object (for duplicate-name checks). */
function kobjectAdd(k: Kernel, existing: readonly string[], name: string, where: string): number {
  if (existing.includes(name)) {
    // klp_init_patch() and klp_init_object()/klp_init_func() are inlined into klp_enable_patch().
    k.sysfsWarnDup(where, name, ['klp_enable_patch']);
    return -EEXIST;
  }
  return 0;
}

/** klp_find_object_module(): bind a module only after klp_module_coming() saw it. */
function klpFindObjectModule(k: Kernel, obj: KlpObject): void {
  if (!obj.isModule) return;
  const mod = k.findModule(obj.name as string);
  if (mod && mod.klpAlive) obj.mod = mod;
}

/** klp_init_object_loaded(): resolve each func's old and new addresses and sizes. */
function klpInitObjectLoaded(k: Kernel, obj: KlpObject): number {
  for (const func of obj.funcs) {
    const r = k.syms.findObjectSymbol(obj.name, func.oldName, func.oldSympos);
    if (!r.ok) {
      k.klpPr(KERN_ERR, r.message);
      return -r.errno;
    }
    func.oldFunc = r.sym;
    func.oldSize = r.sym.size;
    if (!func.oldSize) {
      k.klpPr(KERN_ERR, `kallsyms size lookup failed for '${func.oldName}'`);
      return -ENOENT;
    }
    if (func.nop) func.newFunc = func.oldFunc;
    func.newSize = func.newFunc ? func.newFunc.size : 0;
    if (!func.newSize) {
      k.klpPr(KERN_ERR, `kallsyms size lookup failed for '${func.oldName}' replacement`);
      return -ENOENT;
    }
  }
  return 0;
}

/** klp_free_object_loaded(): forget the module and its addresses (module going). */
function klpFreeObjectLoaded(obj: KlpObject): void {
  obj.mod = null;
  for (const func of obj.funcs) {
    func.oldFunc = null;
    if (func.nop) func.newFunc = null;
  }
}

/** klp_find_func(): same name and sympos (0 and 1 are the same since v6.19). */
function klpFindFunc(k: Kernel, obj: KlpObject, old: KlpFunc): KlpFunc | undefined {
  const pos = (p: number) => (k.features.sympos01 && p === 0 ? 1 : p);
  return obj.funcs.find((f) => f.oldName === old.oldName && pos(f.oldSympos) === pos(old.oldSympos));
}

/**
 * klp_add_nops(): a replace patch gets a nop for every function an active patch changes
 * that it does not change itself, so that completing the transition returns those functions
 * to the original code (added only in replace mode; see the v6.15 comment).
 */
function klpAddNops(k: Kernel, patch: KlpPatch): void {
  const policy = policyOf(k);
  for (const oldPatch of k.klpPatches) {
    // hybrid-rfc-2025 skips non-replaceable patches, replace-set-2026 other sets.
    if (!policy.replaces(patch, oldPatch)) continue;
    for (const oldObj of oldPatch.objs) {
      let obj = patch.objs.find((o) => o.name === oldObj.name);
      if (!obj) {
        obj = new KlpObject(patch, oldObj.name, {}, true);
        patch.objs.push(obj);
      }
      for (const oldFunc of oldObj.funcs) {
        if (klpFindFunc(k, obj, oldFunc)) continue;
        obj.funcs.push(new KlpFunc(obj, oldFunc.oldName, null, oldFunc.oldSympos, true, null));
      }
    }
  }
}

/** klp_init_func() */
function klpInitFunc(k: Kernel, obj: KlpObject, func: KlpFunc, seen: string[]): number {
  if (!func.oldName) return -EINVAL;
  if (!func.newFunc && !func.nop) return -EINVAL;
  if (func.oldName.length >= KSYM_NAME_LEN) return -EINVAL;
  func.patched = false;
  func.transition = false;
  const err = kobjectAdd(k, seen, func.sysfsName, `/kernel/livepatch/${obj.patch.name}/${obj.displayName}`);
  if (!err) seen.push(func.sysfsName);
  return err;
}

/** klp_init_object() */
function klpInitObject(k: Kernel, obj: KlpObject, seenObjs: string[]): number {
  if (obj.isModule && (obj.name as string).length >= MODULE_NAME_LEN) return -EINVAL;
  obj.patched = false;
  obj.mod = null;
  klpFindObjectModule(k, obj);
  let err = kobjectAdd(k, seenObjs, obj.displayName, `/kernel/livepatch/${obj.patch.name}`);
  if (err) return err;
  seenObjs.push(obj.displayName);
  const seen: string[] = [];
  for (const func of obj.funcs) {
    err = klpInitFunc(k, obj, func, seen);
    if (err) return err;
  }
  if (obj.loaded) return klpInitObjectLoaded(k, obj);
  return 0;
}

/** klp_init_patch(): sysfs dir, nops, objects; then append to klp_patches. */
function klpInitPatch(k: Kernel, patch: KlpPatch): number {
  if (k.klpPatches.some((p) => p.name === patch.name)) {
    return kobjectAdd(k, [patch.name], patch.name, '/kernel/livepatch');
  }
  patch.sysfs = true;
  if (patch.replace) klpAddNops(k, patch);
  const seenObjs: string[] = [];
  for (const obj of patch.objs) {
    const err = klpInitObject(k, obj, seenObjs);
    if (err) return err;
  }
  k.klpPatches.push(patch);
  patch.listed = true;
  return 0;
}

// ------------------------------------------------------------------ enable / disable

/**
 * klp_enable_patch(): called from a livepatch module's init. Returns 0 or -errno, which
 * becomes the module's init result (and so insmod's error).
 */
export function klpEnablePatch(k: Kernel, patch: KlpPatch): number {
  for (const obj of patch.objs) if (!obj.funcs) return -EINVAL;
  if (!patch.mod.livepatch) {
    k.klpPr(KERN_ERR, `module ${patch.mod.name} is not marked as a livepatch module`);
    return -EINVAL;
  }
  if (!k.config.reliableStacktrace) {
    k.klpPr(KERN_WARNING, "This architecture doesn't have support for the livepatch consistency model.");
    k.klpPr(KERN_WARNING, 'The livepatch transition may never complete.');
  }
  if (!klpIsPatchCompatible(k, patch)) {
    k.klpPr(KERN_ERR, `Livepatch patch (${patch.mod.name}) is not compatible with the already installed livepatches.`);
    return -EINVAL;
  }
  // The load checks a proposal adds (replace-set-2026: conflicts with other sets).
  const refusal = policyOf(k).enableRefusal(patch, k.klpPatches);
  if (refusal) {
    k.klpPr(KERN_ERR, refusal);
    return -EINVAL;
  }
  // try_module_get(): this reference is what makes rmmod of an enabled patch "in use".
  if (patch.mod.state === 'GOING') return -ENODEV;
  patch.mod.refcnt++;
  patch.mod.patch = patch;
  let ret = klpInitPatch(k, patch);
  if (!ret) ret = __klpEnablePatch(k, patch);
  if (ret) {
    klpFreePatchStart(k, patch);
    klpFreePatchFinish(k, patch);
    patch.mod.patch = null;
    return ret;
  }
  return 0;
}

/** __klp_enable_patch() */
function __klpEnablePatch(k: Kernel, patch: KlpPatch): number {
  if (k.klpTransitionPatch) return -EBUSY;
  if (patch.enabled) {
    k.warn('kernel/livepatch/core.c', '__klp_enable_patch', false, 'patch->enabled');
    return -EINVAL;
  }
  k.klpPr(KERN_NOTICE, `enabling patch '${patch.name}'`);
  klpInitTransition(k, patch, KLP_TRANSITION_PATCHED);
  let ret = 0;
  for (const obj of patch.objs) {
    if (!obj.loaded) continue;
    ret = klpPrePatchCallback(obj);
    if (ret) {
      k.klpPr(KERN_WARNING, `pre-patch callback failed for object '${obj.displayName}'`);
      break;
    }
    ret = klpPatchObject(k, obj);
    if (ret) {
      k.klpPr(KERN_WARNING, `failed to patch object '${obj.displayName}'`);
      break;
    }
  }
  if (ret) {
    k.klpPr(KERN_WARNING, `failed to enable patch '${patch.name}'`);
    klpCancelTransition(k);
    return ret;
  }
  klpStartTransition(k);
  patch.enabled = true;
  klpTryCompleteTransition(k);
  return 0;
}

/** __klp_disable_patch() */
function __klpDisablePatch(k: Kernel, patch: KlpPatch): number {
  if (!patch.enabled) {
    k.warn('kernel/livepatch/core.c', '__klp_disable_patch', false, '!patch->enabled');
    return -EINVAL;
  }
  if (k.klpTransitionPatch) return -EBUSY;
  klpInitTransition(k, patch, KLP_TRANSITION_UNPATCHED);
  for (const obj of patch.objs) if (obj.patched) klpPreUnpatchCallback(obj);
  klpStartTransition(k);
  patch.enabled = false;
  klpTryCompleteTransition(k);
  return 0;
}

// ------------------------------------------------------------------ sysfs stores

/** enabled_store(): returns 0 (success) or -errno. */
export function enabledStore(k: Kernel, patch: KlpPatch, buf: string): number {
  const enabled = kstrtobool(buf);
  if (enabled === null) return -EINVAL;
  if (patch.enabled === enabled) return -EINVAL;
  if (patch === k.klpTransitionPatch) {
    // klp_reverse_transition(), decided by the klp core machine.
    k.klpCore.send({ type: 'write enabled', patch: patch.name });
    return 0;
  }
  if (!enabled) return __klpDisablePatch(k, patch);
  // Do not allow to re-enable a disabled patch.
  return -EINVAL;
}

/** force_store() */
export function forceStore(k: Kernel, patch: KlpPatch, buf: string): number {
  const val = kstrtobool(buf);
  if (val === null) return -EINVAL;
  if (!val) return 0;
  if (patch !== k.klpTransitionPatch) return -EINVAL;
  // klp_force_transition(), decided by the klp core machine.
  k.klpCore.send({ type: 'write force', patch: patch.name });
  return 0;
}

/** stack_order_show(): 1-based position in klp_patches. */
export function stackOrder(k: Kernel, patch: KlpPatch): number {
  // stack_order_show() counts klp_patches up to this patch; one already taken off the list
  // (klp_free_patch_start() ran, its kobject not yet released) is never met: the count of all.
  const i = k.klpPatches.indexOf(patch);
  return i < 0 ? k.klpPatches.length : i + 1;
}

// ------------------------------------------------------------------ freeing

/** klp_free_patch_start(): off klp_patches; object and func kobjects go (sysfs subdirs). */
function klpFreePatchStart(k: Kernel, patch: KlpPatch): void {
  if (patch.listed) {
    k.klpPatches = k.klpPatches.filter((p) => p !== patch);
    patch.listed = false;
  }
  patch.objs.length = 0;
}

/** klp_free_patch_finish(): the patch kobject goes; module_put() unless forced. */
function klpFreePatchFinish(_k: Kernel, patch: KlpPatch): void {
  patch.sysfs = false;
  if (!patch.forced) patch.mod.refcnt--;
}

/** klp_free_patch_async(): start now, finish from a work item. */
export function klpFreePatchAsync(k: Kernel, patch: KlpPatch): void {
  klpFreePatchStart(k, patch);
  const w = k.newWork('klp_free_patch_work_fn', () => klpFreePatchFinish(k, patch));
  k.queueWork(w);
}

/** klp_free_replaced_patches_async(): every patch before the new one. */
export function klpFreeReplacedPatchesAsync(k: Kernel, newPatch: KlpPatch): void {
  const policy = policyOf(k);
  for (const old of [...k.klpPatches]) {
    if (old === newPatch) return;
    if (!policy.replaces(newPatch, old)) continue;
    klpFreePatchAsync(k, old);
  }
}

/** klp_unpatch_replaced_patches() */
export function klpUnpatchReplacedPatches(k: Kernel, newPatch: KlpPatch): void {
  const policy = policyOf(k);
  for (const old of k.klpPatches) {
    if (old === newPatch) return;
    if (!policy.replaces(newPatch, old)) continue;
    old.enabled = false;
    klpUnpatchObjects(k, old, false);
  }
}

/** klp_discard_nops(): unpatch and free nop funcs and dynamic objects. */
export function klpDiscardNops(k: Kernel, patch: KlpPatch): void {
  klpUnpatchObjects(k, patch, true);
  for (const obj of patch.objs) {
    const keep = obj.funcs.filter((f) => !f.nop);
    obj.funcs.length = 0;
    obj.funcs.push(...keep);
  }
  const objs = patch.objs.filter((o) => !o.dynamic);
  patch.objs.length = 0;
  patch.objs.push(...objs);
}

// ------------------------------------------------------------------ module notifiers

/** klp_cleanup_module_patches_limit(): revert `mod`'s objects of patches before `limit`. */
function klpCleanupModulePatchesLimit(k: Kernel, mod: Module, limit: KlpPatch | null): void {
  for (const patch of k.klpPatches) {
    if (patch === limit) break;
    for (const obj of patch.objs) {
      if (!obj.isModule || obj.name !== mod.name) continue;
      if (patch !== k.klpTransitionPatch) klpPreUnpatchCallback(obj);
      k.klpPr(KERN_NOTICE, `reverting patch '${patch.name}' on unloading module '${mod.name}'`);
      klpUnpatchObject(k, obj, false);
      klpPostUnpatchCallback(obj);
      klpFreeObjectLoaded(obj);
      break;
    }
  }
}

/** klp_module_coming(): patch a module as it loads, for every patch that names it. */
export function klpModuleComing(k: Kernel, mod: Module): number {
  if (mod.state !== 'COMING') {
    k.warn('kernel/livepatch/core.c', 'klp_module_coming', false, 'mod->state != MODULE_STATE_COMING');
    return -EINVAL;
  }
  if (mod.name === 'vmlinux') {
    k.klpPr(KERN_ERR, 'vmlinux.ko: invalid module name');
    return -EINVAL;
  }
  mod.klpAlive = true;
  for (const patch of k.klpPatches) {
    for (const obj of patch.objs) {
      if (!obj.isModule || obj.name !== mod.name) continue;
      obj.mod = mod;
      let ret = klpInitObjectLoaded(k, obj);
      if (ret) {
        k.klpPr(KERN_WARNING, `failed to initialize patch '${patch.name}' for module '${mod.name}' (${ret})`);
        return comingFailed(k, mod, patch, obj, ret);
      }
      k.klpPr(KERN_NOTICE, `applying patch '${patch.name}' to loading module '${mod.name}'`);
      ret = klpPrePatchCallback(obj);
      if (ret) {
        k.klpPr(KERN_WARNING, `pre-patch callback failed for object '${obj.name}'`);
        return comingFailed(k, mod, patch, obj, ret);
      }
      ret = klpPatchObject(k, obj);
      if (ret) {
        k.klpPr(KERN_WARNING, `failed to apply patch '${patch.name}' to module '${mod.name}' (${ret})`);
        klpPostUnpatchCallback(obj);
        return comingFailed(k, mod, patch, obj, ret);
      }
      if (patch !== k.klpTransitionPatch) klpPostPatchCallback(obj);
      break;
    }
  }
  return 0;
}

function comingFailed(k: Kernel, mod: Module, patch: KlpPatch, obj: KlpObject, ret: number): number {
  k.klpPr(KERN_WARNING, `patch '${patch.name}' failed for module '${mod.name}', refusing to load module '${mod.name}'`);
  mod.klpAlive = false;
  obj.mod = null;
  klpCleanupModulePatchesLimit(k, mod, patch);
  return ret;
}

/** klp_module_going() */
export function klpModuleGoing(k: Kernel, mod: Module): void {
  if (mod.state !== 'GOING' && mod.state !== 'COMING') {
    k.warn('kernel/livepatch/core.c', 'klp_module_going', false, 'bad module state');
    return;
  }
  mod.klpAlive = false;
  klpCleanupModulePatchesLimit(k, mod, null);
}
