// kernel/livepatch/patch.c: putting funcs on and off the func_stacks and the ftrace ops of
// each patched function. (The ftrace handler itself is Kernel.resolveCall.)

import { EINVAL } from './errno';
import { KlpOps, type KlpFunc, type KlpObject, type KlpPatch } from './klp';
import type { Kernel } from './kernel';
import { KERN_ERR } from './printk';
import type { FtraceOps } from './ftrace';

const fopsOf = new WeakMap<KlpOps, FtraceOps>();

/** klp_find_ops(): the ops whose func_stack holds funcs of this original function. */
function klpFindOps(k: Kernel, oldFunc: number): KlpOps | undefined {
  return k.klpOps.get(oldFunc);
}

/** klp_patch_func(): push on the func_stack; the first func of an address registers ftrace. */
function klpPatchFunc(k: Kernel, func: KlpFunc): number {
  if (!func.oldFunc) {
    k.warn('kernel/livepatch/patch.c', 'klp_patch_func', false, '!func->old_func');
    return -EINVAL;
  }
  if (func.patched) {
    k.warn('kernel/livepatch/patch.c', 'klp_patch_func', false, 'func->patched');
    return -EINVAL;
  }
  const code = func.oldFunc.id;
  let ops = klpFindOps(k, code);
  if (!ops) {
    if (!k.ftrace.location(code)) {
      k.klpPr(KERN_ERR, `failed to find location for function '${func.oldName}'`);
      return -EINVAL;
    }
    ops = new KlpOps(func.oldFunc);
    const fops = k.ftrace.newOps(`klp_ops:${func.oldName}`, true, true);
    let ret = k.ftrace.addFilter(fops, code);
    if (ret) {
      k.klpPr(KERN_ERR, `failed to set ftrace filter for function '${func.oldName}' (${ret})`);
      return ret;
    }
    ret = k.ftrace.register(fops);
    if (ret) {
      k.klpPr(KERN_ERR, `failed to register ftrace handler for function '${func.oldName}' (${ret})`);
      k.ftrace.removeFilter(fops, code);
      return ret;
    }
    fopsOf.set(ops, fops);
    k.klpOps.set(code, ops);
  }
  ops.funcStack.unshift(func);
  func.patched = true;
  return 0;
}

/** klp_unpatch_func(): the last func of an address unregisters ftrace and frees the ops. */
function klpUnpatchFunc(k: Kernel, func: KlpFunc): void {
  if (!func.patched || !func.oldFunc) {
    k.warn('kernel/livepatch/patch.c', 'klp_unpatch_func', false, '!func->patched');
    return;
  }
  const code = func.oldFunc.id;
  const ops = klpFindOps(k, code);
  if (!ops) {
    k.warn('kernel/livepatch/patch.c', 'klp_unpatch_func', false, '!ops');
    return;
  }
  if (ops.funcStack.length === 1) {
    const fops = fopsOf.get(ops);
    if (fops) k.ftrace.unregister(fops);
    k.klpOps.delete(code);
    ops.funcStack.length = 0;
  } else {
    const i = ops.funcStack.indexOf(func);
    if (i >= 0) ops.funcStack.splice(i, 1);
  }
  func.patched = false;
}

/** klp_unpatch_object(): with nopsOnly, only nop funcs (klp_discard_nops). */
export function klpUnpatchObject(k: Kernel, obj: KlpObject, nopsOnly: boolean): void {
  for (const func of obj.funcs) {
    if (nopsOnly && !func.nop) continue;
    if (func.patched) klpUnpatchFunc(k, func);
  }
  if (obj.dynamic || !nopsOnly) obj.patched = false;
  k.events.publish({ type: 'klp.object', patch: obj.patch.name, object: obj.displayName, patched: false });
}

/** klp_patch_object(): all or nothing. */
export function klpPatchObject(k: Kernel, obj: KlpObject): number {
  if (obj.patched) return 0;
  for (const func of obj.funcs) {
    const ret = klpPatchFunc(k, func);
    if (ret) {
      klpUnpatchObject(k, obj, false);
      return ret;
    }
  }
  obj.patched = true;
  k.events.publish({ type: 'klp.object', patch: obj.patch.name, object: obj.displayName, patched: true });
  return 0;
}

/** klp_unpatch_objects() / klp_unpatch_objects_dynamic() */
export function klpUnpatchObjects(k: Kernel, patch: KlpPatch, nopsOnly: boolean): void {
  for (const obj of patch.objs) if (obj.patched) klpUnpatchObject(k, obj, nopsOnly);
}
