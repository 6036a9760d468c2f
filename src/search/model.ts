// The search's compact state of a machine and its moves: the livepatch core of core.c and
// transition.c over a handful of tasks, with the kernel's own rules called, not copied: the
// func_stack choice is ftraceEntryIndex() (ftraceChoice.ts, per configuration in configs.ts), the per-task check is
// firstFailedCheck() (switchRule.ts), which patch a replace patch replaces is the policy's
// replaces() (src/kernel/policy/), and a universe is the analysis' (src/analysis/universe.ts:
// per function, the patch whose entry the handler picks, a nop counting as the original).
// test/unit/search/replay.test.ts holds it to the real kernel: each found run, replayed as a
// scenario, shows the same violation in `sim --analysis`.
//
// What a state holds: the script's position, the modules loaded, klp_patches (each patch
// with `enabled` and the nops klp_add_nops() gave it), the transition (patch and target), the
// patch_state of each modelled task and of the background group, each modelled task's call
// stack (code and step of every frame; it always sleeps at a `sleep` step between moves) and
// the universes shipped so far. func_stacks are derived from klp_patches: patches are pushed
// in the order they are listed and a patch leaves the list when it leaves the func_stacks.

import { KLP_TRANSITION_IDLE, KLP_TRANSITION_PATCHED, KLP_TRANSITION_UNPATCHED } from '../kernel/constants';
import { policyByName } from '../kernel/policy';
import type { KernelPolicy } from '../kernel/policy/types';
import type { KlpPatch } from '../kernel/klp';
import { firstFailedCheck } from '../kernel/switchRule';
import { isFreezableSleep } from '../kernel/tasks';
import { ORIGINAL } from '../analysis/universe';
import { applyOp } from './scriptOps';
import { Configs } from './configs';
import { clone, copyInto, type Listed, type State, type TaskState } from './state';
import { SearchRefused, type PatchSpec, type SearchSpec } from './spec';

export type GoalKind = 'never-shipped' | 'mass-switch' | 'dependency' | 'stuck' | 'rmmod-refused' | 'warn';

export interface Hit {
  kind: GoalKind;
  detail: string;
}

export type Move = { kind: 'op'; index: number } | { kind: 'attempt' } | { kind: 'step'; task: number };

const MAX_RUN_STEPS = 256;
const NO_HITS: Hit[] = [];

/** The model of one scenario: its moves, over states it never mutates. */
export class SearchModel {
  readonly policy: KernelPolicy;
  /** What each livepatch configuration decides: func_stacks, the handler's choice, universes, forbidden code. */
  readonly configs: Configs;
  readonly targetBit: ReadonlyMap<string, number>;
  readonly patchByName = new Map<string, PatchSpec>();
  /** Per patch, a KlpPatch-shaped view for the policy's questions. */
  readonly policyView: KlpPatch[];
  /** Hits of the move being made (NO_HITS, shared, until the first). */
  private hits: Hit[] = NO_HITS;
  /** applyScratch()'s state: its klp_patches entries and task objects belong to it alone. */
  private readonly scratch: State = { pc: 0, waiting: false, ended: false, targets: 0, lpLoaded: 0, forced: 0, list: [], trans: -1, target: KLP_TRANSITION_IDLE, bgPs: KLP_TRANSITION_IDLE, idlePs: KLP_TRANSITION_IDLE, tasks: [], shipped: [] };
  /** encode()'s buffer: large enough for most states (grown when not). */
  encoded = new Uint16Array(1024);
  /** The moves, made once: states share them. */
  private readonly opMoves: Move[];
  private readonly stepMoves: Move[];
  private readonly attemptMove: Move = { kind: 'attempt' };

  constructor(readonly spec: SearchSpec) {
    this.policy = policyByName(spec.policy);
    this.configs = new Configs(spec);
    this.targetBit = this.configs.targetBit;
    for (const p of spec.patches) this.patchByName.set(p.name, p);
    this.opMoves = spec.script.map((_, index) => ({ kind: 'op', index }));
    this.stepMoves = spec.tasks.map((_, task) => ({ kind: 'step', task }));
    this.policyView = spec.patches.map((p) => {
      // The fields the policy's questions read: its real funcs per object (nops are never compared), its states.
      const objs = [...new Set(spec.functions.map((f) => f.module))].map((module) => ({
        name: module,
        displayName: module,
        funcs: spec.functions.flatMap((f, i) => (f.module === module && p.newCode[i] >= 0 ? [{ oldName: f.name, oldSympos: 0, nop: false }] : [])),
      }));
      return { name: p.name, replace: p.replace, replaceable: p.replaceable, replaceSet: p.replaceSet, states: p.states, objs } as unknown as KlpPatch;
    });
  }

