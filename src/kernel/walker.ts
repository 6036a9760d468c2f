// The hot loops of an attempt (klp_try_complete_transition()'s walk over every thread), bound
// to one TaskTable's arrays. Their source, SWITCH_RULE (switchRule.ts) inlined, is
// walkerSource.ts.
//
// V8 reads a typed array about twice as fast when the array is a constant of the optimised
// code rather than a value it has to reload (measured on the 1M-task walk: about 1.8 ms
// against 4 ms), and it makes captured variables constants only for a function with a single
// closure. So each table gets loops compiled from source of their own (a unique tag defeats
// V8's cache of compiled sources); the arrays are bound once, when the table is created or
// grows. A page whose Content-Security-Policy forbids `new Function` gets the fallback: the
// same source as a module (walkerFallback.ts, generated), as fast while one task table
// exists (V8 then specialises its closures to that table), slower with several. The choice is
// automatic; test/unit/kernel/switchRule.test.ts holds both to the reference check.

import type { Kernel } from './kernel';
import { fallbackParts } from './walkerFallback';
import { WALKER_PARAMS, WALKER_SOURCE, words, type Parts, type WalkResult } from './walkerSource';
import { TF, type TaskTable } from './tasks';

interface Walker {
  ps: Int8Array;
  flags: Uint8Array;
  sched: Uint8Array;
  stack: Int32Array;
  /** The stack verdicts array (StackVerdicts.all()), reallocated only when the trie outgrows it. */
  verdict: Int32Array;
  /** for_each_process_thread() over slots [from, to): blocked slots go to out[w..]; returns the new w. */
  range(out: Int32Array, w: number, from: number, to: number, target: number, current: number): number;
  /** The same over the slots of list[0..len), compacting the blocked ones in place; returns their count. */
  list(list: Int32Array, len: number, target: number, current: number): number;
  /** Where range() stopped (to, unless out filled up) and how many tasks the last call switched. */
  last: WalkResult;
}

type Loops = Pick<Walker, 'range' | 'list'>;
type MakeLoops = (ps: Int8Array, flags: Uint8Array, sched: Uint8Array, stack: Int32Array, verdict: Int32Array, last: WalkResult) => Loops;

/**
 * range() from the parts: the slots before the first word boundary and after the last one
 * task by task, the words between four at a time, and task by task again from where quads()
 * stopped when out ran short of room. quads() thus holds no path that runs only at a chunk's
 * edge or once per walk: V8 compiled it before such a path had ever run and left it on the
 * path's first run (a deopt for want of type feedback), and what it compiled next (on-stack
 * replacement code, or code for the function) decided whether the walk ran at about 2.7 or
 * 4.2 times the table touch, differently for each table: the "first kernel" oddity.
 */
function rangeOf(p: Parts, last: WalkResult): Loops['range'] {
  return (out, w, from, to, target, current) => {
    const head = Math.min(to, (from + 3) & -4);
    w = p.one(out, w, from, head, target, current);
    let switched = last.switched;
    if (last.stoppedAt < head) return w;
    const body = Math.max(head, to & -4);
    w = p.quads(out, w, head, body, target, current);
    switched += last.switched;
    w = p.one(out, w, last.stoppedAt, to, target, current);
    last.switched += switched;
    return w;
  };
}

let walkerTag = 0;

/** The generated loops: SWITCH_RULE compiled in, the arrays bound as constants. */
export const compiledLoops: MakeLoops = (ps, flags, sched, stack, verdict, last) => {
  const bind = new Function(...WALKER_PARAMS, `// attempt walker ${++walkerTag}\n${WALKER_SOURCE}`) as (w: typeof words, ...a: Parameters<MakeLoops>) => Parts;
  const parts = bind(words, ps, flags, sched, stack, verdict, last);
  return { range: rangeOf(parts, last), list: parts.list };
};

/** The fallback when `new Function` is forbidden: the same source, generated into a module. */
export const fallbackLoops: MakeLoops = (ps, flags, sched, stack, verdict, last) => {
  const parts = fallbackParts(words, ps, flags, sched, stack, verdict, last);
  return { range: rangeOf(parts, last), list: parts.list };
};

/** Whether this page may compile code (a Content-Security-Policy without 'unsafe-eval' forbids it). */
function canCompile(): boolean {
  try {
    return (new Function('return 1') as () => number)() === 1;
  } catch {
    return false;
  }
}

let choice: 'auto' | 'compiled' | 'fallback' = 'auto';
let makeLoops: MakeLoops | undefined;

