// Each kernel policy's rules (src/kernel/policy/), one test per rule, on small scenarios:
// upstream is unchanged; hybrid-rfc-2025 skips non-replaceable patches in klp_add_nops(),
// klp_unpatch_replaced_patches() and klp_free_replaced_patches_async() and has a writable
// `replaceable` attribute; replace-set-2026 replaces only its own set, refuses a function or
// a state id of another set (with its stand-in text and -EINVAL), and shows `replace_set`.

import { describe, expect, it } from 'vitest';
import { POLICIES } from '../../../src/kernel/policy';
import { POLICY_NAMES } from '../../../src/kernel/policy/types';
import { buildSimulation } from '../../../src/scenario/build';
import { validateScenario } from '../../../src/scenario/document';
import { runScript } from '../../support/helpers';
import { HEAD } from '../../support/scenarioFixtures';

const TARGET = {
  name: 'demo',
  functions: ['funcA', 'funcB', 'funcC'].map((name) => ({ name, body: [{ print: `${name} original` }] })),
};

function lp(name: string, funcs: string[], extra: Record<string, unknown> = {}) {
  return {
    name,
    livepatch: true,
    ...extra,
    functions: funcs.map((f) => ({ name: `${name}_${f}`, body: [{ print: `${f} from ${name}` }] })),
    objects: [{ name: 'demo', funcs: funcs.map((f) => ({ oldName: f, newFunc: `${name}_${f}` })) }],
  };
}

function machine(policy: string, modules: unknown[]) {
  const r = validateScenario({ ...HEAD, kernel: { policy }, modules: [TARGET, ...modules] });
  if (!r.ok) throw new Error(r.errors.join('\n'));
  return buildSimulation(r.scenario);
}

/** Run lines; the log lines they wrote and each line's output and errors. */
function run(sim: ReturnType<typeof machine>, lines: string[]) {
  const from = sim.log.length;
  const out = runScript(sim, lines);
  return { out, log: sim.log.slice(from).map((l) => l.text).filter((t) => !/taints kernel/.test(t)) };
}

/** func_stack of a demo function, top first, as patch names (nop marked). */
function stack(sim: ReturnType<typeof machine>, fn: string): string[] {
  const code = sim.kernel.syms.find('demo', fn)!.id;
  return (sim.kernel.klpOps.get(code)?.funcStack ?? []).map((f) => (f.nop ? `nop(${f.patch.name})` : f.patch.name));
}

const LP = '/sys/kernel/livepatch';

describe('the policy registry', () => {
  it('has one module per policy; only the proposals are labelled, and each lists what it changes', () => {
    expect([...POLICIES.keys()]).toEqual([...POLICY_NAMES]);
    expect(POLICIES.get('upstream')!.proposal).toBe(false);
    expect(POLICIES.get('upstream')!.changes).toEqual([]);
    for (const name of ['hybrid-rfc-2025', 'replace-set-2026'] as const) {
      const p = POLICIES.get(name)!;
      expect(p.proposal).toBe(true);
      expect(p.changes.length).toBeGreaterThan(2);
      expect(p.changes.map((c) => c.where).join(' ')).toMatch(/klp_add_nops\(\)/);
    }
  });
});

