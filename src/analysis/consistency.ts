// The consistency analysis: which universes (function -> implementation) the tasks of a run
// ran, which of them the system ever shipped (ran everywhere with no transition in progress),
// the mass switches (an implementation changing under tasks outside their own per-task
// switch), broken dependencies, and forced switches. It observes the livepatch lifecycle
// events and reads the model; it never changes it.
//
// Cost: a universe is per patch_state class (universe.ts), so an event costs O(functions);
// only the events that move tasks between classes (klp.init, klp.start, each attempt,
// reverse, force, complete) or change a class's universe count the tasks of each class: one
// pass over the patch_state array that also sets each task's bit in its universe's task set
// (one bit per task slot), cheaper than the attempt walk the same event already made.
//
// A universe's `tasks` is exact: the distinct tasks that ever ran it. Between two counting
// passes the universe of each class is fixed, and a task changes class at most once (its own
// switch to the target state): the pass after credits it in its new class, alive or dead
// since (a reaped task keeps its patch_state), and a child is credited when
// klp_copy_process() gives it its parent's patch_state (Kernel.copiedProcesses).

import { KLP_TRANSITION_PATCHED, KLP_TRANSITION_UNPATCHED } from '../kernel/constants';
import type { Kernel, KlpEvent } from '../kernel/kernel';
import { Sched } from '../kernel/tasks';
import type { DependencySpec } from '../scenario/policySpec';
import { CLASSES, classOf, completionUniverse, differing, FunctionSet, implOf, keyOf, ORIGINAL, PS_OF_CLASS, universeOf, type Impl } from './universe';

export interface UniverseRecord {
  /** 1-based, in order of first appearance. */
  id: number;
  key: string;
  impl: Impl;
  shipped: boolean;
  /** First time it was the state of the whole system (µs), or null. */
  shippedAt: number | null;
  /** The first task seen running it, and when (µs since boot). */
  first: { time: number; pid: number };
  /** Time of the event that started the operation producing it (a transition's klp.init). */
  origin: number;
  /** The distinct tasks (task slots, pids are never reused) that ever ran it. */
  tasks: number;
  /** Tasks running it as of the last count. */
  now: number;
}

export type ViolationKind = 'never-shipped' | 'mass-switch' | 'dependency' | 'forced';

export interface ViolationRecord {
  kind: ViolationKind;
  time: number;
  functions: string[];
  patches: string[];
  /** A number, or the universe whose task count it is (resolved when reported). */
  tasks: number | UniverseRecord;
  origin: number;
  detail: string;
  universe?: UniverseRecord;
}

const MOVES = new Set<KlpEvent['type']>(['klp.init', 'klp.start', 'klp.attempt', 'klp.reverse', 'klp.force', 'klp.complete']);

export class ConsistencyAnalysis {
  readonly functions = new FunctionSet();
  readonly universes: UniverseRecord[] = [];
  readonly violations: ViolationRecord[] = [];
  private readonly byKey = new Map<string, UniverseRecord>();
  /** The universe of each patch_state class, and its tasks, as of the last event. */
  private classImpl: Impl[] = [new Map(), new Map(), new Map()];
  readonly classUniverse: (UniverseRecord | null)[] = [null, null, null];
  readonly counts = [0, 0, 0];
  private firstSlot = [-1, -1, -1];
  /** The record each class ran as of the last event. */
  private classRec: (UniverseRecord | null)[] = [null, null, null];
  /** The tasks that ever ran each universe: one bit per task slot. */
  private readonly bits = new Map<UniverseRecord, Uint32Array>();
  /** 1 for a dead slot the counting passes have credited already. */
  private gone = new Uint8Array(0);
  /** When the current transition began (its klp.init), for the command that caused it. */
  private transitionOrigin: number | null = null;
  private transitionPatch = '';
  /** The universes transitions ship when they complete (their keys). */
  private readonly designed = new Set<string>();
  /** Between the attempt that found every task switched and klp.complete. */
  private completing = false;

  constructor(
    readonly k: Kernel,
    readonly dependencies: readonly DependencySpec[] = [],
  ) {
    this.update(k.clock.now, null);
  }

  /** A livepatch lifecycle event has just happened at `time` (µs). */
  observe(time: number, e: KlpEvent): void {
    if (e.type === 'klp.init') {
      this.transitionOrigin = time;
      this.transitionPatch = e.patch;
    }
    if (e.type === 'klp.warn' || e.type === 'klp.signal') return;
    if (e.type === 'klp.attempt' && e.complete) this.completing = true;
    if (e.type === 'klp.start') this.designFor(time);
    this.update(time, e);
    if (e.type === 'klp.complete') {
      this.transitionOrigin = null;
      this.completing = false;
    }
  }

