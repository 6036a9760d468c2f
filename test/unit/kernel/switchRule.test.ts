// One rule, one place (issue 13): "can this task switch" is SWITCH_RULE (src/kernel/switchRule.ts);
// the attempt walker's generated loops, its fallback for pages that forbid `new Function`,
// the reference check (explainSwitch) and the views' classifyTasks all derive from it. Each
// derived copy is compared with the reference here.

import { afterEach, describe, expect, it, vi } from 'vitest';
import { classifyTasks, Reason } from '../../../src/engine/blockers';
import { Sched, TF } from '../../../src/kernel/tasks';
import { firstFailedCheck, SWITCH_FAILS_BIT_JS, SWITCH_PASSES_QUAD_JS, SWITCH_RULE } from '../../../src/kernel/switchRule';
import { explainSwitch } from '../../../src/kernel/transition';
import { compiledLoops, fallbackLoops, useWalkerLoops, walkerLoopsKind } from '../../../src/kernel/walker';
import { Prng } from '../../../src/kernel/prng';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CASES, GOLDEN_DIR, transcript } from '../../conformance/goldens';
import { enable, walkMachine } from '../../support/walkMachine';

afterEach(() => {
  useWalkerLoops('auto');
  vi.unstubAllGlobals();
});

const SCHEDS = Object.values(Sched) as number[];
const VERDICTS = [-2, -1, 0, 3];

describe('SWITCH_RULE', () => {
  it('each check says the same as a predicate and as the JavaScript the walker inlines, for every input', () => {
    for (const c of SWITCH_RULE) {
      const js = new Function('sched', 'f', 'v', 's', 'current', `return ${c.failsJs};`) as (...a: unknown[]) => boolean;
      for (const sched of SCHEDS) for (const flags of [0, TF.UNRELIABLE, TF.LISTED | TF.UNRELIABLE, TF.LISTED]) for (const v of VERDICTS) for (const cur of [false, true]) {
        const got = js(Uint8Array.of(sched), flags, v, 0, cur ? 0 : 1);
        expect(got, `${c.reason} sched=${sched} flags=${flags} verdict=${v} current=${cur}`).toBe(c.fails(sched, flags, v, cur));
      }
    }
  });

  it('each check’s branch-free form is 1 exactly when the check fails, and the whole rule’s is 1 exactly when some check fails', () => {
    const bitOf = (expr: string) => new Function('sc', 'f', 'v', 's', 'current', `return ${expr};`) as (...a: number[]) => number;
    const whole = bitOf(SWITCH_FAILS_BIT_JS);
    let failing = 0;
    for (const sched of SCHEDS) for (const flags of [0, TF.UNRELIABLE, TF.LISTED | TF.UNRELIABLE, TF.LISTED, 0xff]) for (const v of [...VERDICTS, 49, 0x7fffffff]) for (const [s, current] of [[5, 5], [5, 6], [0, -1], [7, 0]]) {
      const at = `sched=${sched} flags=${flags} verdict=${v} slot=${s} current=${current}`;
      for (const c of SWITCH_RULE) expect(bitOf(c.failsBitJs)(sched, flags, v, s, current), `${c.reason} ${at}`).toBe(c.fails(sched, flags, v, s === current) ? 1 : 0);
      const fails = firstFailedCheck(sched, flags, v, s === current) >= 0;
      expect(whole(sched, flags, v, s, current), at).toBe(fails ? 1 : 0);
      if (fails) failing++;
    }
    expect(failing).toBeGreaterThan(100);
  });

  it('four tasks at once: SWITCH_PASSES_QUAD_JS holds only when each of the four passes every check', () => {
    const quad = new Function('sw', 'fw', 'v4', `return ${SWITCH_PASSES_QUAD_JS};`) as (sw: number, fw: number, v4: number) => boolean;
    const r = new Prng(7);
    const pick = <T>(a: readonly T[]) => a[Math.floor(r.next() * a.length)];
    let held = 0;
    for (let i = 0; i < 20_000; i++) {
      const easy = r.next() < 0.5;
      const sched = Array.from({ length: 4 }, () => (easy ? pick([Sched.INTERRUPTIBLE, Sched.RUNNABLE, Sched.UNINTERRUPTIBLE]) : pick(SCHEDS)));
      const flags = Array.from({ length: 4 }, () => (easy ? TF.LISTED : pick([0, TF.UNRELIABLE, TF.LISTED | TF.UNRELIABLE, TF.LISTED, 0xff])));
      const verdicts = Array.from({ length: 4 }, () => (easy && r.next() < 0.9 ? -1 : pick(VERDICTS)));
      const word = (b: number[]) => new Int32Array(Uint8Array.from(b).buffer)[0];
      const v4 = verdicts.reduce((a, v) => a & v, -1);
      if (!quad(word(sched), word(flags), v4)) continue;
      held++;
      for (let j = 0; j < 4; j++) expect(firstFailedCheck(sched[j], flags[j], verdicts[j], false), `task ${j} of ${sched} ${flags} ${verdicts}`).toBe(-1);
    }
    expect(held).toBeGreaterThan(1000);
  });

  it('is checked in the kernel’s order: running, then an unreliable stack, then a forbidden function', () => {
    expect(SWITCH_RULE.map((c) => [c.reason, c.errno])).toEqual([['running', -16], ['unreliable', -22], ['unreliable', -22], ['sleeping', -98]]);
    expect(firstFailedCheck(Sched.RUNNING, TF.UNRELIABLE, 0, false)).toBe(0);
    expect(firstFailedCheck(Sched.RUNNING, TF.UNRELIABLE, 0, true)).toBe(1);
    expect(firstFailedCheck(Sched.INTERRUPTIBLE, 0, 2, false)).toBe(3);
    expect(firstFailedCheck(Sched.INTERRUPTIBLE, 0, -1, false)).toBe(-1);
  });
});

