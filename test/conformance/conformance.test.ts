import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCase, validateCase } from '../../src/scenario/case';

const FIXTURES = resolve(__dirname, '../fixtures/conformance');
const EXTRA = resolve(__dirname, '../fixtures/extra-cases');
const SHARED = resolve(__dirname, '../../../shared/conformance/cases');

function load(dir: string) {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => {
      const v = validateCase(JSON.parse(readFileSync(join(dir, f), 'utf8')), f);
      if (!v.ok) throw new Error(v.errors.join('\n'));
      return v.c;
    });
}

const suites: [string, string][] = [
  ['the kernel selftests as golden cases', FIXTURES],
  ['more selftests of the same kind (written for this project)', EXTRA],
];

for (const [title, dir] of suites) {
  describe(title, () => {
    for (const c of load(dir)) {
      it(`${c.id}: ${c.title}`, () => {
        const r = runCase(c);
        expect(r.reason ?? '').toBe('');
        expect(r.actual).toEqual(c.expectedLog);
      });
    }
  });
}

describe('the fixture copy of the shared cases', () => {
  // Skipped, visibly, where the checkout has no ../shared beside it (a clean clone elsewhere).
  it.runIf(existsSync(SHARED))('is identical to ../shared/conformance/cases (skipped when ../shared is absent)', () => {
    const shared = readdirSync(SHARED).filter((f) => f.endsWith('.json')).sort();
    const mine = readdirSync(FIXTURES).filter((f) => f.endsWith('.json')).sort();
    expect(mine).toEqual(shared);
    for (const f of shared) {
      expect(readFileSync(join(FIXTURES, f), 'utf8'), f).toBe(readFileSync(join(SHARED, f), 'utf8'));
    }
  });
});

describe('case file validation', () => {
  it('rejects unknown fields and names them', () => {
    const v = validateCase({ id: 'x', title: 't', source: 's', script: [], expectedLog: [], kernel: '6.1' }, 'x.json');
    expect(v.ok).toBe(false);
    if (!v.ok) expect(v.errors).toEqual(["x.json: unknown field 'kernel' (a case has id, title, source, machine, script, expectedLog)"]);
  });
  it('names the field of a wrong type', () => {
    const v = validateCase({ id: 'x', title: 't', source: 's', script: ['ok', 3], expectedLog: 'no' }, 'x.json');
    expect(v.ok).toBe(false);
    if (!v.ok) expect(v.errors).toEqual(['x.json.script[1]: expected a string', 'x.json.expectedLog: expected an array of strings']);
  });
  it('reports a script error with its line instead of running', () => {
    const r = runCase({ id: 'bad', title: 't', source: 's', script: ['load_lp test_klp_livepatch', 'frobnicate now'], expectedLog: [] });
    expect(r.pass).toBe(false);
    expect(r.reason).toBe('line 2: bash: frobnicate: command not found');
  });
  it('fails a case whose log differs, with the first differing line', () => {
    const r = runCase({ id: 'diff', title: 't', source: 's', script: ['load_lp test_klp_livepatch'], expectedLog: ['% insmod test_modules/test_klp_livepatch.ko', 'livepatch: something else'] });
    expect(r.pass).toBe(false);
    expect(r.reason).toBe("line 2:\n  expected: livepatch: something else\n  actual:   livepatch: enabling patch 'test_klp_livepatch'");
  });
});