  initial(): State {
    const s: State = { pc: 0, waiting: false, ended: false, targets: 0, lpLoaded: 0, forced: 0, list: [], trans: -1, target: KLP_TRANSITION_IDLE, bgPs: KLP_TRANSITION_IDLE, idlePs: KLP_TRANSITION_IDLE, tasks: this.spec.tasks.map(() => ({ alive: false, ps: KLP_TRANSITION_IDLE, stack: [] })), shipped: [] };
    this.skipNothing(s);
    this.ship(s, this.idleKey(s));
    return s;
  }

  /**
   * A canonical encoding of everything that decides the future, into `encoded` (returns its
   * length): each field one 16-bit number (every number here is small), lists preceded by
   * their length. Written into one reused buffer: a state costs no string and no allocation.
   */
  encode(s: State): number {
    let need = 12 + s.list.length + s.shipped.length;
    for (const t of s.tasks) need += 1 + t.stack.length;
    if (need > this.encoded.length) this.encoded = new Uint16Array(need * 2);
    const b = this.encoded;
    let n = 0;
    b[n++] = s.pc & 0xffff;
    b[n++] = s.pc >>> 16;
    b[n++] = (s.waiting ? 1 : 0) | (s.ended ? 2 : 0);
    b[n++] = s.targets & 0xffff;
    b[n++] = s.targets >>> 16;
    b[n++] = s.lpLoaded;
    b[n++] = s.forced;
    b[n++] = s.list.length;
    for (const l of s.list) b[n++] = (l.p << 8) | (l.enabled ? 128 : 0) | l.nops;
    b[n++] = s.trans + 1;
    b[n++] = ((s.target + 1) << 4) | ((s.bgPs + 1) << 2) | (s.idlePs + 1);
    for (const t of s.tasks) {
      if (!t.alive) {
        b[n++] = 0xffff;
        continue;
      }
      b[n++] = (t.ps + 1) | (t.stack.length << 2);
      for (const x of t.stack) b[n++] = x;
    }
    for (const id of s.shipped) b[n++] = id;
    return n;
  }

  /** Every move possible from `s`. */
  moves(s: State): Move[] {
    const out: Move[] = [];
    if (!s.ended && !s.waiting) out.push(this.opMoves[s.pc]);
    if (s.trans >= 0) out.push(this.attemptMove);
    for (let i = 0; i < s.tasks.length; i++) if (s.tasks[i].alive) out.push(this.stepMoves[i]);
    return out;
  }

  /** What the last apply() hit. */
  get lastHits(): readonly Hit[] {
    return this.hits;
  }

  /** The state after `m` (a state of its own); what the move hit is `lastHits` until the next move. */
  apply(s0: State, m: Move): State {
    return clone(this.applyScratch(s0, m));
  }

  /**
   * The state after `m` in the model's one scratch state, valid until the next call: the
   * search encodes it, and keeps a copy (keep()) only when it is new. Most successors are
   * states seen before, so most moves allocate nothing for the state itself.
   */
  applyScratch(s0: State, m: Move): State {
    const s = copyInto(this.scratch, s0);
    this.hits = NO_HITS;
    if (m.kind === 'op') this.op(s, m.index);
    else if (m.kind === 'attempt') this.attempt(s);
    else this.runTask(s, m.task, false);
    if (s.waiting && s.trans < 0) s.waiting = false;
    this.skipNothing(s);
    const ids = this.configs.classIds(s);
    if (s.trans < 0) this.shipId(s, ids[0]);
    this.checkUniverses(s, ids);
    return s;
  }

  /** A state of its own, copied from the scratch state. */
  keep(s: State): State {
    return clone(s);
  }

  // ---------------------------------------------------------------- func_stacks and universes

  /** The universe of every task of patch_state `ps`, as the analysis keys it. */
  private universeKey(s: State, ps: number): string {
    return this.configs.universeKeys[this.configs.classIds(s)[ps + 1]];
  }

  private idleKey(s: State): string {
    return this.universeKey(s, KLP_TRANSITION_IDLE);
  }

  private ship(s: State, key: string): void {
    this.shipId(s, this.configs.universeId(key));
  }

  private shipId(s: State, id: number): void {
    if (s.shipped.includes(id)) return;
    s.shipped = [...s.shipped, id].sort((a, b) => a - b);
  }

  /** The patch_states some live task has now (the background group always has tasks). */
  private liveClasses(s: State): number[] {
    const out = [s.bgPs];
    if (!out.includes(s.idlePs)) out.push(s.idlePs);
    for (const t of s.tasks) if (t.alive && !out.includes(t.ps)) out.push(t.ps);
    return out;
  }

