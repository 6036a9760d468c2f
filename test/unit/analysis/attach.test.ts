// The consistency analysis (src/analysis/) on hand-computed cases: universes per patch_state
// class, shipped vs never shipped, mass switches, dependencies, forced switches, and the
// JSON document `sim --analysis --format json` prints.

import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { attachConsistency } from '../../../src/analysis/attach';
import { analysisOf } from '../../../src/analysis/registry';
import { analysisJson, commandAtOf } from '../../../src/analysis/report';
import { keyOf, universeOf } from '../../../src/analysis/universe';
import { Session } from '../../../src/engine/session';
import { Sched } from '../../../src/kernel/tasks';
import { buildSimulation, sessionSourceOf } from '../../../src/scenario/build';
import { validateScenario } from '../../../src/scenario/document';
import { parseScript } from '../../../src/scenario/script';
import { universesOf } from '../../support/debateScenarios';
import { HEAD } from '../../support/scenarioFixtures';
import { runLines } from '../../support/helpers';

const ROOT = join(__dirname, '..', '..', '..');

/** demo: funcA..funcC; `stuckd` sleeps in funcA (uninterruptibly) nearly all the time. */
const TARGET = {
  name: 'demo',
  functions: [
    ...['funcA', 'funcB', 'funcC'].map((name) => ({ name, body: [{ sleep: { us: 20000, sched: 'uninterruptible' } }] })),
    { name: 'stuck_loop', loop: true, body: [{ call: 'funcA' }, { sleep: { us: 10, sched: 'uninterruptible' } }] },
  ],
};
const STUCK = { ...TARGET, kthreads: [{ comm: 'stuckd', fn: 'stuck_loop' }] };

function lp(name: string, funcs: string[], extra: Record<string, unknown> = {}) {
  return {
    name,
    livepatch: true,
    ...extra,
    functions: funcs.map((f) => ({ name: `${name}_${f}`, body: [{ sleep: { us: 20000, sched: 'uninterruptible' } }] })),
    objects: [{ name: 'demo', funcs: funcs.map((f) => ({ oldName: f, newFunc: `${name}_${f}` })) }],
  };
}

function analysed(policy: string, modules: unknown[], script: string[], dependencies: unknown[] = [], target: unknown = TARGET) {
  const r = validateScenario({ ...HEAD, kernel: { policy }, modules: [target, ...modules], script, dependencies });
  if (!r.ok) throw new Error(r.errors.join('\n'));
  const sim = buildSimulation(r.scenario);
  const { analysis } = attachConsistency(sim, r.scenario.dependencies);
  const parsed = parseScript(script);
  if (!parsed.ok) throw new Error(parsed.errors.join('\n'));
  const out = runLines(sim, parsed.lines);
  return { sim, analysis, json: analysisJson(analysis, r.scenario.kernel.policy, commandAtOf(out.outcomes)) };
}

