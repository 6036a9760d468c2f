// The state-space search (src/search/): what it finds, what it does not, what it refuses,
// and what `sim --search` prints.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../../../src/cli/sim';
import type { Scenario } from '../../../src/scenario/document';
import { policyReports, searchPolicies } from '../../../src/search/cli';
import { searchScenario } from '../../../src/search/search';
import { SearchRefused } from '../../../src/search/spec';
import { CUMULATIVE, HELD_FORCED, PETR_HYBRID, PETR_UPSTREAM, ROOT, scenarioOf } from './fixtures';

function sim(args: string[]): { status: number; out: string[]; err: string[] } {
  const out: string[] = [];
  const err: string[] = [];
  const status = main(args, { out: (t) => out.push(...t.split('\n')), err: (t) => err.push(t) });
  return { status, out, err };
}

describe('the search', () => {
  it("finds Petr's counter-example under hybrid-rfc-2025: a universe never shipped, by a shortest run", () => {
    const r = searchScenario(scenarioOf(PETR_HYBRID));
    expect(r.found?.kind).toBe('never-shipped');
    expect(r.found?.detail).toContain('{funcB=lp3}');
    // lp1 completes once the two funcA kthreads have left funcA; lp2 at its first retry; lp3's first attempt switches the background.
    expect(r.found?.lines).toEqual(['load_mod demo', 'load_lp_nowait lp1', 'step_task funcad/0', 'step_task funcad/1', 'wait_attempt', 'load_lp_nowait lp2', 'wait_attempt', 'load_lp_nowait lp3']);
  });

  it('finds nothing under upstream, with Petr\'s three patches or with one cumulative patch, and says how many states it explored', () => {
    for (const file of [PETR_UPSTREAM, CUMULATIVE]) {
      const r = searchScenario(scenarioOf(file), { goal: 'any' });
      expect(r.found, file).toBeNull();
      expect(r.truncated, file).toBe(false);
      expect(r.states, file).toBeGreaterThan(10);
    }
  });

  it('the same workload under hybrid-rfc-2025 with lp1 replaceable is upstream again: nothing found', () => {
    const r = searchScenario(
      scenarioOf(PETR_HYBRID, (s) => {
        for (const m of s.modules) if (typeof m !== 'string' && m.name === 'lp1') delete m.replaceable;
      }),
    );
    expect(r.found).toBeNull();
  });

  it('--goal stuck: a kthread that never leaves the patched loop keeps the transition stuck forever', () => {
    const r = searchScenario(scenarioOf(HELD_FORCED), { goal: 'stuck' });
    expect(r.found?.kind).toBe('stuck');
    expect(r.found?.lines).toEqual(['load_mod wmod', 'step_task worker/0', 'load_lp_nowait lp_work']);
    expect(r.found?.detail).toContain('pending: worker/0 in work');
  });

  it('--goal rmmod-refused: the module of a patch whose unpatching was forced can never be removed', () => {
    const r = searchScenario(scenarioOf(HELD_FORCED), { goal: 'rmmod-refused' });
    expect(r.found?.kind).toBe('rmmod-refused');
    expect(r.found?.lines.at(-1)).toBe('unload_mod lp_work');
    expect(r.found?.lines).toContain('echo 1 > /sys/kernel/livepatch/lp_work/force');
  });

  it("--goal warn: klp_ftrace_handler()'s WARN needs a task of patch_state -1 during a transition, which klp_init_transition() rules out for every task it walks (only an exiting, unhashed thread gets there, and the search models none): never found, and the report says why", () => {
    for (const file of [HELD_FORCED, join(ROOT, 'public/scenarios/stuck-kthread-force.json'), join(ROOT, 'public/scenarios/stuck-kthread-reverse.json'), PETR_HYBRID]) {
      const r = searchScenario(scenarioOf(file), { goal: 'warn' });
      expect(r.found, file).toBeNull();
      expect(r.truncated, file).toBe(false);
    }
    const report = policyReports(searchPolicies(scenarioOf(PETR_HYBRID), 'scenario', { goal: 'warn' }), 'warn');
    expect(report[0]).toMatch(/^none found: \d+ states explored/);
    expect(report.at(-1)).toBe('# warn: needs an exiting task already unhashed by release_task() (the do_exit crash); the search models none (docs/search.md)');
    expect(policyReports(searchPolicies(scenarioOf(PETR_HYBRID), 'scenario', { goal: 'default' }))).not.toContain(report.at(-1));
  });

  it('--goal any takes the shortest of all kinds, stuck included', () => {
    expect(searchScenario(scenarioOf(HELD_FORCED), { goal: 'any' }).found?.kind).toBe('stuck');
  });

  it('--depth bounds the runs explored, and says so', () => {
    const r = searchScenario(scenarioOf(PETR_HYBRID), { depth: 3 });
    expect(r.found).toBeNull();
    expect(r.truncated).toBe(true);
  });

  it('refuses what it does not model with a message, and a scenario too big to search', () => {
    const refusal = (file: string, change?: (s: Scenario) => void) => {
      try {
        searchScenario(scenarioOf(file, change));
      } catch (e) {
        expect(e).toBeInstanceOf(SearchRefused);
        return (e as Error).message;
      }
      return 'not refused';
    };
    expect(refusal(join(ROOT, 'public/scenarios/petr-variant-b.json'))).toMatch(/too big to search: the modules start 6 kthreads, the search takes at most 4/);
    expect(refusal(PETR_HYBRID, (s) => s.script.push('cat /proc/cmdline > /tmp/x'))).toMatch(/script line 6 .*'cat' is not a command the search models/);
    expect(refusal(join(ROOT, 'public/scenarios/replace-sets-offband.json'))).toMatch(/too big to search: the script loads 5 livepatch modules/);
  });
});

