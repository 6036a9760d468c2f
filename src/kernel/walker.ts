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
import { SWITCH_PASSES_JS } from './switchRule';
import { Sched, TF, type TaskTable } from './tasks';

const F_LISTED = TF.LISTED;
const F_NOT_PENDING = ~TF.PATCH_PENDING & 0xff;

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

const WALKER_SOURCE = `
  return {
    range(out, w, from, to, target, current) {
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
  const bind = new Function('ps', 'flags', 'sched', 'stack', 'verdict', 'last', `// attempt walker ${++walkerTag}\n${WALKER_SOURCE}`) as MakeLoops;
  return bind(ps, flags, sched, stack, verdict, last);
};

/** The fallback when `new Function` is forbidden: the same loops as closures (SWITCH_RULE written out in its order). */
export const fallbackLoops: MakeLoops = (ps, flags, sched, stack, verdict, last) => {
  const RUNNING: number = Sched.RUNNING;
  const switches = (s: number, f: number, current: number): boolean => {
    if (sched[s] === RUNNING && s !== current) return false;
    if ((f & TF.UNRELIABLE) !== 0) return false;
    const v = verdict[stack[s]];
    return v !== -2 && !(v >= 0);
  };
  return {
    range(out, w, from, to, target, current) {
      const cap = out.length;
      let switched = 0;
      let s = from;
      for (; s < to; s++) {
        if (ps[s] === target) continue;
        const f = flags[s];
        if ((f & F_LISTED) === 0) continue;
        if (switches(s, f, current)) {
          flags[s] = f & F_NOT_PENDING;
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
      let w = 0;
      let switched = 0;
      for (let i = 0; i < len; i++) {
        const s = list[i];
        if (ps[s] === target) continue;
        const f = flags[s];
        if ((f & F_LISTED) === 0) continue;
        if (switches(s, f, current)) {
          flags[s] = f & F_NOT_PENDING;
          ps[s] = target;
          switched++;
        } else list[w++] = s;
      }
      last.switched = switched;
      return w;
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