  private update(time: number, e: KlpEvent | null): void {
    const k = this.k;
    this.functions.refresh(k);
    const impl = [0, 1, 2].map((c) => universeOf(k, this.functions, PS_OF_CLASS[c]));
    const prevCounts = this.counts.slice();
    if (e) this.massSwitches(time, e, impl, prevCounts);
    this.classImpl = impl;
    const recs = impl.map((u) => this.recordFor(u, time));
    const changed = recs.some((r, c) => r !== this.classRec[c]);
    // Otherwise nobody moved and nothing changed: each class keeps its tasks (and its first task).
    if (!e || MOVES.has(e.type) || changed) this.countTasks(recs);
    this.classRec = recs;
    for (const u of this.universes) u.now = 0;
    for (let c = 0; c < CLASSES; c++) {
      const rec = recs[c];
      this.classUniverse[c] = this.counts[c] > 0 ? rec : null;
      if (this.counts[c] === 0) continue;
      rec.now += this.counts[c];
      if (rec.id === 0) this.register(rec, time, this.firstSlot[c]);
    }
    // No transition in progress: what every task runs now is a shipped state.
    if (!k.klpTransitionPatch) {
      const idle = recs[classOf(-1)];
      if (idle.id === 0) this.register(idle, time, this.firstSlot[0]);
      this.ship(idle, time);
    }
  }

  /**
   * A transition ships the universe its completion leaves: it is shipped from the start, even
   * if the transition is reversed or never ends (what the operation ships, not what it reached).
   */
  private designFor(time: number): void {
    this.functions.refresh(this.k);
    const u = completionUniverse(this.k, this.functions);
    if (!u) return;
    const key = keyOf(u);
    this.designed.add(key);
    const rec = this.byKey.get(key);
    if (rec && rec.id !== 0) this.ship(rec, time);
  }

  private ship(rec: UniverseRecord, time: number): void {
    if (rec.shipped) return;
    rec.shipped = true;
    rec.shippedAt = time;
  }

  private recordFor(u: Impl, time: number): UniverseRecord {
    const key = keyOf(u);
    let rec = this.byKey.get(key);
    if (!rec) {
      rec = { id: 0, key, impl: u, shipped: false, shippedAt: null, first: { time, pid: 0 }, origin: this.transitionOrigin ?? time, tasks: 0, now: 0 };
      this.byKey.set(key, rec);
    }
    return rec;
  }

  private register(rec: UniverseRecord, time: number, slot: number): void {
    rec.id = this.universes.length + 1;
    rec.first = { time, pid: slot >= 0 ? this.k.tasks.pid[slot] : 0 };
    rec.origin = this.transitionOrigin ?? time;
    this.universes.push(rec);
    if (this.designed.has(rec.key)) this.ship(rec, time);
    this.checkDependencies(rec);
  }

  /**
   * One pass over the task table: the tasks of each class and the first of each (threads
   * before the idle tasks), each task credited to its class's universe (dead ones once more,
   * for a switch made between the passes).
   */
  private countTasks(recs: UniverseRecord[]): void {
    const t = this.k.tasks;
    const n = t.n;
    if (this.gone.length < n) this.gone = grown(this.gone, n);
    const b = recs.map((r) => this.bitsOf(r, n));
    const added = new Int32Array(CLASSES);
    const counts = countAndCredit(t.patchState, t.sched, n, this.gone, b[0], b[1], b[2], added);
    const from = this.k.firstThread;
    for (let c = 0; c < CLASSES; c++) {
      this.counts[c] = counts[c];
      this.firstSlot[c] = counts[c] ? firstOfClass(t.patchState, t.sched, t.n, from, c - 1) : -1;
      // Two classes sharing one universe share its bits: each task is added once.
      recs[c].tasks += added[c];
    }
  }

  /** The task set of a universe, big enough for `n` slots. */
  private bitsOf(rec: UniverseRecord, n: number): Uint32Array {
    const words = (n + 31) >>> 5;
    let b = this.bits.get(rec);
    if (!b || b.length < words) this.bits.set(rec, (b = grown(b ?? new Uint32Array(0), words)));
    return b;
  }

  /** klp_copy_process() gave `child` its parent's patch_state: it runs that class's universe from now. */
  forked(child: number): void {
    const rec = this.classRec[classOf(this.k.tasks.patchState[child])];
    if (!rec) return;
    const b = this.bitsOf(rec, child + 1);
    const m = 1 << (child & 31);
    if (b[child >>> 5] & m) return;
    b[child >>> 5] |= m;
    rec.tasks++;
  }