/**
 * Random task arrays: every sched state, flags, stack verdicts and patch states. A share
 * `clean` of the tasks is pending, listed, asleep on a clean stack (they switch), so runs of
 * four take the walker's four-at-a-time path and the odd one among them does not.
 */
function randomTable(n: number, seed: number, clean = 0) {
  const r = new Prng(seed);
  const rand = () => r.next();
  const pick = <T>(a: readonly T[]) => a[Math.floor(rand() * a.length)];
  const ps = new Int8Array(n);
  const flags = new Uint8Array(n);
  const sched = new Uint8Array(n);
  const stack = new Int32Array(n);
  const verdict = Int32Array.from({ length: 16 }, () => pick(VERDICTS));
  for (let s = 0; s < n; s++) {
    ps[s] = pick([0, 1]);
    flags[s] = (rand() < 0.9 ? TF.LISTED : 0) | (rand() < 0.1 ? TF.UNRELIABLE : 0) | (ps[s] === 0 ? TF.PATCH_PENDING : 0);
    sched[s] = pick(SCHEDS);
    stack[s] = Math.floor(rand() * verdict.length);
    if (rand() < clean) {
      ps[s] = 0;
      flags[s] = TF.LISTED | TF.PATCH_PENDING | (rand() < 0.5 ? TF.KTHREAD : 0);
      sched[s] = pick([Sched.INTERRUPTIBLE, Sched.UNINTERRUPTIBLE, Sched.RUNNABLE]);
      stack[s] = 0;
    }
  }
  verdict[0] = -1;
  return { ps, flags, sched, stack, verdict };
}

