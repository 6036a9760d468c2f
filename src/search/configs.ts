// What one livepatch configuration decides, computed once per configuration and kept: a
// configuration is the loaded target modules, the transition patch and klp_patches with the
// nops each patch holds (cfgOf(), one number). From it follow the func_stacks, the code
// klp_ftrace_handler() picks for each patch_state (ftraceEntryIndex(), ftraceWarns() of
// src/kernel/ftraceChoice.ts), the universe of each patch_state (as src/analysis/universe.ts
// keys it) and the code the transition forbids on a stack (klp_check_stack_func()).

import { KLP_TRANSITION_UNPATCHED } from '../kernel/constants';
import { ftraceEntryIndex, ftraceWarns } from '../kernel/ftraceChoice';
import type { State } from './state';
import { SEARCH_LIMITS, type SearchSpec } from './spec';

interface Choice {
  code: number;
  patch: number;
  warns: boolean;
}

export class Configs {
  /** Per target module, its bit in State.targets. */
  readonly targetBit = new Map<string, number>();
  /** The universes met so far: key by id, id by key. */
  readonly universeKeys: string[] = [];
  private readonly universeIds = new Map<string, number>();
  /** choose() per configuration, function and patch_state; classIds() per configuration; forbiddenCodes() per configuration and target. */
  private readonly choiceByCfg = new Map<number, Choice>();
  private readonly idsByCfg = new Map<number, number[]>();
  private readonly forbiddenByCfg = new Map<number, number[]>();

  constructor(private readonly spec: SearchSpec) {
    [...spec.targets.keys()].forEach((m, i) => this.targetBit.set(m, 1 << i));
  }

  /** The func_stack of function f, top first: [patch index, nop] pairs flattened. */
  private funcStack(s: State, f: number): number[] {
    const out: number[] = [];
    if (!(s.targets & (this.targetBit.get(this.spec.functions[f].module) ?? 0))) return out;
    for (let i = s.list.length - 1; i >= 0; i--) {
      const l = s.list[i];
      const real = this.spec.patches[l.p].newCode[f] >= 0;
      if (real) out.push(l.p, 0);
      else if (l.nops & (1 << f)) out.push(l.p, 1);
    }
    return out;
  }

  /** klp_ftrace_handler(): the code a task of patch_state `ps` runs calling function f, and whether it WARNs (once per configuration). */
  choose(s: State, f: number, ps: number): Choice {
    const k = (this.cfgOf(s) * SEARCH_LIMITS.functions + f) * 3 + ps + 1;
    let c = this.choiceByCfg.get(k);
    if (!c) this.choiceByCfg.set(k, (c = this.computeChoice(s, f, ps)));
    return c;
  }

  private computeChoice(s: State, f: number, ps: number): Choice {
    const stack = this.funcStack(s, f);
    const original = this.spec.functions[f].code;
    if (stack.length === 0) return { code: original, patch: -1, warns: false };
    const topTransition = stack[0] === s.trans;
    const e = ftraceEntryIndex(topTransition, ps) * 2;
    const warns = ftraceWarns(topTransition, ps);
    if (e >= stack.length || stack[e + 1] === 1) return { code: original, patch: -1, warns };
    return { code: this.spec.patches[stack[e]].newCode[f], patch: stack[e], warns };
  }

  /**
   * The configuration as a number: targets (bits), trans + 1 (3 bits), then per listed patch
   * p (2 bits) and its nops (4 bits); within SEARCH_LIMITS (4 patches, 4 functions) it
   * stays below 2^53 while fewer than 2^20 target modules are loaded.
   */
  private cfgOf(s: State): number {
    let cfg = s.targets * 8 + s.trans + 1;
    for (const l of s.list) cfg = cfg * 64 + ((l.p << 4) | l.nops) + 1;
    return cfg;
  }

  /**
   * The universe ids of the patch_states -1, 0 and 1. They depend on the loaded targets,
   * klp_patches and the transition patch only: computed once per such configuration.
   */
  classIds(s: State): number[] {
    const cfg = this.cfgOf(s);
    let ids = this.idsByCfg.get(cfg);
    if (!ids) this.idsByCfg.set(cfg, (ids = [-1, 0, 1].map((p) => this.universeId(this.computeUniverseKey(s, p)))));
    return ids;
  }

  private computeUniverseKey(s: State, ps: number): string {
    const parts: string[] = [];
    this.spec.functions.forEach((fn, f) => {
      const c = this.choose(s, f, ps);
      if (c.patch >= 0) parts.push(`${fn.name}=${this.spec.patches[c.patch].name}`);
    });
    return parts.sort().join(' ');
  }

  universeId(key: string): number {
    let id = this.universeIds.get(key);
    if (id === undefined) {
      id = this.universeKeys.length;
      this.universeIds.set(key, id);
      this.universeKeys.push(key);
    }
    return id;
  }

  /** klp_check_stack_func() for each func of the transition patch: the code that must not be on a stack. */
  forbiddenCodes(s: State): number[] {
    const k = this.cfgOf(s) * 3 + s.target + 1;
    let out = this.forbiddenByCfg.get(k);
    if (!out) this.forbiddenByCfg.set(k, (out = this.computeForbidden(s)));
    return out;
  }

  private computeForbidden(s: State): number[] {
    const out: number[] = [];
    const l = s.list.find((x) => x.p === s.trans);
    if (!l) return out;
    const patch = this.spec.patches[l.p];
    this.spec.functions.forEach((fn, f) => {
      const nop = !(patch.newCode[f] >= 0) && (l.nops & (1 << f)) !== 0;
      if (!(patch.newCode[f] >= 0) && !nop) return;
      if (!(s.targets & (this.targetBit.get(fn.module) ?? 0))) return;
      if (s.target === KLP_TRANSITION_UNPATCHED) {
        out.push(nop ? fn.code : patch.newCode[f]);
        return;
      }
      const stack = this.funcStack(s, f);
      const i = stack.indexOf(l.p);
      const below = i >= 0 && i + 2 < stack.length ? i + 2 : -1;
      if (stack.length === 2 || below < 0) out.push(fn.code);
      else out.push(stack[below + 1] === 1 ? fn.code : this.spec.patches[stack[below]].newCode[f]);
    });
    return out;
  }
}
