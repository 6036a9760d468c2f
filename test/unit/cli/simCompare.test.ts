// `sim A --compare B` (src/cli/sim.ts, src/compare/report.ts): the analysis diff and the log
// diff of two runs, as text and as JSON, and its bad input.

import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../../../src/cli/sim';

const ROOT = join(__dirname, '..', '..', '..');
const preset = (n: string) => join(ROOT, 'public', 'scenarios', `${n}.json`);
const FIX = join(ROOT, 'test', 'fixtures', 'conformance');

function run(argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const status = main(argv, { out: (t) => out.push(...t.split('\n')), err: (t) => err.push(...t.split('\n')) });
  return { status, out, err };
}

describe('sim --compare', () => {
  it("Petr's counter-example, upstream against hybrid-rfc-2025: B alone runs the never-shipped universe and the mass switch", () => {
    const r = run([preset('petr-upstream'), '--compare', preset('petr-hybrid')]);
    expect(r.status).toBe(0);
    expect(r.out.slice(0, 4)).toEqual(['--- compare ---', `A: ${preset('petr-upstream')} (policy: upstream)`, `B: ${preset('petr-hybrid')} (policy: hybrid-rfc-2025, proposal, not merged)`, '--- analysis diff ---']);
    expect(r.out).toContain('universes: A 4, B 5, in both 3');
    expect(r.out.filter((l) => l.startsWith('  only in B: NEVER SHIPPED funcB=lp3 '))).toHaveLength(1);
    expect(r.out.filter((l) => l.startsWith('  only in B: never-shipped: funcA, funcB (lp3)'))).toHaveLength(1);
    expect(r.out.filter((l) => l.startsWith('  only in B: mass-switch: funcA (lp1)'))).toHaveLength(1);
    expect(r.out.filter((l) => l.startsWith('  only in A: ') && l.includes('never'))).toEqual([]);
  });

  it('prints the lines only in A and only in B of two different logs, without timestamps', () => {
    const files = ['livepatch-01.json', 'callbacks-01.json'].map((f) => join(FIX, f));
    const r = run([files[0], '--compare', files[1]]);
    expect(r.status).toBe(0);
    const header = r.out.find((l) => l.startsWith('--- log diff (without timestamps): '));
    const m = /: (\d+) lines? only in A, (\d+) only in B/.exec(header ?? '');
    expect(m).not.toBeNull();
    const minus = r.out.filter((l) => /^- A\d+: /.test(l));
    const plus = r.out.filter((l) => /^\+ B\d+: /.test(l));
    expect([minus.length, plus.length]).toEqual([Number(m?.[1]), Number(m?.[2])]);
    expect(plus.length).toBeGreaterThan(0);
    expect(plus.some((l) => /\[\s*\d+\.\d+\]/.test(l))).toBe(false);
  });

  it('--format json: the two sides, the universes and violations of each alone, and the changed log lines', () => {
    const r = run([preset('petr-upstream'), '--compare', preset('petr-hybrid'), '--format', 'json']);
    const doc = JSON.parse(r.out.join('\n')) as Record<string, { onlyB?: unknown[] }>;
    expect(Object.keys(doc)).toEqual(['a', 'b', 'universes', 'violations', 'log']);
    expect(doc.violations.onlyB).toHaveLength(2);
  });

  it('a missing second file is one message and exit status 1; no file after --compare is a usage error', () => {
    const r = run([preset('petr-upstream'), '--compare', '/nonexistent.json']);
    expect([r.status, r.err[0]]).toEqual([1, 'sim: /nonexistent.json: No such file or directory']);
    expect(run([preset('petr-upstream'), '--compare']).status).toBe(2);
  });
});
