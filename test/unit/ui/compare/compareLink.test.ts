// A Compare link (src/scenario/url.ts, src/ui/scenarioStore.ts): scenario B rides in `&b=`
// beside A and the cursor; old links still open; a bad B (damaged, from a newer version,
// inflating past the largest document) leaves A to open alone with a notice, and never
// throws.

import { deflateSync } from 'fflate';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { MAX_DOCUMENT_BYTES, parseScenarioText, toDocument, type Scenario } from '../../../../src/scenario/document';
import { base64urlEncode, decodeScenarioUrl, encodeScenarioUrl } from '../../../../src/scenario/url';
import { initialScenario } from '../../../../src/ui/scenarioStore';

function preset(id: string): Scenario {
  const r = parseScenarioText(readFileSync(join(__dirname, '..', '..', '..', '..', 'public', 'scenarios', `${id}.json`), 'utf8'));
  if (!r.ok) throw new Error(r.errors.join('\n'));
  return r.scenario;
}

const A = preset('petr-hybrid');
const B = preset('petr-replace-set');

describe('the Compare link', () => {
  it('round-trips A, B and the cursor', () => {
    const hash = encodeScenarioUrl(A, 7_710_000, {}, B);
    expect(hash).toMatch(/^#s=\d+\.[\w-]+&t=7710000&b=\d+\.[\w-]+$/);
    const r = decodeScenarioUrl(hash);
    if (!r.ok) throw new Error(r.errors.join('\n'));
    expect(r.cursorUs).toBe(7_710_000);
    expect(toDocument(r.scenario)).toEqual(toDocument(A));
    expect(r.compare?.ok).toBe(true);
    if (r.compare?.ok) expect(toDocument(r.compare.scenario)).toEqual(toDocument(B));
  });

  it('a link without B opens as before, with no compare part', () => {
    const hash = encodeScenarioUrl(A, 5);
    expect(hash).not.toContain('&b=');
    const r = decodeScenarioUrl(hash);
    expect(r.ok && r.compare).toBe(undefined);
    const page = initialScenario(hash, null);
    expect(page).toMatchObject({ from: 'link', cursorUs: 5 });
    expect(page.compare).toBeUndefined();
    expect(page.notice).toBeUndefined();
  });

  it('the page opens Compare from a good link: B beside A, the cursor kept', () => {
    const r = initialScenario(encodeScenarioUrl(A, 12_000_000, {}, B), null);
    expect(r.from).toBe('link');
    expect(r.cursorUs).toBe(12_000_000);
    expect(r.scenario.title).toBe(A.title);
    expect(r.compare?.title).toBe(B.title);
    expect(r.notice).toBeUndefined();
  });

  const good = encodeScenarioUrl(A, 1_000);
  const bomb = base64urlEncode(deflateSync(new Uint8Array(MAX_DOCUMENT_BYTES * 4).fill(32)));
  it.each([
    ['damaged data', '1.@@@', 'link, scenario B: the scenario data is damaged (characters outside base64url, or cut short)'],
    ['a newer version', '99.eJw', 'link, scenario B: the scenario is version 99, made by a newer Livepatch Explorer; this one reads versions up to 1'],
    ['no version', 'eJw', 'link, scenario B: the scenario part is malformed (expected <version>.<data>, e.g. 1.eJw...)'],
    ['a payload inflating past the largest document', `1.${bomb}`, `link, scenario B: the scenario data expands to more than ${MAX_DOCUMENT_BYTES.toLocaleString('en-US')} bytes, the largest document allowed`],
    ['not a scenario', `1.${base64urlEncode(deflateSync(new TextEncoder().encode('{"format":"nope"}')))}`, 'link, scenario B: '],
  ])('a B with %s: A opens alone, and the notice says why', (_, b, message) => {
    const r = decodeScenarioUrl(`${good}&b=${b}`);
    if (!r.ok) throw new Error(r.errors.join('\n'));
    expect(r.compare?.ok).toBe(false);
    if (r.compare && !r.compare.ok) expect(r.compare.errors[0].startsWith(message)).toBe(true);
    const page = initialScenario(`${good}&b=${b}`, null);
    expect(page.scenario.title).toBe(A.title);
    expect(page.cursorUs).toBe(1_000);
    expect(page.compare).toBeUndefined();
    expect(page.notice).toMatch(/^The Compare part of this link could not be opened \(link, scenario B: .+\); showing scenario A alone\.$/);
  });

  it('B twice is refused like any repeated part', () => {
    const b = encodeScenarioUrl(B).replace(/^#s=/, '');
    expect(decodeScenarioUrl(`${good}&b=${b}&b=${b}`)).toEqual({ ok: false, errors: ["link: 'b=' appears twice in the fragment"] });
  });
});