describe('scenario document: kernel.policy and the policy fields', () => {
  const errors = (doc: object) => {
    const r = validateScenario({ ...HEAD, ...doc });
    return r.ok ? [] : r.errors;
  };
  it('defaults to upstream and rejects an unknown policy', () => {
    const r = validateScenario(HEAD);
    expect(r.ok && r.scenario.kernel.policy).toBe('upstream');
    expect(errors({ kernel: { policy: 'hybrid' } })).toEqual(['kernel.policy: expected one of "upstream", "hybrid-rfc-2025", "replace-set-2026", got "hybrid"']);
  });
  it('replaceable only under hybrid-rfc-2025, replaceSet only under replace-set-2026, no replace flag under replace sets', () => {
    expect(errors({ modules: [TARGET, lp('a', ['funcA'], { replaceable: false })] })).toEqual(['modules[1].replaceable: only kernel.policy "hybrid-rfc-2025" has a replaceable attribute (this scenario runs "upstream")']);
    expect(errors({ kernel: { policy: 'hybrid-rfc-2025' }, modules: [TARGET, lp('a', ['funcA'], { replaceSet: 2 })] })).toEqual(['modules[1].replaceSet: only kernel.policy "replace-set-2026" has replace sets (this scenario runs "hybrid-rfc-2025")']);
    expect(errors({ kernel: { policy: 'replace-set-2026' }, modules: [TARGET, lp('a', ['funcA'], { replace: true })] })).toEqual(['modules[1].replace: kernel.policy "replace-set-2026" has no replace flag: every patch replaces the patches of its own replaceSet']);
    expect(errors({ kernel: { policy: 'replace-set-2026' }, modules: [TARGET, lp('a', ['funcA'], { replaceSet: -1 })] })).toEqual(['modules[1].replaceSet: expected an integer from 0 to 4294967295, got -1']);
    expect(errors({ modules: [{ ...TARGET, replaceable: true }] })).toEqual(['modules[0].replaceable: only a livepatch module (livepatch: true) has replaceable']);
  });
  it('dependencies: all-or-none groups of (function, patch) pairs', () => {
    const r = validateScenario({ ...HEAD, modules: [TARGET, lp('p1', ['funcA'])], dependencies: [{ name: 'x', together: [{ function: 'funcA', patch: 'p1' }, { function: 'funcB', patch: 'original' }] }] });
    expect(r.ok && r.scenario.dependencies).toEqual([{ name: 'x', together: [{ function: 'funcA', patch: 'p1' }, { function: 'funcB', patch: 'original' }] }]);
    expect(errors({ dependencies: [{ name: 'x', together: [{ function: 'funcA', patch: 'p1' }] }] })).toEqual(['dependencies[0].together: expected at least two { function, patch } pairs (a dependency ties functions together)']);
    expect(errors({ dependencies: [{ name: 'x', together: [{ function: 'funcA' }, { function: 'f', patch: 'p' }] }] })).toEqual(['dependencies[0].together[0].patch: missing (a pair ({ function, patch }) needs function, patch)']);
    expect(errors({ dependencies: [{ name: 'x', together: [{ function: 'funcA', patch: 'a b' }, { function: 'f', patch: 'p' }] }] })).toEqual(['dependencies[0].together[0].patch: expected a livepatch module name, or "original", got "a b"']);
    // A pair no run can hold is refused, not reported as a violation forever: a patch the
    // scenario does not define, a function its patch does not change, one function twice.
    const modules = [TARGET, lp('p1', ['funcA']), lp('p2', ['funcB'])];
    const pair = (f: string, patch: string) => ({ function: f, patch });
    expect(errors({ modules, dependencies: [{ name: 'x', together: [pair('funcA', 'p1'), pair('funcB', 'nope')] }] })).toEqual(['dependencies[0].together[1].patch: "nope" is not a livepatch module of this scenario']);
    expect(errors({ modules, dependencies: [{ name: 'x', together: [pair('funcA', 'p1'), pair('funcC', 'p2')] }] })).toEqual(['dependencies[0].together[1].function: livepatch module "p2" does not patch "funcC" (it patches funcB)']);
    expect(errors({ modules, dependencies: [{ name: 'x', together: [pair('funcA', 'p1'), pair('funcA', 'p2')] }] })).toEqual(['dependencies[0].together[1].function: function "funcA" is listed twice in dependency "x"', 'dependencies[0].together[1].function: livepatch module "p2" does not patch "funcA" (it patches funcB)']);
    expect(errors({ modules, dependencies: [{ name: 'x', together: [pair('__proto__', 'constructor'), pair('funcB', 'p2')] }] })).toEqual(['dependencies[0].together[0].patch: "constructor" is not a livepatch module of this scenario']);
    expect(errors({ modules: [TARGET], dependencies: [{ name: 'x', together: [pair('cmdline_proc_show', 'test_klp_livepatch'), pair('funcA', 'original')] }] })).toEqual([]);
  });
});