  /** Never-shipped universes and broken dependencies among the universes tasks run now. */
  private checkUniverses(s: State, ids: number[]): void {
    // Live patch_states as bits 0..2 (patch_state + 1), without allocating.
    let live = (1 << (s.bgPs + 1)) | (1 << (s.idlePs + 1));
    for (const t of s.tasks) if (t.alive) live |= 1 << (t.ps + 1);
    for (let c = 0; c < 3; c++) {
      if (!(live & (1 << c))) continue;
      const ps = c - 1;
      const shipped = s.shipped.includes(ids[c]);
      if (shipped && this.spec.dependencies.length === 0) continue;
      const key = this.configs.universeKeys[ids[c]];
      if (!shipped) this.hit('never-shipped', `tasks of patch_state ${ps} run {${key || 'all original'}}, a universe never shipped`);
      for (const d of this.spec.dependencies) {
        const held = d.together.filter((x) => implIn(key, x.function) === x.patch);
        if (held.length && held.length < d.together.length) this.hit('dependency', `dependency "${d.name}" broken: tasks of patch_state ${ps} run {${key}}`);
      }
    }
  }

  /** Tasks whose universe changed outside their own switch: `before` maps patch_state to key. */
  massSwitch(s: State, before: Map<number, string>, psAfter: (ps: number) => number, where: string): void {
    for (const [ps, key] of before) {
      const after = this.universeKey(s, psAfter(ps));
      if (after !== key) this.hit('mass-switch', `tasks of patch_state ${ps} switched together ${where}: {${key || 'all original'}} -> {${after || 'all original'}}`);
    }
  }

  universesNow(s: State): Map<number, string> {
    return new Map(this.liveClasses(s).map((ps) => [ps, this.universeKey(s, ps)]));
  }

  hit(kind: GoalKind, detail: string): void {
    if (this.hits === NO_HITS) this.hits = [];
    if (!this.hits.some((h) => h.kind === kind)) this.hits.push({ kind, detail });
  }

  // ---------------------------------------------------------------- the script

  private skipNothing(s: State): void {
    const script = this.spec.script;
    while (!s.ended && !s.waiting && s.pc < script.length && script[s.pc].op.kind === 'nothing') s.pc++;
    if (!s.waiting && s.pc >= script.length) s.ended = true;
  }

  /** A script line fails: a helper dies (the script ends), a bare command goes on. Always false (nothing done). */
  failed(s: State, helper: boolean): false {
    if (helper) s.ended = true;
    return false;
  }

  /** The script line `index` runs (scriptOps.ts). */
  op(s: State, index: number): void {
    applyOp(this, s, index);
  }

  // ---------------------------------------------------------------- transition.c

  /** klp_init_transition(): every task starts in the initial state; the patch's funcs are in transition. */
  initTransition(s: State, p: number, target: number): void {
    s.trans = p;
    s.target = target;
    const initial = target === KLP_TRANSITION_PATCHED ? KLP_TRANSITION_UNPATCHED : KLP_TRANSITION_PATCHED;
    s.bgPs = initial;
    s.idlePs = initial;
    for (const t of s.tasks) if (t.alive) t.ps = initial;
  }

  /** klp_start_transition(): the analysis ships the universe the completion would leave. */
  startTransition(s: State): void {
    const done = clone(s);
    this.completeTransition(done);
    this.ship(s, this.idleKey(done));
  }

  /** klp_try_complete_transition(): one attempt over every pending task. */
  attempt(s: State): void {
    const target = s.target;
    s.bgPs = target;
    const idlePending = this.spec.idleRuns && s.idlePs !== target;
    s.idlePs = target;
    const forbidden = this.configs.forbiddenCodes(s);
    for (const t of s.tasks) {
      if (!t.alive || t.ps === target) continue;
      if (this.maySwitch(t, forbidden, false)) t.ps = target;
    }
    if (idlePending || s.tasks.some((t) => t.alive && t.ps !== target)) return;
    const before = this.universesNow(s);
    const name = this.spec.patches[s.trans].name;
    this.completeTransition(s);
    this.massSwitch(s, before, () => KLP_TRANSITION_IDLE, `at klp_complete_transition() of '${name}'`);
  }

  /** klp_check_and_switch_task()'s verdict through the one switch rule. */
  private maySwitch(t: TaskState, forbidden: number[], isCurrent: boolean): boolean {
    let verdict = -1;
    for (let i = 0; i < t.stack.length && verdict < 0; i += 2) {
      const at = forbidden.indexOf(t.stack[i]);
      if (at >= 0) verdict = at;
    }
    const sched = this.spec.codes[t.stack[t.stack.length - 2]].steps[t.stack[t.stack.length - 1]] as { sleep: number };
    return firstFailedCheck(sched.sleep, 0, verdict, isCurrent) < 0;
  }