describe('the walker’s loops against the reference', () => {
  for (const [name, make] of [['generated', compiledLoops], ['fallback', fallbackLoops]] as const) {
    it(`${name}: range() and list() switch exactly the tasks firstFailedCheck() lets through, and keep the rest in order`, () => {
      for (let run = 1; run <= 40; run++) {
        const seed = (run + 1) >> 1;
        // Odd runs: random tasks; even runs: mostly switching ones, walked from an unaligned
        // slot in unaligned chunks (the four-at-a-time path, its edges and a full out buffer).
        const t = randomTable(500, seed, run % 2 ? 0 : 0.97);
        const first = run % 2 ? 0 : seed % 4;
        const chunk = run % 2 ? 64 : 61;
        const want = { ps: t.ps.slice(), flags: t.flags.slice(), blocked: [] as number[] };
        const current = seed % 7;
        for (let s = first; s < 500; s++) {
          if (t.ps[s] === 1 || !(t.flags[s] & TF.LISTED)) continue;
          if (firstFailedCheck(t.sched[s], t.flags[s], t.verdict[t.stack[s]], s === current) < 0) {
            want.ps[s] = 1;
            want.flags[s] &= ~TF.PATCH_PENDING;
          } else want.blocked.push(s);
        }
        // range() over everything, in chunks, into a list that has to grow.
        const a = { ps: t.ps.slice(), flags: t.flags.slice() };
        const last = { stoppedAt: 0, switched: 0 };
        const loops = make(a.ps, a.flags, t.sched, t.stack, t.verdict, last);
        let out = new Int32Array(8);
        let w = 0;
        for (let from = first; from < 500; ) {
          w = loops.range(out, w, from, Math.min(500, from + chunk), 1, current);
          from = last.stoppedAt;
          if (w === out.length) {
            const grown = new Int32Array(out.length * 2);
            grown.set(out);
            out = grown;
          }
        }
        expect(Array.from(out.subarray(0, w))).toEqual(want.blocked);
        expect(a.ps).toEqual(want.ps);
        expect(a.flags).toEqual(want.flags);
        // list() over a list of candidates gives the same.
        const b = { ps: t.ps.slice(), flags: t.flags.slice() };
        const loops2 = make(b.ps, b.flags, t.sched, t.stack, t.verdict, last);
        const all = Int32Array.from({ length: 500 - first }, (_, i) => first + i);
        const kept = loops2.list(all, all.length, 1, current);
        expect(Array.from(all.subarray(0, kept))).toEqual(want.blocked);
        expect(b.ps).toEqual(want.ps);
      }
    });
  }

  for (const [name, make] of [['generated', compiledLoops], ['fallback', fallbackLoops]] as const) {
    it(`${name}: range() stops at the first blocked task that finds out full, never writing past it`, () => {
      // Twelve listed, pending tasks, every one sleeping on a patched function (verdict 0).
      const n = 12;
      const ps = new Int8Array(n);
      const flags = new Uint8Array(n).fill(TF.LISTED | TF.PATCH_PENDING);
      const sched = new Uint8Array(n).fill(Sched.INTERRUPTIBLE);
      const stack = new Int32Array(n);
      const verdict = Int32Array.of(0);
      for (let room = 0; room <= 6; room++) {
        const last = { stoppedAt: 0, switched: 0 };
        const loops = make(ps, flags, sched, stack, verdict, last);
        // out has room for `room` more entries after w = 2; a sentinel sits past its end.
        const backing = new Int32Array(2 + room + 1).fill(-7);
        const out = backing.subarray(0, 2 + room);
        const w = loops.range(out, 2, 0, n, 1, -1);
        expect(w).toBe(2 + room);
        expect(last.stoppedAt).toBe(room);
        expect(last.switched).toBe(0);
        expect(Array.from(out.subarray(2))).toEqual(Array.from({ length: room }, (_, i) => i));
        expect(backing[2 + room]).toBe(-7);
      }
    });
  }

  it('the fallback is chosen automatically when the page may not compile code (CSP without unsafe-eval)', () => {
    expect(walkerLoopsKind()).toBe('compiled');
    vi.stubGlobal('Function', function Forbidden() {
      throw new EvalError("Refused to evaluate a string as JavaScript because 'unsafe-eval' is not an allowed source");
    });
    expect(walkerLoopsKind()).toBe('fallback');
  });

  it('with the fallback walker every conformance case prints its golden transcript', () => {
    useWalkerLoops('fallback');
    for (const c of CASES) expect(transcript(c), c.file).toBe(readFileSync(join(GOLDEN_DIR, c.golden), 'utf8'));
  });
});

describe('classifyTasks against explainSwitch (the reference)', () => {
  it('gives every pending, listed task the reason klp_check_and_switch_task() would', () => {
    const m = walkMachine({}, 60, 6);
    enable(m);
    const k = m.sim.kernel;
    // Some of every kind: running, flagged unreliable, and the blocked ones sleeping in the patched function.
    k.tasks.sched[m.clean[1]] = Sched.RUNNING;
    k.tasks.flags[m.blocked[0]] |= TF.UNRELIABLE;
    const c = classifyTasks(k);
    let checked = 0;
    for (const s of k.listedSlots()) {
      if (k.tasks.patchState[s] === k.klpTargetState) continue;
      const v = explainSwitch(k, s);
      const r = c.reason[s];
      if (v.ok) expect(r).toBe(Reason.WILL_SWITCH);
      else if (v.reason === 'running') expect(r).toBe(Reason.RUNNING);
      else if (v.reason === 'unreliable') expect(r).toBe(Reason.UNRELIABLE);
      else if (v.reason === 'sleeping') {
        expect([Reason.SLEEPING, Reason.UNINTERRUPTIBLE]).toContain(r);
        expect(c.funcNames[c.func[s]]).toBe(v.func);
      }
      checked++;
    }
    expect(checked).toBeGreaterThan(3);
  });
});