describe('upstream', () => {
  it('a replace patch replaces every older patch; sysfs has replace and no policy attribute', () => {
    const sim = machine('upstream', [lp('lp1', ['funcA']), lp('lp2', ['funcA']), lp('lp3', ['funcB'], { replace: true })]);
    const r = run(sim, ['load_mod demo', 'load_lp lp1', 'load_lp lp2', 'load_lp lp3', `ls ${LP}/lp3`, `cat ${LP}/lp3/replace`]);
    expect(r.out.died).toBeUndefined();
    expect(stack(sim, 'funcA')).toEqual([]);
    expect(stack(sim, 'funcB')).toEqual(['lp3']);
    expect(r.out.outcomes[4].result.out).toEqual(['demo', 'enabled', 'force', 'replace', 'stack_order', 'transition']);
    expect(r.out.outcomes[5].result.out).toEqual(['1']);
  });
});

describe('hybrid-rfc-2025', () => {
  const modules = [lp('lp1', ['funcA'], { replaceable: false }), lp('lp2', ['funcA']), lp('lp3', ['funcB'], { replace: true })];

  it('klp_add_nops() adds nops only for replaceable patches: funcA gets a nop because of lp2, above lp1', () => {
    const sim = machine('hybrid-rfc-2025', modules);
    run(sim, ['load_mod demo', 'load_lp lp1', 'load_lp lp2', 'load_lp_nowait lp3']);
    expect(stack(sim, 'funcA')).toEqual(['nop(lp3)', 'lp2', 'lp1']);
  });

  it('a replaceable-only pair gets no nop from the non-replaceable patch alone', () => {
    const sim = machine('hybrid-rfc-2025', [lp('lp1', ['funcA'], { replaceable: false }), lp('lp3', ['funcB'], { replace: true })]);
    run(sim, ['load_mod demo', 'load_lp lp1', 'load_lp_nowait lp3']);
    expect(stack(sim, 'funcA')).toEqual(['lp1']);
  });

  it('klp_unpatch_replaced_patches() and klp_free_replaced_patches_async() leave the non-replaceable patch: lp1 stays enabled and in use', () => {
    const sim = machine('hybrid-rfc-2025', modules);
    const r = run(sim, ['load_mod demo', 'load_lp lp1', 'load_lp lp2', 'load_lp lp3', `cat ${LP}/lp1/enabled`, 'cat /sys/module/lp1/refcnt', 'cat /sys/module/lp2/refcnt', 'rmmod lp1']);
    expect(stack(sim, 'funcA')).toEqual(['lp1']);
    expect(sim.kernel.klpPatches.map((p) => p.name)).toEqual(['lp1', 'lp3']);
    expect(r.out.outcomes.slice(4, 7).map((o) => o.result.out[0])).toEqual(['1', '1', '0']);
    expect(r.out.outcomes[7].result.err).toEqual(['rmmod: ERROR: Module lp1 is in use']);
  });

  it('the replaceable attribute: 0/1, writable; a bad write is refused and changes nothing', () => {
    const sim = machine('hybrid-rfc-2025', modules);
    const r = run(sim, ['load_mod demo', 'load_lp lp2', `ls ${LP}/lp2`, `cat ${LP}/lp2/replaceable`, `echo 0 > ${LP}/lp2/replaceable`, `cat ${LP}/lp2/replaceable`, `echo maybe > ${LP}/lp2/replaceable`, `cat ${LP}/lp2/replaceable`]);
    expect(r.out.outcomes[2].result.out).toEqual(['demo', 'enabled', 'force', 'replace', 'replaceable', 'stack_order', 'transition']);
    expect(r.out.outcomes.slice(3).map((o) => [o.result.out[0] ?? '', o.result.err[0] ?? ''])).toEqual([
      ['1', ''],
      ['', ''],
      ['0', ''],
      ['', 'bash: echo: write error: Invalid argument'],
      ['0', ''],
    ]);
  });
});