describe('universes', () => {
  it('upstream cumulative replace: only shipped universes, no violation', () => {
    const { json } = analysed('upstream', [lp('v1', ['funcA', 'funcB'], { replace: true }), lp('v2', ['funcA', 'funcC'], { replace: true })], ['load_mod demo', 'load_lp v1', 'load_lp v2']);
    expect(json.functions).toEqual(['funcA', 'funcB', 'funcC']);
    expect(universesOf(json)).toEqual([
      ['funcA=original funcB=original funcC=original', true],
      ['funcA=v1 funcB=v1 funcC=original', true],
      ['funcA=v2 funcB=original funcC=v2', true],
    ]);
    expect(json.violations).toEqual([]);
  });

  it("Petr's lp1/lp2/lp3 under hybrid-rfc-2025: switched tasks run {funcA: original, funcB: lp3}, never shipped; every task jumps to lp1's funcA at completion", () => {
    const { json, sim } = analysed('hybrid-rfc-2025', [lp('lp1', ['funcA'], { replaceable: false }), lp('lp2', ['funcA']), lp('lp3', ['funcB'], { replace: true })], ['load_mod demo', 'load_lp lp1', 'load_lp lp2', 'load_lp lp3']);
    expect(universesOf(json)).toEqual([
      ['funcA=original funcB=original', true],
      ['funcA=lp1 funcB=original', true],
      ['funcA=lp2 funcB=original', true],
      ['funcA=original funcB=lp3', false],
      ['funcA=lp1 funcB=lp3', true],
    ]);
    const t = sim.kernel.tasks;
    let all = 0;
    for (let s = 0; s < t.n; s++) if (t.sched[s] !== Sched.DEAD) all++;
    expect(json.violations.map((v) => [v.kind, v.functions, v.patches, v.command])).toEqual([
      ['never-shipped', ['funcA', 'funcB'], ['lp3'], 'load_lp lp3'],
      ['mass-switch', ['funcA'], ['lp1'], 'load_lp lp3'],
    ]);
    // Every task alive then switched at once (the shell's helper processes come and go).
    const n = json.violations[1].tasks;
    expect(Math.abs(n - all)).toBeLessThanOrEqual(1);
    expect(json.violations[1].detail).toBe(`${n} tasks switched together at klp_complete_transition() of 'lp3' (klp_unpatch_object() of 'lp3' in 'demo'): funcA: original -> lp1`);
  });

  it('replace-set-2026 refuses the conflicting load: the universes stay shipped', () => {
    const { json, sim } = analysed('replace-set-2026', [lp('lp1', ['funcA'], { replaceSet: 1 }), lp('lp2', ['funcA']), lp('lp3', ['funcB'])], ['load_mod demo', 'load_lp lp1', 'load_failing_mod lp2', 'load_lp lp3']);
    expect(sim.kernel.modules.has('lp2')).toBe(false);
    expect(universesOf(json)).toEqual([
      ['funcA=original funcB=original', true],
      ['funcA=lp1 funcB=original', true],
      ['funcA=lp1 funcB=lp3', true],
    ]);
    expect(json.violations).toEqual([]);
  });

  it('a task blocked in funcA keeps the old universe while the others run the one the transition ships', () => {
    const { json, analysis } = analysed('upstream', [lp('p1', ['funcA', 'funcB'])], ['load_mod demo', 'load_lp_nowait p1', 'sleep 3'], [], STUCK);
    expect(analysis.inTransition).toBe('p1');
    expect(universesOf(json)).toEqual([
      ['funcA=original funcB=original', true],
      ['funcA=p1 funcB=p1', true],
    ]);
    // stuckd is the one task still unpatched (class UNPATCHED), the rest are patched.
    expect(analysis.counts[1]).toBe(1);
    expect(analysis.universes[0].now).toBe(1);
  });
});

describe('violations', () => {
  it('forced: the tasks a force moves without a stack check, with the functions that change under them', () => {
    const { json } = analysed('upstream', [lp('p1', ['funcA'])], ['load_mod demo', 'load_lp_nowait p1', 'sleep 2', 'echo 1 > /sys/kernel/livepatch/p1/force', 'sleep 2'], [], STUCK);
    const forced = json.violations.filter((v) => v.kind === 'forced');
    expect(forced.map((v) => [v.functions, v.patches, v.tasks, v.command])).toEqual([[['funcA'], ['p1'], 1, 'load_lp_nowait p1']]);
    expect(forced[0].detail).toBe("1 task switched together by klp_force_transition() of 'p1', no stack check: funcA: original -> p1");
  });

  it('dependency: a universe holding part of an all-or-none group, with its first time and command', () => {
    const dep = [{ name: 'fix-x', together: [{ function: 'funcA', patch: 'pa' }, { function: 'funcB', patch: 'pb' }] }];
    const { json } = analysed('upstream', [lp('pa', ['funcA']), lp('pb', ['funcB'])], ['load_mod demo', 'load_lp pa', 'load_lp pb'], dep);
    expect(json.violations.map((v) => [v.kind, v.command, v.detail])).toEqual([['dependency', 'load_lp pa', 'dependency "fix-x": runs funcA=pa but funcB=original (needs pb)']]);
  });

  it('mass switch on a module load: a patch applied to a loading module changes it for every task at once', () => {
    const { json } = analysed('upstream', [lp('p1', ['funcA'])], ['load_lp p1', 'load_mod demo']);
    const mass = json.violations.filter((v) => v.kind === 'mass-switch');
    expect(mass).toHaveLength(1);
    expect(mass[0]).toMatchObject({ functions: ['funcA'], patches: ['p1'], command: 'load_mod demo' });
    expect(mass[0].detail).toMatch(/when klp_patch_object\(\) patched 'p1' in 'demo' \(a module loading or going\): funcA: original -> p1$/);
  });
});

