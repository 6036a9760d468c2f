// A task's universe: for every function patched at any time in the run, the implementation it
// would run if it called it now ("original" or a livepatch module's name; a nop counts as
// "original"). klp_ftrace_handler() (patch.c) decides from the func_stack and the task's
// patch_state only, so every task of one patch_state runs the same universe: the analysis
// computes three universes per moment (IDLE, UNPATCHED, PATCHED), never one per task.

import { KLP_TRANSITION_IDLE, KLP_TRANSITION_UNPATCHED } from '../kernel/constants';
import { ftraceEntryIndex } from '../kernel/ftraceChoice';
import type { Kernel } from '../kernel/kernel';
import { policyOf } from '../kernel/policy';

export const ORIGINAL = 'original';
/** patch_state + 1: IDLE, UNPATCHED, PATCHED. */
export const CLASSES = 3;
export const classOf = (patchState: number): number => patchState + 1;
/** function name -> implementation; functions absent from the map run the original. */
export type Impl = ReadonlyMap<string, string>;

/** The functions the analysis has seen patched, in order of first appearance, by original code id. */
export class FunctionSet {
  readonly names: string[] = [];
  private readonly byCode = new Map<number, string>();

  /** Add the functions that have a klp_ops now. */
  refresh(k: Kernel): boolean {
    const before = this.names.length;
    for (const [code, ops] of k.klpOps) {
      if (this.byCode.has(code)) continue;
      const name = ops.oldFunc.name;
      this.byCode.set(code, name);
      this.names.push(name);
    }
    return this.names.length !== before;
  }

  *entries(): Generator<[number, string]> {
    yield* this.byCode;
  }
}

/** klp_ftrace_handler()'s choice for a task of patch_state `ps` calling `code`, as a patch name. */
function implFor(k: Kernel, code: number, ps: number): string {
  const ops = k.klpOps.get(code);
  const top = ops?.funcStack[0];
  if (!ops || !top) return ORIGINAL;
  // An IDLE task WARNs and falls through to the top entry (the handler's WARN_ON_ONCE).
  const func = ops.funcStack[ftraceEntryIndex(top.transition, ps)];
  if (!func) return ORIGINAL;
  return func.nop || !func.newFunc ? ORIGINAL : func.patch.name;
}

/** The universe of every task whose patch_state is `ps`. */
export function universeOf(k: Kernel, fns: FunctionSet, ps: number): Map<string, string> {
  const out = new Map<string, string>();
  for (const [code, name] of fns.entries()) {
    const impl = implFor(k, code, ps);
    if (impl !== ORIGINAL) out.set(name, impl);
  }
  return out;
}

/** A canonical key: the non-original entries, sorted. */
export function keyOf(u: Impl): string {
  return [...u].map(([f, p]) => `${f}=${p}`).sort().join(' ');
}

/** The functions whose implementation differs between two universes. */
export function differing(a: Impl, b: Impl): string[] {
  const out: string[] = [];
  for (const f of new Set([...a.keys(), ...b.keys()])) if ((a.get(f) ?? ORIGINAL) !== (b.get(f) ?? ORIGINAL)) out.push(f);
  return out.sort();
}

export const implOf = (u: Impl, f: string): string => u.get(f) ?? ORIGINAL;

export const PS_OF_CLASS = [KLP_TRANSITION_IDLE, KLP_TRANSITION_UNPATCHED, 1] as const;

/**
 * The universe the transition in progress ships: what every task runs once
 * klp_complete_transition() has finished, computed from the func_stacks as it would leave
 * them (for patching: the replaced patches unpatched and the nops discarded; for unpatching:
 * the patch's funcs removed), without changing anything.
 */
export function completionUniverse(k: Kernel, fns: FunctionSet): Map<string, string> | null {
  const tp = k.klpTransitionPatch;
  if (!tp) return null;
  const patching = k.klpTargetState === 1;
  const policy = policyOf(k);
  const older = new Set(k.klpPatches.slice(0, Math.max(0, k.klpPatches.indexOf(tp))));
  const out = new Map<string, string>();
  for (const [code, name] of fns.entries()) {
    const ops = k.klpOps.get(code);
    const left = (ops?.funcStack ?? []).filter((f) => {
      if (!patching) return f.patch !== tp;
      if (f.patch === tp) return !f.nop;
      return !(tp.replace && older.has(f.patch) && policy.replaces(tp, f.patch));
    });
    const top = left[0];
    if (top && !top.nop && top.newFunc) out.set(name, top.patch.name);
  }
  return out;
}