  /** klp_complete_transition() and the frees klp_try_complete_transition() starts after it. */
  private completeTransition(s: State): void {
    const p = s.trans;
    const patch = this.spec.patches[p];
    const mine = s.list.find((x) => x.p === p) as Listed;
    if (s.target === KLP_TRANSITION_PATCHED) {
      if (patch.replace) {
        // klp_unpatch_replaced_patches() + klp_free_replaced_patches_async(), then klp_discard_nops().
        const at = s.list.indexOf(mine);
        s.list = s.list.filter((l, i) => i >= at || !this.policy.replaces(this.policyView[p], this.policyView[l.p]));
        mine.nops = 0;
      }
    } else {
      // klp_unpatch_objects(), then klp_free_patch_async(): off klp_patches.
      s.list = s.list.filter((l) => l !== mine);
    }
    for (const t of s.tasks) if (t.alive) t.ps = KLP_TRANSITION_IDLE;
    s.bgPs = KLP_TRANSITION_IDLE;
    s.idlePs = KLP_TRANSITION_IDLE;
    s.trans = -1;
    s.target = KLP_TRANSITION_IDLE;
  }

  /** klp_reverse_transition(): flip the target; klp_start_transition() flags the switched tasks again. */
  reverse(s: State, l: Listed): void {
    l.enabled = !l.enabled;
    s.target = s.target === KLP_TRANSITION_PATCHED ? KLP_TRANSITION_UNPATCHED : KLP_TRANSITION_PATCHED;
    this.startTransition(s);
  }

  /** klp_force_transition(): every task takes the target state; the modules leaving are marked forced. */
  force(s: State): void {
    for (const t of s.tasks) if (t.alive) t.ps = s.target;
    s.bgPs = s.target;
    s.idlePs = s.target;
    const patch = this.spec.patches[s.trans];
    if (s.target === KLP_TRANSITION_UNPATCHED) s.forced |= 1 << s.trans;
    else if (patch.replace) for (const l of s.list) if (l.p !== s.trans) s.forced |= 1 << l.p;
  }

  // ---------------------------------------------------------------- a task's step

  /**
   * The task wakes (or, `fresh`, starts) and runs to its next sleep: calls go through
   * klp_ftrace_handler(), returns pop, a body that ends returns, a kthread whose function
   * returns exits. A freezable sleep on v6.16+ tries the switch as it sleeps (__schedule()).
   */
  runTask(s: State, i: number, fresh: boolean): void {
    const t = s.tasks[i];
    const st = (t.stack = t.stack.slice());
    if (!fresh) st[st.length - 1]++;
    for (let n = 0; n < MAX_RUN_STEPS; n++) {
      if (st.length === 0) {
        t.alive = false;
        return;
      }
      const code = this.spec.codes[st[st.length - 2]];
      const at = st[st.length - 1];
      if (at >= code.steps.length) {
        if (code.loop && code.steps.length) {
          st[st.length - 1] = 0;
          continue;
        }
        st.length -= 2;
        if (st.length) st[st.length - 1]++;
        continue;
      }
      const step = code.steps[at];
      if ('sleep' in step) {
        if (isFreezableSleep(step.sleep) && this.spec.freezableHook && s.trans >= 0 && t.ps !== s.target && this.maySwitch(t, this.configs.forbiddenCodes(s), true)) t.ps = s.target;
        return;
      }
      if ('call' in step) {
        const callee = this.spec.codes[step.call];
        let target = step.call;
        if (callee.patchedFn >= 0) {
          const c = this.configs.choose(s, callee.patchedFn, t.ps);
          if (c.warns) this.hit('warn', `${this.spec.tasks[i].comm} (patch_state -1) called ${callee.fn} while its top func_stack entry is in transition: klp_ftrace_handler()'s WARN_ON_ONCE`);
          target = c.code;
        }
        st.push(target, 0);
        continue;
      }
      st[st.length - 1]++;
    }
    throw new SearchRefused(`search: ${this.spec.tasks[i].comm} runs ${MAX_RUN_STEPS} steps without sleeping; the search models tasks that sleep between moves`);
  }
}

/** The implementation of function `f` in a universe key. */
function implIn(key: string, f: string): string {
  for (const part of key.split(' ')) {
    const eq = part.indexOf('=');
    if (part.slice(0, eq) === f) return part.slice(eq + 1);
  }
  return ORIGINAL;
}
