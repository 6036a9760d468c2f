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
import { SWITCH_PASSES_JS, SWITCH_PASSES_QUAD_JS } from './switchRule';
import { Sched, TF, type TaskTable } from './tasks';

const F_LISTED = TF.LISTED;
const F_UNRELIABLE = TF.UNRELIABLE;
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

/** The tasks [s, end) one by one; sets 'full' and stops at the first that finds 'out' full. */
const ONE_BY_ONE = (end: string) => `
      for (; s < ${end}; s++) {${SWITCH_ONE} else {
          if (w === cap) {
            full = true;
            break;
          }
          out[w++] = s;
        }
      }`;

/**
 * range(): four tasks at a time where the slots are word-aligned. When all four are pending,
 * listed and pass SWITCH_PASSES_QUAD_JS they switch together (two word writes); otherwise,
 * and before and after the aligned words, task by task.
 */
const WALKER_SOURCE = `
  const ps4 = words(ps);
  const fl4 = words(flags);
  const sc4 = words(sched);
  return {
    range(out, w, from, to, target, current) {
      const cap = out.length;
      const tw = target * ${BYTES};
      let switched = 0;
      let full = false;
      let s = from;
      const head = Math.min(to, (from + 3) & -4);${ONE_BY_ONE('head')}
      const body = to & -4;
      while (!full && s < body) {
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
        if (w + 4 <= cap) {
          // Unrolled: the four tasks one by one with room for all of them in out.
          const b = s;${[0, 1, 2, 3].map((j) => `
          {
            const s = b + ${j};
            if (ps[s] !== target) {
              const f = flags[s];
              if ((f & ${F_LISTED}) !== 0) {
                const v = verdict[stack[s]];
                if (${SWITCH_PASSES_JS}) {
                  flags[s] = f & ${F_NOT_PENDING};
                  ps[s] = target;
                  switched++;
                } else out[w++] = s;
              }
            }
          }`).join('')}
          s += 4;
          continue;
        }
        const end = s + 4;${ONE_BY_ONE('end')}
      }
      if (!full) {${ONE_BY_ONE('to')}
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
  const bind = new Function('words', 'ps', 'flags', 'sched', 'stack', 'verdict', 'last', `// attempt walker ${++walkerTag}\n${WALKER_SOURCE}`) as (w: typeof words, ...a: Parameters<MakeLoops>) => Loops;
  return bind(words, ps, flags, sched, stack, verdict, last);
};

/** The fallback when `new Function` is forbidden: the same loops as closures (SWITCH_RULE written out in its order). */
export const fallbackLoops: MakeLoops = (ps, flags, sched, stack, verdict, last) => {
  const switches = (s: number, f: number, current: number): boolean => {
    if (sched[s] === S_RUNNING && s !== current) return false;
    if ((f & F_UNRELIABLE) !== 0) return false;
    const v = verdict[stack[s]];
    return v !== -2 && !(v >= 0);
  };
  /** SWITCH_PASSES_QUAD_JS written out: none of the four running, none unreliable, four clean stacks. */
  const quadSwitches = (sw: number, fw: number, v4: number): boolean => {
    const running = sw ^ (S_RUNNING * BYTES);
    return ((running - BYTES) & ~running & HIGH_BITS) === 0 && (fw & (F_UNRELIABLE * BYTES)) === 0 && v4 === -1;
  };
  const ps4 = words(ps);
  const fl4 = words(flags);
  const sc4 = words(sched);
  let w = 0;
  let switched = 0;
  let full = false;
  /** The tasks [s, end) one by one into out[w..]; returns where it stopped (sets full when out filled up). */
  const oneByOne = (out: Int32Array, s: number, end: number, target: number, current: number): number => {
    const cap = out.length;
    for (; s < end; s++) {
      if (ps[s] === target) continue;
      const f = flags[s];
      if ((f & F_LISTED) === 0) continue;
      if (switches(s, f, current)) {
        flags[s] = f & F_NOT_PENDING;
        ps[s] = target;
        switched++;
      } else {
        if (w === cap) {
          full = true;
          break;
        }
        out[w++] = s;
      }
    }
    return s;
  };
  return {
    range(out, w0, from, to, target, current) {
      const tw = target * BYTES;
      w = w0;
      switched = 0;
      full = false;
      let s = oneByOne(out, from, Math.min(to, (from + 3) & -4), target, current);
      const body = to & -4;
      while (!full && s < body) {
        const i = s >> 2;
        const pw = ps4[i] ^ tw;
        const fw = fl4[i];
        if (((pw - BYTES) & ~pw & HIGH_BITS) === 0 && (fw & LISTED4) === LISTED4) {
          const v4 = verdict[stack[s]] & verdict[stack[s + 1]] & verdict[stack[s + 2]] & verdict[stack[s + 3]];
          if (quadSwitches(sc4[i], fw, v4)) {
            ps4[i] = tw;
            fl4[i] = fw & NOT_PENDING4;
            switched += 4;
            s += 4;
            continue;
          }
        }
        s = oneByOne(out, s, s + 4, target, current);
      }
      if (!full) s = oneByOne(out, s, to, target, current);
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
        if ((f & F_LISTED) === 0) continue;
        if (switches(s, f, current)) {
          flags[s] = f & F_NOT_PENDING;
          ps[s] = target;
          n++;
        } else list[kept++] = s;
      }
      last.switched = n;
      return kept;
    },
  };
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

/** Threads per range() call of a walk over every thread. */
const WALK_CHUNK = 4096;

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
    // Chunks keep each call short, so V8 optimises range() as a function rather than entering
    // it by on-stack replacement, whose code runs the loop about twice as slowly.
    const end = Math.min(to, from + WALK_CHUNK);
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