describe('replace-set-2026', () => {
  it('a patch replaces only the patches of its own set (no replace flag needed)', () => {
    const sim = machine('replace-set-2026', [lp('main1', ['funcA']), lp('off', ['funcC'], { replaceSet: 7 }), lp('main2', ['funcB'])]);
    const r = run(sim, ['load_mod demo', 'load_lp main1', 'load_lp off', 'load_lp main2']);
    expect(r.out.died).toBeUndefined();
    expect(sim.kernel.klpPatches.map((p) => p.name)).toEqual(['off', 'main2']);
    expect(stack(sim, 'funcA')).toEqual([]);
    expect(stack(sim, 'funcC')).toEqual(['off']);
  });

  it('refuses a patch of a function another set patches: stand-in text naming both patches and the function, -EINVAL', () => {
    const sim = machine('replace-set-2026', [lp('main1', ['funcA', 'funcB']), lp('off', ['funcB'], { replaceSet: 7 })]);
    const r = run(sim, ['load_mod demo', 'load_lp main1', 'insmod off.ko']);
    expect(r.log.slice(-1)).toEqual([
      "livepatch: [stand-in text: replace_set series v3] patch 'off' (replace_set 7) patches function 'funcB' of 'demo', already patched by 'main1' (replace_set 0)"]);
    expect(r.out.outcomes[2].result.err).toEqual(['insmod: ERROR: could not insert module off.ko: Invalid parameters']);
    expect(r.out.outcomes[2].result.status).toBe(1);
    expect(sim.kernel.modules.has('off')).toBe(false);
  });

  it('refuses a klp_state id another set uses, with its own stand-in text', () => {
    const sim = machine('replace-set-2026', [{ ...lp('main1', ['funcA']), states: [{ id: 3, version: 1 }] }, { ...lp('off', ['funcC'], { replaceSet: 7 }), states: [{ id: 3, version: 1 }] }]);
    const r = run(sim, ['load_mod demo', 'load_lp main1', 'insmod off.ko']);
    expect(r.log.slice(-1)).toEqual([
      "livepatch: [stand-in text: replace_set series v3] patch 'off' (replace_set 7) uses state id 3, already used by 'main1' (replace_set 0)"]);
    expect(r.out.outcomes[2].result.err).toEqual(['insmod: ERROR: could not insert module off.ko: Invalid parameters']);
  });

  it('klp_is_patch_compatible() compares states within the set only: a set-0 successor need not carry set 7 states', () => {
    const sim = machine('replace-set-2026', [lp('main1', ['funcA']), { ...lp('off', ['funcC'], { replaceSet: 7 }), states: [{ id: 9, version: 1 }] }, lp('main2', ['funcA'])]);
    const r = run(sim, ['load_mod demo', 'load_lp main1', 'load_lp off', 'load_lp main2']);
    expect(r.out.died).toBeUndefined();
    expect(sim.kernel.klpPatches.map((p) => p.name)).toEqual(['off', 'main2']);
  });

  it('sysfs shows replace_set instead of replace', () => {
    const sim = machine('replace-set-2026', [lp('off', ['funcC'], { replaceSet: 7 })]);
    const r = run(sim, ['load_mod demo', 'load_lp off', `ls ${LP}/off`, `cat ${LP}/off/replace_set`, `cat ${LP}/off/replace`]);
    expect(r.out.outcomes[2].result.out).toEqual(['demo', 'enabled', 'force', 'replace_set', 'stack_order', 'transition']);
    expect(r.out.outcomes[3].result.out).toEqual(['7']);
    expect(r.out.outcomes[4].result.err).toEqual([`cat: ${LP}/off/replace: No such file or directory`]);
  });
});
