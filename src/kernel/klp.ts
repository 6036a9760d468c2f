// The livepatch data structures of include/linux/livepatch.h, as the core sees them.

import type { PatchState } from './constants';
import type { Module } from './module';
import type { CodeSym } from './symbols';

/** What a callback sees: the object, its module's state string, and the patch module's context. */
export type PrePatchCallback = (obj: KlpObject) => number;
export type VoidCallback = (obj: KlpObject) => void;

export interface KlpCallbacks {
  prePatch?: PrePatchCallback;
  postPatch?: VoidCallback;
  preUnpatch?: VoidCallback;
  postUnpatch?: VoidCallback;
}

/** struct klp_state */
export interface KlpState {
  id: number;
  version: number;
  data: unknown;
}

/** struct klp_func */
export class KlpFunc {
  /** klp_func.old_func: resolved when the object is loaded. */
  oldFunc: CodeSym | null = null;
  oldSize = 0;
  newSize = 0;
  patched = false;
  transition = false;

  constructor(
    readonly obj: KlpObject,
    readonly oldName: string,
    /** The replacement body; null for a nop until its object is loaded (then = oldFunc). */
    public newFunc: CodeSym | null,
    readonly oldSympos: number,
    readonly nop: boolean,
    /** Name of the replacement symbol in the patch module (for display). */
    readonly newName: string | null,
  ) {}

  /** Name of the sysfs directory: "<old_name>,<sympos or 1>". */
  get sysfsName(): string {
    return `${this.oldName},${this.oldSympos || 1}`;
  }

  get patch(): KlpPatch {
    return this.obj.patch;
  }
}

/** struct klp_object */
export class KlpObject {
  readonly funcs: KlpFunc[] = [];
  /** callbacks.post_unpatch_enabled */
  postUnpatchEnabled = false;
  mod: Module | null = null;
  patched = false;

  constructor(
    readonly patch: KlpPatch,
    /** NULL (vmlinux) or the module name. */
    readonly name: string | null,
    readonly callbacks: KlpCallbacks,
    /** Allocated by klp_add_nops() only to hold nops. */
    readonly dynamic: boolean,
  ) {}

  /** klp_is_module() */
  get isModule(): boolean {
    return this.name !== null;
  }

  /** klp_is_object_loaded(): vmlinux, or a module that is bound. */
  get loaded(): boolean {
    return this.name === null || this.mod !== null;
  }

  /** The name the core prints and sysfs shows. */
  get displayName(): string {
    return this.name ?? 'vmlinux';
  }
}

/** struct klp_patch */
export class KlpPatch {
  readonly objs: KlpObject[] = [];
  enabled = false;
  forced = false;
  /** On klp_patches. */
  listed = false;
  /** /sys/kernel/livepatch/<name> exists. */
  sysfs = false;
  /** hybrid-rfc-2025 only: klp_patch.replaceable ([RFC PATCH 3/4]); writable in sysfs. */
  replaceable = true;
  /** replace-set-2026 only: klp_patch.replace_set. */
  replaceSet = 0;

  constructor(
    readonly mod: Module,
    readonly replace: boolean,
    readonly states: KlpState[],
  ) {}

  get name(): string {
    return this.mod.name;
  }

  *funcs(): Generator<KlpFunc> {
    for (const o of this.objs) yield* o.funcs;
  }
}

/** struct klp_ops: one per patched original function; funcStack[0] is the head (active). */
export class KlpOps {
  readonly funcStack: KlpFunc[] = [];
  constructor(readonly oldFunc: CodeSym) {}
}

/** Which direction a transition goes, in the kernel's words. */
export function stateWord(s: PatchState): 'patching' | 'unpatching' {
  return s === 1 ? 'patching' : 'unpatching';
}