  /**
   * Tasks whose implementation of some function changed at this event without a per-task
   * switch: at klp_complete_transition() (tasks leave their class for IDLE), by force, or
   * with the func_stacks changing under a class (a module loading or going, nops discarded).
   */
  private massSwitches(time: number, e: KlpEvent, impl: Impl[], prev: number[]): void {
    const dest = [0, 1, 2];
    const P = classOf(KLP_TRANSITION_PATCHED);
    const U = classOf(KLP_TRANSITION_UNPATCHED);
    if (e.type === 'klp.complete') dest[P] = dest[U] = 0;
    if (e.type === 'klp.init') dest[0] = e.target === KLP_TRANSITION_PATCHED ? U : P;
    if (e.type === 'klp.force') {
      const target = this.k.klpTargetState === KLP_TRANSITION_PATCHED ? P : U;
      dest[target === P ? U : P] = target;
    }
    for (let c = 0; c < CLASSES; c++) {
      if (prev[c] === 0) continue;
      const from = this.classImpl[c];
      const to = impl[dest[c]];
      const fns = differing(from, to);
      const forced = e.type === 'klp.force' && dest[c] !== c;
      if (!fns.length && !forced) continue;
      const patches = new Set<string>();
      for (const f of fns) for (const p of [implOf(from, f), implOf(to, f)]) if (p !== ORIGINAL) patches.add(p);
      const change = fns.map((f) => `${f}: ${implOf(from, f)} -> ${implOf(to, f)}`).join(', ');
      const where =
        e.type === 'klp.complete' ? `at klp_complete_transition() of '${e.patch}'`
        : e.type === 'klp.object' && this.completing ? `at klp_complete_transition() of '${this.transitionPatch}' (klp_unpatch_object() of '${e.patch}' in '${e.object}')`
        : e.type === 'klp.object' ? `when klp_${e.patched ? '' : 'un'}patch_object() ${e.patched ? 'patched' : 'unpatched'} '${e.patch}' in '${e.object}'${this.k.klpTransitionPatch ? '' : ' (a module loading or going)'}`
        : e.type === 'klp.force' ? `by klp_force_transition() of '${e.patch}', no stack check`
        : `at ${e.type}`;
      this.violations.push({
        kind: forced ? 'forced' : 'mass-switch',
        time,
        functions: fns,
        patches: [...patches].sort(),
        tasks: prev[c],
        origin: this.transitionOrigin ?? time,
        detail: `${prev[c]} task${prev[c] === 1 ? '' : 's'} switched together ${where}${change ? `: ${change}` : ''}`,
      });
    }
  }

  private checkDependencies(rec: UniverseRecord): void {
    for (const d of this.dependencies) {
      const held = d.together.filter((x) => implOf(rec.impl, x.function) === x.patch);
      if (held.length === 0 || held.length === d.together.length) continue;
      const missing = d.together.filter((x) => implOf(rec.impl, x.function) !== x.patch);
      this.violations.push({
        kind: 'dependency',
        time: rec.first.time,
        functions: d.together.map((x) => x.function),
        patches: [...new Set(d.together.map((x) => x.patch))],
        tasks: rec,
        origin: rec.origin,
        universe: rec,
        detail: `dependency "${d.name}": runs ${held.map((x) => `${x.function}=${x.patch}`).join(', ')} but ${missing.map((x) => `${x.function}=${implOf(rec.impl, x.function)} (needs ${x.patch})`).join(', ')}`,
      });
    }
  }

  /** The current transition's patch, if one is in progress. */
  get inTransition(): string | null {
    return this.transitionOrigin === null ? null : this.transitionPatch;
  }
}

const DEAD = Sched.DEAD;

/** A copy of `a` at least `min` long (doubling), zero-filled beyond `a`. */
function grown<T extends Uint8Array | Uint32Array>(a: T, min: number): T {
  const out = new (a.constructor as new (n: number) => T)(Math.max(min, a.length * 2, 64));
  out.set(a);
  return out;
}

/**
 * Live tasks per patch_state + 1, and each task's bit set in its class's task set (b0..b2,
 * by patch_state + 1), `added` counting the bits newly set per class. A dead slot is credited
 * once more (its last patch_state), then marked in `gone`. One tight pass.
 */
function countAndCredit(ps: Int8Array, sched: Uint8Array, n: number, gone: Uint8Array, b0: Uint32Array, b1: Uint32Array, b2: Uint32Array, added: Int32Array): Int32Array {
  const counts = new Int32Array(CLASSES);
  for (let s = 0; s < n; s++) {
    const c = ps[s] + 1;
    if (sched[s] === DEAD) {
      if (gone[s]) continue;
      gone[s] = 1;
    } else counts[c]++;
    const b = c === 0 ? b0 : c === 1 ? b1 : b2;
    const w = s >>> 5;
    const m = 1 << (s & 31);
    if ((b[w] & m) === 0) {
      b[w] |= m;
      added[c]++;
    }
  }
  return counts;
}

/** The first live task of a patch_state, threads first, then the idle tasks. */
function firstOfClass(ps: Int8Array, sched: Uint8Array, n: number, from: number, state: number): number {
  for (let s = from; s < n; s++) if (ps[s] === state && sched[s] !== DEAD) return s;
  for (let s = 0; s < Math.min(from, n); s++) if (ps[s] === state && sched[s] !== DEAD) return s;
  return -1;
}
