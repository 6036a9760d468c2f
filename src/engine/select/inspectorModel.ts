// What the Inspector shows for a patch or a patched function, read from the kernel's klp
// structures without changing them.

import { stackOrder } from '../../kernel/core';
import type { KlpFunc, KlpOps, KlpPatch } from '../../kernel/klp';
import type { Kernel } from '../../kernel/kernel';

interface FuncRow {
  /** The original function's name. */
  name: string;
  /** Replacement symbol, or "nop" / "(not loaded)". */
  target: string;
  nop: boolean;
  patched: boolean;
  transition: boolean;
}

interface PatchInfo {
  name: string;
  enabled: boolean;
  transition: boolean;
  replace: boolean;
  forced: boolean;
  /** 1-based position in klp_patches (0: not on the list). */
  stackOrder: number;
  objects: { name: string; loaded: boolean; patched: boolean; funcs: FuncRow[] }[];
}

function funcRow(f: KlpFunc): FuncRow {
  return {
    name: f.oldName,
    target: f.nop ? 'nop (runs the original)' : (f.newName ?? f.newFunc?.name ?? '(not loaded)'),
    nop: f.nop,
    patched: f.patched,
    transition: f.transition,
  };
}

/** The patch called `name`: on klp_patches, or the transition patch. */
export function findPatch(k: Kernel, name: string): KlpPatch | undefined {
  return k.klpPatches.find((p) => p.name === name) ?? (k.klpTransitionPatch?.name === name ? k.klpTransitionPatch : undefined);
}

export function patchInfo(k: Kernel, p: KlpPatch): PatchInfo {
  return {
    name: p.name,
    enabled: p.enabled,
    transition: p === k.klpTransitionPatch,
    replace: p.replace,
    forced: p.forced,
    stackOrder: stackOrder(k, p),
    objects: p.objs.map((o) => ({ name: o.displayName, loaded: o.loaded, patched: o.patched, funcs: o.funcs.map(funcRow) })),
  };
}

/** klp_ops of the function whose original is called `name` (first match), if patched now. */
export function findOps(k: Kernel, name: string): KlpOps | undefined {
  for (const ops of k.klpOps.values()) if (ops.oldFunc.name === name) return ops;
  return undefined;
}

export interface StackEntry {
  patch: string;
  stackOrder: number;
  func: FuncRow;
}

/** func_stack top (active) to bottom. */
export function funcStackOf(k: Kernel, ops: KlpOps): StackEntry[] {
  return ops.funcStack.map((f) => ({ patch: f.patch.name, stackOrder: stackOrder(k, f.patch), func: funcRow(f) }));
}

/** Original function names of every klp_ops (the functions a task could be asked to call). */
export function patchedFunctionNames(k: Kernel): string[] {
  return [...k.klpOps.values()].map((o) => o.oldFunc.name);
}
