// Untrusted input never throws: any JSON value given to the document validator, any string
// given to the URL decoder, and any mutation of a valid document's fields yield a result
// (a scenario or messages), and a scenario that validates re-encodes to itself.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { toDocument, validateScenario } from '../../src/scenario/document';
import { decodeScenarioUrl, encodeScenarioUrl } from '../../src/scenario/url';
import { FULL_DOCUMENT } from '../support/scenarioFixtures';

const RUNS = { numRuns: 300, seed: 42 };

/** Every path to a field of a JSON value, e.g. ['tasks', 'classes', 0, 'count']. */
function paths(v: unknown, prefix: (string | number)[] = []): (string | number)[][] {
  if (typeof v !== 'object' || v === null) return [prefix];
  const keys: (string | number)[] = Array.isArray(v) ? v.map((_, i) => i) : Object.keys(v);
  return [prefix, ...keys.flatMap((k) => paths((v as Record<string | number, unknown>)[k], [...prefix, k]))];
}

function withValueAt(doc: unknown, path: (string | number)[], value: unknown): unknown {
  if (path.length === 0) return value;
  const copy = structuredClone(doc) as Record<string | number, unknown>;
  let o = copy;
  for (const k of path.slice(0, -1)) o = o[k] as Record<string | number, unknown>;
  o[path[path.length - 1]] = value;
  return copy;
}

describe('scenario input is validated without exceptions (fast-check, seed 42)', () => {
  it('validateScenario returns errors or a scenario for any JSON value', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (v) => {
        const r = validateScenario(v);
        expect(r.ok || r.errors.length > 0).toBe(true);
      }),
      RUNS,
    );
  });

  it('any field of a valid document replaced by any JSON value: a result, and errors name a path', () => {
    const all = paths(FULL_DOCUMENT).filter((p) => p.length > 0);
    fc.assert(
      fc.property(fc.constantFrom(...all), fc.jsonValue({ maxDepth: 3 }), (path, value) => {
        const r = validateScenario(withValueAt(FULL_DOCUMENT, path, value));
        if (r.ok) expect(validateScenario(toDocument(r.scenario, true))).toEqual(r);
        else for (const e of r.errors) expect(e).toMatch(/^(document|[A-Za-z_][\w.[\]]*(\[".*"\])?): \S/);
      }),
      RUNS,
    );
  });

  it('decodeScenarioUrl returns a result for any string, and for any mutation of a valid link', () => {
    const valid = validateScenario(FULL_DOCUMENT);
    if (!valid.ok) throw new Error(valid.errors.join('\n'));
    const url = encodeScenarioUrl(valid.scenario, 5);
    fc.assert(
      fc.property(fc.string({ maxLength: 300 }), (s) => {
        const r = decodeScenarioUrl(s);
        expect(r.ok || r.errors.length > 0).toBe(true);
      }),
      RUNS,
    );
    fc.assert(
      fc.property(fc.nat(url.length - 1), fc.constantFrom(...'ABCabc019-_'), (i, ch) => {
        const r = decodeScenarioUrl(url.slice(0, i) + ch + url.slice(i + 1));
        expect(r.ok || r.errors.length > 0).toBe(true);
      }),
      RUNS,
    );
  });
});
