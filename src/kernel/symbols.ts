// kallsyms: every function body the model knows, in vmlinux and in modules. A function body
// is one "code" identity; a stack frame records the code it executes, so "which version does
// this task run" is always a code id (the original, or a particular patch's replacement).

import type { CodeBody } from './exec';

export interface CodeSym {
  id: number;
  name: string;
  /** 'vmlinux' or the module name. */
  owner: string;
  addr: bigint;
  size: number;
  /** What the function does when it runs (optional: most frames are only scenery). */
  body?: CodeBody;
  /** No ftrace location (notrace or inlined): klp_patch_func() cannot hook it. */
  notrace?: boolean;
  /** Frames of this code make a stack trace unreliable (entry code, BPF trampolines). */
  unreliable?: boolean;
  /** Set when the owning module was unloaded: running it oopses. */
  freed: boolean;
}

export interface SymbolSpec {
  name: string;
  size?: number;
  body?: CodeBody;
  notrace?: boolean;
  unreliable?: boolean;
}

type LookupResult =
  | { ok: true; sym: CodeSym }
  | { ok: false; errno: number; message: string };

const VMLINUX_BASE = 0xffffffff81000000n;
const MODULES_BASE = 0xffffffffc0000000n;

export class Kallsyms {
  readonly codes: CodeSym[] = [];
  private byOwner = new Map<string, CodeSym[]>();
  private nextAddr = new Map<string, bigint>();
  private moduleRegions = 0;

  add(owner: string, spec: SymbolSpec): CodeSym {
    let base = this.nextAddr.get(owner);
    if (base === undefined) {
      base = owner === 'vmlinux' ? VMLINUX_BASE + 0x100000n : MODULES_BASE + BigInt(this.moduleRegions++) * 0x10000n;
    }
    // A size of its own for each name, so that adding a symbol does not resize the others.
    const size = spec.size ?? 0x80 + (nameHash(spec.name) % 0x180);
    const sym: CodeSym = {
      id: this.codes.length,
      name: spec.name,
      owner,
      addr: base,
      size,
      body: spec.body,
      notrace: spec.notrace,
      unreliable: spec.unreliable,
      freed: false,
    };
    this.nextAddr.set(owner, base + BigInt((size + 0x1f) & ~0xf));
    this.codes.push(sym);
    const list = this.byOwner.get(owner) ?? [];
    list.push(sym);
    this.byOwner.set(owner, list);
    return sym;
  }

  symbolsOf(owner: string): readonly CodeSym[] {
    return this.byOwner.get(owner) ?? [];
  }

  /** The unique symbol `name` in `owner`, or undefined (for the model's own wiring). */
  find(owner: string, name: string): CodeSym | undefined {
    return this.symbolsOf(owner).find((s) => s.name === name);
  }

  /** Module unload: its symbols leave kallsyms and its text is freed. */
  removeOwner(owner: string): void {
    for (const s of this.symbolsOf(owner)) s.freed = true;
    this.byOwner.delete(owner);
    this.nextAddr.delete(owner);
  }

  /**
   * klp_find_object_symbol() (core.c): count the matches of `name` in the object; sympos 0
   * requires a unique match, sympos N the Nth match. The messages are core.c's pr_err texts;
   * `objname` is NULL for vmlinux, which printk shows as "(null)" in the ambiguity message.
   */
  findObjectSymbol(objname: string | null, name: string, sympos: number): LookupResult {
    const matches = this.symbolsOf(objname ?? 'vmlinux').filter((s) => s.name === name);
    const count = matches.length;
    if (count === 0) {
      return { ok: false, errno: 22, message: `symbol '${name}' not found in symbol table` };
    }
    if (count > 1 && sympos === 0) {
      return { ok: false, errno: 22, message: `unresolvable ambiguity for symbol '${name}' in object '${objname ?? '(null)'}'` };
    }
    if (sympos > 0 && sympos !== Math.min(count, sympos)) {
      return {
        ok: false,
        errno: 22,
        message: `symbol position ${sympos} for symbol '${name}' in object '${objname ?? 'vmlinux'}' not found`,
      };
    }
    return { ok: true, sym: matches[sympos > 0 ? sympos - 1 : 0] };
  }
}

export function formatAddr(a: bigint): string {
  return a.toString(16).padStart(16, '0');
}

function nameHash(name: string): number {
  let h = 0;
  for (let i = 0; i < name.length; i++) h = (Math.imul(h, 31) + name.charCodeAt(i)) >>> 0;
  return h;
}

/**
 * The offset into `sym` of a return address saved on a stack (what a call trace and
 * /proc/<pid>/stack print as symbol+off): it lies past a 5-byte `call rel32` (x86), so it
 * is never +0x0; a fixed point of the body, chosen from the name.
 */
export function returnOffset(sym: CodeSym): number {
  return 5 + (nameHash(sym.name) % Math.max(1, sym.size - 5));
}
