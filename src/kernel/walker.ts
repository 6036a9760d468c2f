// The hot loops of an attempt (klp_try_complete_transition()'s walk over every thread), bound
// to one TaskTable's arrays. The switch test inside them is SWITCH_RULE (switchRule.ts),
// inlined.
//
// V8 reads a typed array about twice as fast when the array is a constant of the optimised
// code rather than a value it has to reload (measured on the 1M-task walk: about 1.8 ms
// against 4 ms), and it makes captured variables constants only for a function with a single
// closure. So each table gets loops compiled from source of their own (a unique tag defeats
// V8's cache of compiled sources); the arrays are bound once, when the table is created or
// grows. A page whose Content-Security-Policy forbids `new Function` gets the fallback: the
// same loops as closures, written out below and held to the generated ones by
// test/unit/kernel/switchRule.test.ts. The choice is automatic.

import type { Kernel } from './kernel';
import { SWITCH_FAILS_BIT_JS, SWITCH_PASSES_JS, SWITCH_PASSES_QUAD_JS } from './switchRule';
import { Sched, TF, type TaskTable } from './tasks';

const F_LISTED = TF.LISTED;
const LISTED_SHIFT = 31 - Math.clz32(F_LISTED);
const F_UNRELIABLE = TF.UNRELIABLE;
const UNRELIABLE_SHIFT = 31 - Math.clz32(F_UNRELIABLE);
const F_NOT_PENDING = ~TF.PATCH_PENDING & 0xff;
const S_RUNNING = Sched.RUNNING;
/** One byte value in each byte of a 32-bit word. */
const BYTES = 0x01010101;
const HIGH_BITS = 0x80808080 | 0;
const LISTED4 = F_LISTED * BYTES;
const NOT_PENDING4 = F_NOT_PENDING * BYTES;

/** A byte array read four entries at a time (TaskTable's arrays start at offset 0 of their own buffer). */
function words(a: Int8Array | Uint8Array): Int32Array {
  if (a.byteOffset % 4 !== 0) throw new Error('model bug: a task array does not start on a 4-byte boundary');
  return new Int32Array(a.buffer, a.byteOffset, a.length >> 2);
}

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

interface WalkResult {
  stoppedAt: number;
  switched: number;
}

type Loops = Pick<Walker, 'range' | 'list'>;
type MakeLoops = (ps: Int8Array, flags: Uint8Array, sched: Uint8Array, stack: Int32Array, verdict: Int32Array, last: WalkResult) => Loops;

/**
 * The loops each kind of walker provides; range() is composed from them (rangeOf). Each sets
 * last.stoppedAt and last.switched for its own call.
 */
interface Parts {
  /** Slots [from, to), both multiples of four, four at a time; stops where out has no room for four more. */
  quads(out: Int32Array, w: number, from: number, to: number, target: number, current: number): number;
  /** Slots [from, to) one by one; stops at the first blocked one that finds out full. */
  one(out: Int32Array, w: number, from: number, to: number, target: number, current: number): number;
  list: Loops['list'];
}

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

/**
 * klp_try_switch_task() for one thread `s`, as the loops below inline it: a task switches
 * when it is listed, not yet in the target state and passes every check of SWITCH_RULE.
 * The task's flags `f` and stack verdict `v` are read once: rereading them from the arrays
 * in each check (as the rule's expressions did before) made the 1M-task walk about 2.5 times
 * slower than the fallback's closures (8.4 against 4.9 ms, `npm run bench`).
 */
const SWITCH_ONE = `
    if (ps[s] === target) continue;
    const f = flags[s];
    if ((f & ${F_LISTED}) === 0) continue;
    const v = verdict[stack[s]];
    if (${SWITCH_PASSES_JS}) {
      flags[s] = f & ${F_NOT_PENDING};
      ps[s] = target;
      switched++;
    }`;

/**
 * SWITCH_ONE without a branch on the outcome, for a group of four that holds a blocked task
 * (about one group in nine on the bench's machine: the blocked tasks are scattered, so a
 * branch per task mispredicts). A candidate (not in the target state, listed) that passes
 * SWITCH_FAILS_BIT_JS is switched by arithmetic; every task is stored at out[w] and w
 * advances past the blocked candidates only, so out needs room for one more entry than it
 * keeps.
 */