describe('the search under each policy', () => {
  it("replace-set-2026: the policy's load refusal is the search's too: lp2 (set 0) on lp1's funcA (set 1) is refused, so load_failing_mod goes on", () => {
    const petr = join(ROOT, 'public/scenarios/petr-replace-set.json');
    const r = searchScenario(scenarioOf(petr), { goal: 'any' });
    expect(r.found).toBeNull();
    expect(r.truncated).toBe(false);
    // The same load as load_lp_nowait: refused, the helper dies and the script ends (lp3 never loads).
    const dies = searchScenario(scenarioOf(petr, (s) => (s.script = s.script.map((l) => l.replace('load_failing_mod lp2', 'load_lp_nowait lp2')))), { goal: 'any' });
    expect(dies.found).toBeNull();
    expect(dies.states).toBeLessThan(r.states);
    // With lp2 in lp1's set it loads (and replaces lp1): load_failing_mod dies, "unexpectedly loaded".
    const sameSet = searchScenario(
      scenarioOf(petr, (s) => {
        for (const m of s.modules) if (typeof m !== 'string' && m.name === 'lp2') m.replaceSet = 1;
      }),
      { goal: 'any' },
    );
    expect(sameSet.found).toBeNull();
    expect(sameSet.truncated).toBe(false);
  });

  it('replace-set-2026 makes every patch a replace patch of its set: Petr\'s three patches in set 0 are upstream\'s cumulative chain, nothing found', () => {
    const r = searchScenario(scenarioOf(PETR_HYBRID, (s) => (s.kernel.policy = 'replace-set-2026')), { goal: 'any' });
    expect(r.found).toBeNull();
    expect(r.spec.patches.every((p) => p.replace)).toBe(true);
  });
});

