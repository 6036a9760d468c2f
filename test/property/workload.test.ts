// The batched workload against the per-task model it stands for (src/kernel/workload.ts).
//
// Formulation. A class of user tasks alternates between user space and one kernel phase
// whose stack holds a function the transition patches. After the synchronous attempt of
// klp_enable_patch() the pending tasks are exactly those in that phase; the walk cannot
// switch them (the function is on their stack), nothing else can before the first fake
// signal, and each leaves the phase, returning to user mode and switching, with
// probability b = 1 - e^(-Δ/dwell) at each tick, independently of the others. So if n0 are
// pending right after the attempt, m ticks later the count is Binomial(n0, (1-b)^m): the
// same law at any class size. The property checks the batched model at N and 10·N tasks
// against that law (within 5 standard deviations), and that its state index agrees with a
// recount of every task (count per class, place versus flags and stack).

import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { Simulation, SELFTEST_CONFIG } from '../../src/engine/simulation';
import { Sched, TF } from '../../src/kernel/tasks';
import { installWorkload, Place, type Workload } from '../../src/kernel/workload';
import { parseScript } from '../../src/scenario/script';
import { runLines } from '../support/helpers';

const SEED = 7;
const PHASE = ['entry_SYSCALL_64_after_hwframe', 'do_syscall_64', 'ksys_read', 'vfs_read', 'seq_read', 'cmdline_proc_show', 'schedule'];

function run(sim: Simulation, lines: string[]): void {
  const p = parseScript(lines);
  if (!p.ok) throw new Error(p.errors.join('\n'));
  runLines(sim, p.lines);
}

function pendingOf(sim: Simulation, wl: Workload): number {
  let n = 0;
  for (const s of wl.slotsOf(0)) if (sim.kernel.tasks.has(s, TF.PATCH_PENDING)) n++;
  return n;
}

/** Pending counts at the given tick offsets after the first attempt, plus n0 and b. */
function decay(seed: number, count: number, dwellUs: number, syscallRatePerS: number, ticks: number[]) {
  const sim = new Simulation({ ...SELFTEST_CONFIG, dynamicDebug: [], seed });
  const k = sim.kernel;
  const installedAt = k.clock.now;
  const wl = installWorkload(k, {
    classes: [{ name: 'readers', comm: 'reader-%d', count, kind: 'user', phases: [{ frames: PHASE, weight: 1, dwellUs, sched: 'interruptible' }], syscallRatePerS, forkRatePerS: 0, exitRatePerS: 0, reliableStack: true }],
    fixed: [],
  });
  run(sim, ['insmod test_modules/test_klp_livepatch.ko']);
  const n0 = pendingOf(sim, wl);
  // The next workload tick after the attempt is tick number j0 (ticks at installedAt + j·Δ).
  const j0 = Math.floor((k.clock.now - installedAt) / wl.tickUs) + 1;
  const out: number[] = [];
  for (const m of ticks) {
    sim.advance(installedAt + (j0 + m - 1) * wl.tickUs + 1 - k.clock.now);
    out.push(pendingOf(sim, wl));
  }
  return { n0, b: 1 - Math.exp(-wl.tickUs / dwellUs), out };
}