describe('sim --analysis', () => {
  it('--format json prints one document whose analysis member has exactly the contract fields', () => {
    const file = join(ROOT, 'public', 'scenarios', 'petr-hybrid.json');
    const p = spawnSync(process.execPath, [join(ROOT, 'src', 'cli', 'run.mjs'), 'sim', file, '--analysis', '--format', 'json'], { encoding: 'utf8', cwd: ROOT });
    expect(p.status).toBe(0);
    const doc = JSON.parse(p.stdout) as { analysis: Record<string, unknown> };
    const a = doc.analysis as { policy: string; functions: string[]; universes: Record<string, unknown>[]; violations: Record<string, unknown>[] };
    expect(Object.keys(a)).toEqual(['policy', 'functions', 'universes', 'violations']);
    expect(a.policy).toBe('hybrid-rfc-2025');
    for (const u of a.universes) expect(Object.keys(u)).toEqual(['impl', 'shipped', 'tasks', 'first']);
    for (const v of a.violations) expect(Object.keys(v)).toEqual(['kind', 'time', 'functions', 'patches', 'tasks', 'command', 'detail']);
    expect(a.universes[3]).toMatchObject({ impl: { funcA: 'original', funcB: 'lp3' }, shipped: false });
    // Seconds since boot, as dmesg shows them (retries at the jiffies' N.704 s, issue 12 point 4).
    expect(typeof (a.universes[3].first as { time: number }).time).toBe('number');
    expect((a.universes[3].first as { time: number }).time).toBeCloseTo(7.72997, 5);
  });

  it('prints the analysis for people after the log', () => {
    const file = join(ROOT, 'public', 'scenarios', 'petr-replace-set.json');
    const p = spawnSync(process.execPath, [join(ROOT, 'src', 'cli', 'run.mjs'), 'sim', file, '--analysis'], { encoding: 'utf8', cwd: ROOT });
    const lines = p.stdout.trimEnd().split('\n');
    const at = lines.indexOf('--- consistency analysis ---');
    expect(lines.slice(at + 1, at + 4)).toEqual(['policy: replace-set-2026 (proposal, not merged)', 'functions: funcA, funcB', 'universes: 3 (3 shipped, 0 never shipped)']);
    expect(lines[lines.length - 1]).toBe('violations: 0');
  });
});

describe('distinct task counts', () => {
  /**
   * A reference by brute force: every 200 µs of virtual time, after every livepatch event and
   * after every fork, each live task's universe (universeOf its patch_state) collects its slot.
   */
  function reference(policy: string, modules: unknown[], script: string[], target: unknown = TARGET) {
    const r = validateScenario({ ...HEAD, kernel: { policy }, modules: [target, ...modules], script });
    if (!r.ok) throw new Error(r.errors.join('\n'));
    const s = new Session(sessionSourceOf(r.scenario));
    const a = analysisOf(s.sim);
    if (!a) throw new Error('no analysis attached');
    const seen = new Map<string, Set<number>>();
    const sample = () => {
      const k = s.sim.kernel;
      a.functions.refresh(k);
      const byClass = [-1, 0, 1].map((ps) => keyOf(universeOf(k, a.functions, ps)));
      for (let slot = 0; slot < k.tasks.n; slot++) {
        if (k.tasks.sched[slot] === Sched.DEAD) continue;
        const key = byClass[k.tasks.patchState[slot] + 1];
        let set = seen.get(key);
        if (!set) seen.set(key, (set = new Set()));
        set.add(slot);
      }
    };
    s.sim.kernel.events.subscribe(sample);
    s.sim.kernel.copiedProcesses.subscribe(sample);
    for (let t = s.start; t < s.start + 12_000_000; t += 200) s.advanceTo(t);
    sample();
    return { a, seen };
  }

  it('counts each task once however often it returns to a universe (enable, disable, enable again)', () => {
    const script = ['load_mod demo', 'load_lp p1', 'echo 0 > /sys/kernel/livepatch/p1/enabled', 'sleep 1', 'echo 1 > /sys/kernel/livepatch/p1/enabled'];
    const { a, seen } = reference('upstream', [lp('p1', ['funcA'])], script);
    expect(a.universes.map((u) => u.key)).toEqual(['', 'funcA=p1']);
    for (const u of a.universes) expect(u.tasks).toBe(seen.get(u.key)?.size);
  });

  it("equals the tasks that ever ran each universe in Petr's hybrid counter-example, the never-shipped one included", () => {
    const { a, seen } = reference('hybrid-rfc-2025', [lp('lp1', ['funcA'], { replaceable: false }), lp('lp2', ['funcA']), lp('lp3', ['funcB'], { replace: true })], ['load_mod demo', 'load_lp lp1', 'load_lp lp2', 'load_lp lp3']);
    expect(a.universes.filter((u) => !u.shipped).map((u) => u.key)).toEqual(['funcB=lp3']);
    for (const u of a.universes) expect([u.key, u.tasks]).toEqual([u.key, seen.get(u.key)?.size]);
  });
});
