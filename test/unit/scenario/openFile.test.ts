// A file given to the page (Open file…, or dropped onto it): a scenario document or a
// conformance case; a case opens as the scenario of its machine running its script, and that
// scenario gives the case's expected log; a bad file is one message and nothing opened.

import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { selftestFilter } from '../../../src/scenario/case';
import { caseText, exportCase } from '../../../src/scenario/caseExport';
import { defaultScenario } from '../../../src/scenario/defaultScenario';
import { toDocument } from '../../../src/scenario/document';
import { scenarioOfFile } from '../../../src/scenario/openFile';
import { bootScenario } from '../../support/helpers';

const FIXTURES = join(__dirname, '..', '..', 'fixtures');

function logOf(text: string): string[] {
  const r = scenarioOfFile('f.json', text, text.length);
  if (!r.ok) throw new Error(r.message);
  const { sim, run } = bootScenario(r.scenario);
  const start = sim.log.length;
  run();
  return sim.log.slice(start).filter((x) => selftestFilter(x.text)).map((x) => x.text);
}

describe('opening a file', () => {
  it('every conformance case opens as a scenario whose run gives the case its expected log', () => {
    for (const dir of ['conformance', 'extra-cases']) {
      for (const f of readdirSync(join(FIXTURES, dir)).filter((x) => x.endsWith('.json'))) {
        const text = readFileSync(join(FIXTURES, dir, f), 'utf8');
        const r = scenarioOfFile(f, text, text.length);
        expect(r.ok && r.kind, f).toBe('case');
        expect(logOf(text), f).toEqual(JSON.parse(text).expectedLog);
      }
    }
  });

  it('an exported case (with its machine) opens as the scenario it came from', () => {
    const s = defaultScenario();
    const r = exportCase(s);
    if (!r.ok) throw new Error(r.error);
    const opened = scenarioOfFile('x.json', caseText(r.c), 1000);
    if (!opened.ok) throw new Error(opened.message);
    expect(toDocument(opened.scenario)).toEqual(toDocument({ ...s, description: r.c.source }));
  });

  it('a scenario document opens as itself', () => {
    const text = JSON.stringify(toDocument(defaultScenario()));
    expect(scenarioOfFile('s.json', text, text.length)).toEqual({ ok: true, scenario: defaultScenario(), kind: 'scenario' });
  });

  it.each([
    ['not JSON', '{nope', 'bad.json is not a scenario or case file: not valid JSON ('],
    ['a bad document', '{"format":"livepatch-explorer/scenario","version":1,"seed":-1}', 'bad.json is not a valid scenario: seed: '],
    ['a bad case', '{"id":"","title":"t","source":"s","script":[],"expectedLog":[]}', 'bad.json is not a valid conformance case: case.id: expected a non-empty string'],
    ['a case whose script does not parse', '{"id":"x","title":"t","source":"s","script":["at zz: ls"],"expectedLog":[]}', 'bad.json is not a valid conformance case: script'],
    ['neither', '[1,2]', 'bad.json is not a valid scenario: '],
  ])('%s: one message naming the file', (_, text, message) => {
    const r = scenarioOfFile('bad.json', text, text.length);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.message.startsWith(message), r.message).toBe(true);
  });

  it('a file over the size limit is refused before it is read', () => {
    expect(scenarioOfFile('big.json', '', 2_000_000)).toEqual({ ok: false, message: 'big.json is 2,000,000 bytes; a scenario or case file may have at most 1,000,000.' });
  });
});