describe('workload sampling agrees with independent per-task timers at every scale', () => {
  it('pending tasks of a blocked class decay as Binomial(n0, (1-b)^m) at N and 10·N tasks', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 1_000_000 }),
        // Short dwells are kept in the timer wheel, long ones chosen by rank: both paths.
        fc.integer({ min: 100_000, max: 300_000 }),
        fc.integer({ min: 500_000, max: 2_000_000 }),
        fc.double({ min: 0.5, max: 20, noNaN: true }),
        fc.constantFrom(1_000, 3_000),
        (seed, shortUs, longUs, rate, n) => {
          for (const [dwellUs, count] of [[shortUs, n], [shortUs, 10 * n], [longUs, n], [longUs, 10 * n]]) {
            const ticks = [20, 100, 400, 1200];
            const { n0, b, out } = decay(seed, count, dwellUs, rate, ticks);
            expect(n0).toBeGreaterThan(0);
            ticks.forEach((m, i) => {
              const q = (1 - b) ** m;
              const mean = n0 * q;
              const sd = Math.sqrt(n0 * q * (1 - q));
              expect(Math.abs(out[i] - mean)).toBeLessThanOrEqual(5 * sd + 1);
            });
          }
        },
      ),
      { seed: SEED, numRuns: 6 },
    );
  });

  it('a 1,000,000-task class and its 100× smaller reference agree on the same seed', () => {
    // Same seed, same behaviour, 1M and 10k tasks: the pending fractions over time must be the
    // same law's, so they differ by no more than the two samples' noise (5σ of each).
    const ticks = [20, 100, 400];
    const dwellUs = 200_000;
    const big = decay(SEED, 1_000_000, dwellUs, 2, ticks);
    const small = decay(SEED, 10_000, dwellUs, 2, ticks);
    expect(big.b).toBe(small.b);
    expect(big.n0 / 1_000_000).toBeCloseTo(small.n0 / 10_000, 1);
    ticks.forEach((m, i) => {
      const q = (1 - big.b) ** m;
      const sd = (n: number) => Math.sqrt((q * (1 - q)) / n);
      const fBig = big.out[i] / big.n0;
      const fSmall = small.out[i] / small.n0;
      expect(Math.abs(fBig - fSmall)).toBeLessThanOrEqual(5 * (sd(big.n0) + sd(small.n0)) + 1 / small.n0);
      expect(Math.abs(fBig - q)).toBeLessThanOrEqual(5 * sd(big.n0) + 1 / big.n0);
    });
  });

  it('the state index agrees with a recount of every task while tasks move, fork and exit', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 1_000_000 }), fc.array(fc.integer({ min: 1_000, max: 3_000_000 }), { minLength: 1, maxLength: 5 }), (seed, steps) => {
        const sim = new Simulation({ ...SELFTEST_CONFIG, dynamicDebug: [], seed });
        const k = sim.kernel;
        const wl = installWorkload(k, {
          classes: [
            { name: 'web', comm: 'web-%d', count: 3_000, kind: 'user', phases: [{ frames: PHASE, weight: 2, dwellUs: 80_000, sched: 'interruptible' }, { frames: PHASE.slice(0, 3).concat('schedule'), weight: 1, dwellUs: 30_000, sched: 'uninterruptible' }], syscallRatePerS: 30, forkRatePerS: 0.5, exitRatePerS: 0.5, reliableStack: true, exitUnhashedUs: 40_000 },
            { name: 'kworkers', comm: 'kw-%d', count: 500, kind: 'kthread', phases: [{ frames: ['ret_from_fork_asm', 'ret_from_fork', 'kthread', 'worker_thread', 'schedule'], weight: 1, dwellUs: 50_000, sched: 'freezable' }], syscallRatePerS: 0, forkRatePerS: 0.2, exitRatePerS: 0.2, reliableStack: true },
          ],
          fixed: [],
        });
        run(sim, ['insmod test_modules/test_klp_livepatch.ko']);
        for (const us of steps) {
          sim.advance(us);
          for (let cls = 0; cls < wl.classes.length; cls++) {
            const slots = wl.slotsOf(cls);
            let recount = 0;
            for (let s = k.firstThread; s < k.tasks.n; s++) if (k.tasks.cls[s] === wl.classes[cls].cls && k.tasks.sched[s] !== Sched.DEAD) recount++;
            expect(slots.length).toBe(wl.liveCount(cls));
            expect(recount).toBe(slots.length);
            for (const s of slots) {
              const place = wl.phaseOf(s);
              expect(k.tasks.has(s, TF.USER_MODE)).toBe(place === Place.USER);
              expect(k.tasks.has(s, TF.LISTED)).toBe(place !== Place.EXITING_UNHASHED);
              if (place >= 0) expect(k.syms.codes[k.trie.code(k.tasks.stack[s])].name).toBe(wl.classes[cls].phaseLabels[place]);
            }
          }
        }
      }),
      { seed: SEED, numRuns: 8 },
    );
  });
});