const BRANCH_FREE_ONE = `
          const p = ps[s];
          const f = flags[s];
          const sc = sched[s];
          const v = verdict[stack[s]];
          const d = p ^ target;
          const cand = (((d | -d) >>> 31) & (f >>> ${LISTED_SHIFT})) & 1;
          const fail = ${SWITCH_FAILS_BIT_JS};
          const sw = cand & (fail ^ 1);
          ps[s] = p ^ (d & -sw);
          flags[s] = f & ~(sw * ${TF.PATCH_PENDING});
          out[w] = s;
          w += cand & fail;
          switched += sw;`;

/**
 * quads(): when all four tasks of a word are pending, listed and pass SWITCH_PASSES_QUAD_JS
 * they switch together (two word writes); otherwise the four go through BRANCH_FREE_ONE.
 */
const WALKER_SOURCE = `
  const ps4 = words(ps);
  const fl4 = words(flags);
  const sc4 = words(sched);
  return {
    quads(out, w, from, to, target, current) {
      const cap = out.length;
      const tw = target * ${BYTES};
      let switched = 0;
      let s = from;
      while (s < to && w + 4 <= cap) {
        const i = s >> 2;
        const pw = ps4[i] ^ tw;
        const fw = fl4[i];
        if (((pw - ${BYTES}) & ~pw & ${HIGH_BITS}) === 0 && (fw & ${LISTED4}) === ${LISTED4}) {
          const sw = sc4[i];
          const v4 = verdict[stack[s]] & verdict[stack[s + 1]] & verdict[stack[s + 2]] & verdict[stack[s + 3]];
          if (${SWITCH_PASSES_QUAD_JS}) {
            ps4[i] = tw;
            fl4[i] = fw & ${NOT_PENDING4};
            switched += 4;
            s += 4;
            continue;
          }
        }
        const b = s;${[0, 1, 2, 3].map((j) => `
        {
          const s = b + ${j};${BRANCH_FREE_ONE}
        }`).join('')}
        s += 4;
      }
      last.stoppedAt = s;
      last.switched = switched;
      return w;
    },
    one(out, w, from, to, target, current) {
      const cap = out.length;
      let switched = 0;
      let s = from;
      for (; s < to; s++) {${SWITCH_ONE} else {
          if (w === cap) break;
          out[w++] = s;
        }
      }
      last.stoppedAt = s;
      last.switched = switched;
      return w;
    },
    list(list, len, target, current) {
      let w = 0;
      let switched = 0;
      for (let i = 0; i < len; i++) {
        const s = list[i];${SWITCH_ONE} else list[w++] = s;
      }
      last.switched = switched;
      return w;
    },
  };`;

let walkerTag = 0;

/** The generated loops: SWITCH_RULE compiled in, the arrays bound as constants. */
export const compiledLoops: MakeLoops = (ps, flags, sched, stack, verdict, last) => {
  const bind = new Function('words', 'ps', 'flags', 'sched', 'stack', 'verdict', 'last', `// attempt walker ${++walkerTag}\n${WALKER_SOURCE}`) as (w: typeof words, ...a: Parameters<MakeLoops>) => Parts;
  const parts = bind(words, ps, flags, sched, stack, verdict, last);
  return { range: rangeOf(parts, last), list: parts.list };
};

