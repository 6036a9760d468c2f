// Property of upstream's consistency model, checked by the consistency analysis: for random
// scripts of enable, disable, atomic replace and reverse (never force), every universe a task
// runs is one the system also ships, once every transition has ended (issue 8).

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { attachConsistency } from '../../src/analysis/attach';
import { violationsOf } from '../../src/analysis/report';
import { buildSimulation } from '../../src/scenario/build';
import { FORMAT, validateScenario } from '../../src/scenario/document';
import { parseScript } from '../../src/scenario/script';
import { runLines } from '../support/helpers';

const FUNCS = ['funcA', 'funcB', 'funcC'];
const LP = '/sys/kernel/livepatch';
const PATCHES = ['p0', 'p1', 'p2', 'p3'];

/** Kthreads that keep calling each function (sleeping 0.3 s in it), so transitions take a while and can be reversed. */
const TARGET = {
  name: 'demo',
  functions: [
    ...FUNCS.map((name) => ({ name, body: [{ sleep: { us: 300000, sched: 'interruptible' } }] })),
    ...FUNCS.map((f, i) => ({ name: `loop_${f}`, loop: true, body: [{ call: f }, { sleep: { us: 200000 + 100000 * i, sched: 'interruptible' } }] })),
  ],
  kthreads: FUNCS.map((f) => ({ comm: `${f.toLowerCase()}d`, fn: `loop_${f}` })),
};

const patchArb = fc.record({ funcs: fc.subarray(FUNCS, { minLength: 1 }), replace: fc.boolean() });
const commandArb = fc.constantFrom(
  ...PATCHES.flatMap((p) => [`insmod ${p}.ko`, `echo 0 > ${LP}/${p}/enabled`, `rmmod ${p}`]),
  'sleep 0.3',
  'sleep 1',
  'sleep 4',
);

function run(patches: { funcs: string[]; replace: boolean }[], commands: string[]) {
  const modules = patches.map((p, i) => ({
    name: PATCHES[i],
    livepatch: true,
    replace: p.replace,
    functions: p.funcs.map((f) => ({ name: `${PATCHES[i]}_${f}`, body: [{ sleep: { us: 300000, sched: 'interruptible' } }] })),
    objects: [{ name: 'demo', funcs: p.funcs.map((f) => ({ oldName: f, newFunc: `${PATCHES[i]}_${f}` })) }],
  }));
  // Let every transition end: a disable or a reverse always can, the kthreads only sleep interruptibly.
  const script = ['load_mod demo', ...commands, 'sleep 30'];
  const r = validateScenario({ format: FORMAT, version: 1, modules: [TARGET, ...modules], script });
  if (!r.ok) throw new Error(r.errors.join('\n'));
  const sim = buildSimulation(r.scenario);
  const { analysis } = attachConsistency(sim);
  const parsed = parseScript(script);
  if (!parsed.ok) throw new Error(parsed.errors.join('\n'));
  runLines(sim, parsed.lines);
  return { sim, analysis };
}

describe('upstream: every universe is shipped', () => {
  it('for random enable / disable / replace / reverse scripts without force', () => {
    fc.assert(
      fc.property(fc.array(patchArb, { minLength: 4, maxLength: 4 }), fc.array(commandArb, { minLength: 1, maxLength: 16 }), (patches, commands) => {
        const { sim, analysis } = run(patches, commands);
        expect(sim.kernel.klpTransitionPatch).toBeNull();
        const bad = violationsOf(analysis).filter((v) => v.kind === 'never-shipped' || v.kind === 'mass-switch' || v.kind === 'forced');
        expect(bad.map((v) => `${v.kind}: ${v.detail}`)).toEqual([]);
        expect(analysis.universes.every((u) => u.shipped)).toBe(true);
      }),
      { numRuns: 60, seed: 8 },
    );
  });
});