/** Which loops new walkers use: chosen by canCompile() ('auto'), or forced (tests and `npm run bench`). */
export function useWalkerLoops(c: 'auto' | 'compiled' | 'fallback'): void {
  choice = c;
  makeLoops = undefined;
}

/** The loops new walkers get now: 'compiled' or 'fallback'. */
export function walkerLoopsKind(): 'compiled' | 'fallback' {
  if (choice !== 'auto') return choice;
  return canCompile() ? 'compiled' : 'fallback';
}

const walkers = new WeakMap<TaskTable, Walker>();

function walkerFor(t: TaskTable, verdict: Int32Array): Walker {
  const w = walkers.get(t);
  if (w && w.ps === t.patchState && w.flags === t.flags && w.sched === t.sched && w.stack === t.stack && w.verdict === verdict) return w;
  makeLoops ??= walkerLoopsKind() === 'compiled' ? compiledLoops : fallbackLoops;
  const last: WalkResult = { stoppedAt: 0, switched: 0 };
  const loops = makeLoops(t.patchState, t.flags, t.sched, t.stack, verdict, last);
  const made: Walker = { ps: t.patchState, flags: t.flags, sched: t.sched, stack: t.stack, verdict, last, range: loops.range, list: loops.list };
  walkers.set(t, made);
  return made;
}

/**
 * Threads per range() call of a walk over every thread. Chunks keep each call short enough
 * that V8 optimises quads() as a function rather than only entering it by on-stack
 * replacement, whose code runs the loop about 1.6 times as slowly (one call for the whole
 * walk: 3.8 against 2.4 times the table touch); few enough that this loop, which V8 leaves
 * unoptimised for the first dozens of attempts (it runs once per attempt), costs nothing
 * (4096 threads a chunk: 245 calls, about a quarter of a millisecond per attempt there).
 */
const WALK_CHUNK = 65536;
/**
 * Threads in the first call of each walk: short, so that the first call a walker ever gets
 * returns before V8 compiles its loop by on-stack replacement. Compiled in the middle of a
 * first long call, that code has no type feedback for what follows the loop
 * (last.stoppedAt = s), leaves at its end on every later call (--trace-deopt: 'Insufficient
 * type feedback for generic named access'), and V8 keeps entering it: the walk ran at 3.2
 * instead of 2.3 times the table touch under tsx.
 */
const FIRST_CHUNK = 4096;

/**
 * The walk of an attempt with reliable stacks: one pass over the shared trie gives every
 * stack's klp_check_stack() verdict, then only the threads that may still be pending are
 * visited (all of them on the first attempt after klp_start_transition()), in task-list
 * order. Leaves the blocked ones in k.klpPending; returns how many threads were checked.
 */
export function walkThreads(k: Kernel, target: number): number {
  const t = k.tasks;
  const pend = k.klpPending;
  const verdict = k.verdicts.all();
  const walker = walkerFor(t, verdict);
  if (!pend.all) {
    const blocked = walker.list(pend.slots, pend.len, target, k.current);
    pend.len = blocked;
    return blocked + walker.last.switched;
  }
  const to = t.n;
  let from = k.firstThread;
  let blocked = 0;
  let switched = 0;
  pend.reserve(Math.min(to - from, 1024), 0);
  while (from < to) {
    const end = Math.min(to, from + (from === k.firstThread ? FIRST_CHUNK : WALK_CHUNK));
    blocked = walker.range(pend.slots, blocked, from, end, target, k.current);
    switched += walker.last.switched;
    from = walker.last.stoppedAt;
    if (from < end) pend.reserve(pend.slots.length * 2, blocked);
  }
  pend.all = false;
  pend.len = blocked;
  return blocked + switched;
}

/** Without reliable stack traces no listed task can be switched by the walk: keep the pending ones. */
export function collectPending(k: Kernel, target: number): void {
  const t = k.tasks;
  const pend = k.klpPending;
  const keep = (s: number) => t.patchState[s] !== target && (t.flags[s] & TF.LISTED) !== 0;
  let w = 0;
  if (pend.all) {
    for (let s = k.firstThread; s < t.n; s++) {
      if (!keep(s)) continue;
      pend.reserve(w + 1, w);
      pend.slots[w++] = s;
    }
  } else {
    for (let i = 0; i < pend.len; i++) if (keep(pend.slots[i])) pend.slots[w++] = pend.slots[i];
  }
  pend.all = false;
  pend.len = w;
}