/** The fallback when `new Function` is forbidden: the same loops as closures (SWITCH_RULE written out in its order). */
export const fallbackLoops: MakeLoops = (ps, flags, sched, stack, verdict, last) => {
  // The module's constants as locals of this function: the loops below read as module-level
  // consts ran about 1.45 times as slowly (3.8 against 2.6 times the table touch; the
  // generated loops have them as literals).
  const sRunning = S_RUNNING;
  const fListed = F_LISTED;
  const fUnreliable = F_UNRELIABLE;
  const fPending = TF.PATCH_PENDING;
  const fNotPending = F_NOT_PENDING;
  const listedShift = LISTED_SHIFT;
  const unreliableShift = UNRELIABLE_SHIFT;
  const bytes = BYTES;
  const highBits = HIGH_BITS;
  const listed4 = LISTED4;
  const notPending4 = NOT_PENDING4;
  const switches = (s: number, f: number, current: number): boolean => {
    if (sched[s] === sRunning && s !== current) return false;
    if ((f & fUnreliable) !== 0) return false;
    const v = verdict[stack[s]];
    return v !== -2 && !(v >= 0);
  };
  /** SWITCH_PASSES_QUAD_JS written out: none of the four running, none unreliable, four clean stacks. */
  const quadSwitches = (sw: number, fw: number, v4: number): boolean => {
    const running = sw ^ (sRunning * bytes);
    return ((running - bytes) & ~running & highBits) === 0 && (fw & (fUnreliable * bytes)) === 0 && v4 === -1;
  };
  /** SWITCH_FAILS_BIT_JS written out: 1 when the task may not switch, else 0 (no branch). */
  const failsBit = (s: number, sc: number, f: number, v: number, current: number): number => {
    const notCurrent = ((s ^ current) | -(s ^ current)) >>> 31;
    const running = 1 ^ (((sc ^ sRunning) | -(sc ^ sRunning)) >>> 31);
    const unreliable = (f >>> unreliableShift) & 1;
    const unwindable = 1 ^ (((v + 2) | -(v + 2)) >>> 31);
    return (running & notCurrent) | unreliable | unwindable | (~v >>> 31);
  };
  /** BRANCH_FREE_ONE for task s: switches it or not by arithmetic; 1 when blocked, 2 when switched, else 0. */
  const step = (s: number, target: number, current: number): number => {
    const p = ps[s];
    const f = flags[s];
    const d = p ^ target;
    const cand = (((d | -d) >>> 31) & (f >>> listedShift)) & 1;
    const fail = failsBit(s, sched[s], f, verdict[stack[s]], current);
    const sw = cand & (fail ^ 1);
    ps[s] = p ^ (d & -sw);
    flags[s] = f & ~(sw * fPending);
    return (cand & fail) | (sw << 1);
  };
  const ps4 = words(ps);
  const fl4 = words(flags);
  const sc4 = words(sched);
  const parts: Parts = {
    quads(out, w, from, to, target, current) {
      const cap = out.length;
      const tw = target * bytes;
      let switched = 0;
      let s = from;
      while (s < to && w + 4 <= cap) {
        const i = s >> 2;
        const pw = ps4[i] ^ tw;
        const fw = fl4[i];
        if (((pw - bytes) & ~pw & highBits) === 0 && (fw & listed4) === listed4) {
          const v4 = verdict[stack[s]] & verdict[stack[s + 1]] & verdict[stack[s + 2]] & verdict[stack[s + 3]];
          if (quadSwitches(sc4[i], fw, v4)) {
            ps4[i] = tw;
            fl4[i] = fw & notPending4;
            switched += 4;
            s += 4;
            continue;
          }
        }
        // BRANCH_FREE_ONE written out, for each of the four (unrolled: a loop here measured
        // about 20% slower): bit 0 of step() tells whether the task is a blocked candidate,
        // bit 1 whether it switched.
        const r0 = step(s, target, current);
        out[w] = s;
        w += r0 & 1;
        const r1 = step(s + 1, target, current);
        out[w] = s + 1;
        w += r1 & 1;
        const r2 = step(s + 2, target, current);
        out[w] = s + 2;
        w += r2 & 1;
        const r3 = step(s + 3, target, current);
        out[w] = s + 3;
        w += r3 & 1;
        switched += (r0 >> 1) + (r1 >> 1) + (r2 >> 1) + (r3 >> 1);
        s += 4;
      }
      last.stoppedAt = s;
      last.switched = switched;
      return w;
    },
    one(out, w, from, to, target, current) {
      const cap = out.length;
      let switched = 0;
      let s = from;
      for (; s < to; s++) {
        if (ps[s] === target) continue;
        const f = flags[s];
        if ((f & fListed) === 0) continue;
        if (switches(s, f, current)) {
          flags[s] = f & fNotPending;
          ps[s] = target;
          switched++;
        } else {
          if (w === cap) break;
          out[w++] = s;
        }
      }
      last.stoppedAt = s;
      last.switched = switched;
      return w;
    },
    list(list, len, target, current) {
      let kept = 0;
      let n = 0;
      for (let i = 0; i < len; i++) {
        const s = list[i];
        if (ps[s] === target) continue;
        const f = flags[s];
        if ((f & fListed) === 0) continue;
        if (switches(s, f, current)) {
          flags[s] = f & fNotPending;
          ps[s] = target;
          n++;
        } else list[kept++] = s;
      }
      last.switched = n;
      return kept;
    },
  };
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