describe('sim --search', () => {
  it('--policy all prints one block per policy, upstream first, each starting with found: or none found:', () => {
    const r = sim([PETR_HYBRID, '--search', '--policy', 'all']);
    expect(r.status).toBe(0);
    const blocks = r.out.join('\n').split('\n\n').map((b) => b.split('\n'));
    expect(blocks.map((b) => b.at(-1)?.match(/policy ([a-z0-9-]+)/)?.[1])).toEqual(['upstream', 'hybrid-rfc-2025', 'replace-set-2026']);
    expect(blocks[0][0]).toMatch(/^none found: \d+ states explored$/);
    expect(blocks[1][0]).toMatch(/^found: never-shipped after \d+ states, 8 steps$/);
    expect(blocks[2][0]).toMatch(/^none found: \d+ states explored/);
  });

  it('--policy NAME searches under that policy instead of the scenario\'s; a bad name, or --policy without --search, is refused', () => {
    expect(sim([PETR_HYBRID, '--search', '--policy', 'upstream']).out[0]).toMatch(/^none found/);
    expect(sim([PETR_UPSTREAM, '--search', '--policy=hybrid-rfc-2025']).out[0]).toMatch(/^none found/);
    const bad = sim([PETR_HYBRID, '--search', '--policy', 'nope']);
    expect(bad.status).toBe(2);
    expect(bad.err.join('\n')).toMatch(/--policy must be one of upstream, hybrid-rfc-2025, replace-set-2026 or all/);
    expect(sim([PETR_HYBRID, '--policy', 'all']).status).toBe(2);
  });

  it('prints `found: <kind> after N states, M steps`, then the run as a script', () => {
    const r = sim([PETR_HYBRID, '--search']);
    expect(r.status).toBe(0);
    expect(r.out[0]).toMatch(/^found: never-shipped after \d+ states, 8 steps$/);
    expect(r.out.slice(1, 9)).toEqual(['load_mod demo', 'load_lp_nowait lp1', 'step_task funcad/0', 'step_task funcad/1', 'wait_attempt', 'load_lp_nowait lp2', 'wait_attempt', 'load_lp_nowait lp3']);
  });

  it('prints `none found: N states explored` as the whole first line, and what the count covers on the next', () => {
    const r = sim([CUMULATIVE, '--search', '--goal', 'any']);
    expect(r.status).toBe(0);
    expect(r.out[0]).toMatch(/^none found: \d+ states explored$/);
    expect(r.out[1]).toBe('# policy upstream: every reachable state');
    const cut = sim([PETR_UPSTREAM, '--search', '--depth', '3']);
    expect(cut.out[0]).toMatch(/^none found: \d+ states explored$/);
    expect(cut.out[1]).toBe('# policy upstream: every state within 3 steps; deeper runs were not explored: raise --depth');
  });

  it('refuses bad options and unsearchable scenarios with one message, exit status 1 or 2', () => {
    expect(sim([PETR_HYBRID, '--search', '--goal', 'nope']).status).toBe(2);
    expect(sim([PETR_HYBRID, '--search', '--depth', '0']).status).toBe(2);
    // Options of another mode are refused, not ignored.
    for (const [args, msg] of [
      [['--depth', '3'], /--depth goes with --search/],
      [['--goal', 'stuck'], /--goal goes with --search/],
      [['--search', '--compare', PETR_UPSTREAM], /--search prints its own report/],
      [['--search', '--analysis'], /--search prints its own report/],
      [['--search', '--format', 'json'], /--search prints its own report/],
      [['--search', '--until', '10s'], /--search prints its own report/],
      [['--compare', PETR_UPSTREAM, '--summary'], /--compare prints the diff of two runs/],
    ] as const) {
      const bad = sim([PETR_HYBRID, ...args]);
      expect(bad.status, args.join(' ')).toBe(2);
      expect(bad.out, args.join(' ')).toEqual([]);
      expect(bad.err.join('\n'), args.join(' ')).toMatch(msg);
    }
    const r = sim([join(ROOT, 'public/scenarios/petr-variant-b.json'), '--search']);
    expect(r.status).toBe(1);
    expect(r.err.join('\n')).toMatch(/petr-variant-b\.json: search: too big to search/);
  });
});
