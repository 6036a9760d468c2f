// The attempt walker's loops as source text (klp_try_complete_transition()'s walk over every
// thread, SWITCH_RULE of switchRule.ts inlined), and the one place they are written. walker.ts
// compiles them per task table with `new Function` (the arrays bound as constants of the
// code); a page whose Content-Security-Policy forbids that runs walkerFallback.ts, the same
// source written out as a module by `npm run walker` (fallbackModuleText() below), which
// test/unit/kernel/walkerFallback.test.ts holds to this text.

import { SWITCH_FAILS_BIT_JS, SWITCH_PASSES_JS, SWITCH_PASSES_QUAD_JS } from './switchRule';
import { TF } from './tasks';

const F_LISTED = TF.LISTED;
const LISTED_SHIFT = 31 - Math.clz32(F_LISTED);
const F_NOT_PENDING = ~TF.PATCH_PENDING & 0xff;
/** One byte value in each byte of a 32-bit word. */
const BYTES = 0x01010101;
const HIGH_BITS = 0x80808080 | 0;
const LISTED4 = F_LISTED * BYTES;
const NOT_PENDING4 = F_NOT_PENDING * BYTES;

/** A byte array read four entries at a time (TaskTable's arrays start at offset 0 of their own buffer). */
export function words(a: Int8Array | Uint8Array): Int32Array {
  if (a.byteOffset % 4 !== 0) throw new Error('model bug: a task array does not start on a 4-byte boundary');
  return new Int32Array(a.buffer, a.byteOffset, a.length >> 2);
}

/** What the last call of a loop did: where range() stopped (to, unless out filled up) and how many tasks it switched. */
export interface WalkResult {
  stoppedAt: number;
  switched: number;
}

/**
 * The loops each kind of walker provides; range() is composed from them (rangeOf). Each sets
 * last.stoppedAt and last.switched for its own call.
 */
export interface Parts {
  /** Slots [from, to), both multiples of four, four at a time; stops where out has no room for four more. */
  quads(out: Int32Array, w: number, from: number, to: number, target: number, current: number): number;
  /** Slots [from, to) one by one; stops at the first blocked one that finds out full. */
  one(out: Int32Array, w: number, from: number, to: number, target: number, current: number): number;
  /** The same over the slots of list[0..len), compacting the blocked ones in place; returns their count. */
  list(list: Int32Array, len: number, target: number, current: number): number;
}

/**
 * klp_try_switch_task() for one thread `s`, as the loops below inline it: a task switches
 * when it is listed, not yet in the target state and passes every check of SWITCH_RULE.
 * The task's flags `f` and stack verdict `v` are read once: rereading them from the arrays
 * in each check (as the rule's expressions did before) made the 1M-task walk about 2.5 times
 * slower than the hand-written closures the fallback then was (8.4 against 4.9 ms, `npm run bench`).
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
export const WALKER_SOURCE = `
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


/** The parameters WALKER_SOURCE is the body of, in order. */
export const WALKER_PARAMS = ['words', 'ps', 'flags', 'sched', 'stack', 'verdict', 'last'] as const;

/** The text of walkerFallback.ts: WALKER_SOURCE as the body of an ordinary function. */
export function fallbackModuleText(): string {
  return `// Generated by \`npm run walker\` from src/kernel/walkerSource.ts: do not edit.
// The attempt walker's loops for pages that forbid \`new Function\` (walker.ts chooses);
// test/unit/kernel/walkerFallback.test.ts fails when this file is not the generator's output.

import type { Parts, WalkResult } from './walkerSource';

export function fallbackParts(
  words: (a: Int8Array | Uint8Array) => Int32Array,
  ps: Int8Array,
  flags: Uint8Array,
  sched: Uint8Array,
  stack: Int32Array,
  verdict: Int32Array,
  last: WalkResult,
): Parts {${WALKER_SOURCE}
}
`;
}
