// A conformance case opened as a scenario (the selftest presets) replays exactly as the
// conformance runner runs it, and both compare transcripts with one function.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { caseDocument, caseIdOfTitle, firstDifference, runCase, selftestTranscript, validateCase } from '../../../src/scenario/case';
import { parseScenarioText } from '../../../src/scenario/document';
import { bootScenario } from '../../support/helpers';

const ROOT = join(__dirname, '..', '..', '..');
const DIRS = ['test/fixtures/conformance', 'test/fixtures/extra-cases'];
const files = DIRS.flatMap((d) => readdirSync(join(ROOT, d)).filter((f) => f.endsWith('.json')).map((f) => join(ROOT, d, f)));

describe('conformance cases as scenarios', () => {
  it('every case, opened as a scenario document, gives the runner\'s whole kernel log and passes', () => {
    expect(files.length).toBeGreaterThanOrEqual(26);
    for (const f of files) {
      const v = validateCase(JSON.parse(readFileSync(f, 'utf8')), f);
      if (!v.ok) throw new Error(v.errors.join('; '));
      const ref = runCase(v.c);
      const parsed = parseScenarioText(JSON.stringify(caseDocument(v.c)));
      if (!parsed.ok) throw new Error(parsed.errors.join('; '));
      expect(caseIdOfTitle(parsed.scenario.title), f).toBe(v.c.id);
      const { sim, run } = bootScenario(parsed.scenario);
      run();
      expect(sim.log.map((r) => `${r.time} ${r.text}`), f).toEqual(ref.sim.log.map((r) => `${r.time} ${r.text}`));
      expect(firstDifference(v.c.expectedLog, selftestTranscript(sim.log)), f).toBeNull();
    }
  });

  it('names the first differing line, or the end of either log', () => {
    expect(firstDifference(['a', 'b'], ['a', 'c'])).toEqual({ line: 2, expected: 'b', actual: 'c' });
    expect(firstDifference(['a'], ['a', 'x'])).toEqual({ line: 2, expected: undefined, actual: 'x' });
    expect(firstDifference(['a'], [])).toEqual({ line: 1, expected: 'a', actual: undefined });
    expect(caseIdOfTitle('Petr')).toBeUndefined();
    expect(caseIdOfTitle('selftest livepatch-01: basic function patching')).toBe('livepatch-01');
  });
});
