// The URL fragment codec (src/scenario/url.ts): round trips, and a clear error (never an
// exception or a hang) for malformed, truncated, oversized and hostile fragments.

import { deflateSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { FORMAT, validateScenario, type Scenario } from '../../../src/scenario/document';
import { base64urlDecode, base64urlEncode, decodeScenarioUrl, encodeScenarioUrl, MAX_FRAGMENT_CHARS } from '../../../src/scenario/url';
import { FULL_DOCUMENT } from '../../support/scenarioFixtures';

function scenarioOf(doc: unknown): Scenario {
  const r = validateScenario(doc);
  if (!r.ok) throw new Error(r.errors.join('\n'));
  return r.scenario;
}

const fragmentOf = (bytes: Uint8Array) => `#s=1.${base64urlEncode(bytes)}`;
const deflated = (text: string) => deflateSync(new TextEncoder().encode(text));

function errorOf(hash: string): string[] {
  const r = decodeScenarioUrl(hash);
  expect(r.ok).toBe(false);
  return r.ok ? [] : r.errors;
}

describe('base64url', () => {
  it('round-trips every length of tail (0, 1 and 2 leftover bytes)', () => {
    for (const n of [0, 1, 2, 3, 4, 5, 255]) {
      const bytes = Uint8Array.from({ length: n }, (_, i) => (i * 37 + 11) & 0xff);
      const s = base64urlEncode(bytes);
      expect(s).toMatch(/^[A-Za-z0-9_-]*$/);
      expect(base64urlDecode(s)).toEqual(bytes);
    }
  });

  it('rejects characters outside the alphabet and impossible lengths', () => {
    expect(base64urlDecode('ab+c')).toBeNull();
    expect(base64urlDecode('abcde')).toBeNull();
    expect(base64urlDecode('ab=c')).toBeNull();
    expect(base64urlDecode('abé')).toBeNull();
  });
});

describe('encodeScenarioUrl / decodeScenarioUrl', () => {
  it('a full scenario and the cursor survive the round trip', () => {
    const s = scenarioOf(FULL_DOCUMENT);
    const url = encodeScenarioUrl(s, 12_345_678);
    expect(url).toMatch(/^#s=1\.[A-Za-z0-9_-]+&t=12345678$/);
    expect(decodeScenarioUrl(url)).toEqual({ ok: true, scenario: s, cursorUs: 12_345_678, dropped: [] });
    expect(decodeScenarioUrl(url.slice(1))).toEqual({ ok: true, scenario: s, cursorUs: 12_345_678, dropped: [] });
  });

  it('without a cursor there is no t= part and no cursor on decoding', () => {
    const s = scenarioOf({ format: FORMAT, version: 1, script: ['load_lp test_klp_livepatch'] });
    const url = encodeScenarioUrl(s);
    expect(url).not.toContain('&t=');
    expect(decodeScenarioUrl(url)).toEqual({ ok: true, scenario: s, dropped: [] });
  });

  it('is compact: the full example scenario fits well under 2,000 characters', () => {
    expect(encodeScenarioUrl(scenarioOf(FULL_DOCUMENT), 0).length).toBeLessThan(2000);
  });

  it('a document that compresses to many inflate chunks round-trips', () => {
    const script = Array.from({ length: 3000 }, (_, i) => `echo ${(i * 7919) % 100003} > /sys/kernel/debug/dynamic_debug/control`);
    const s = scenarioOf({ format: FORMAT, version: 1, script });
    const url = encodeScenarioUrl(s);
    expect(url.length).toBeGreaterThan(4096);
    expect(decodeScenarioUrl(url)).toEqual({ ok: true, scenario: s, dropped: [] });
  });
});

describe('bad fragments give a clear error', () => {
  const good = encodeScenarioUrl(scenarioOf(FULL_DOCUMENT));

  it('an empty fragment or one without s=', () => {
    expect(errorOf('')).toEqual(['link: no scenario in the fragment (expected #s=<version>.<data>)']);
    expect(errorOf('#t=5')).toEqual(['link: no scenario in the fragment (expected #s=<version>.<data>)']);
  });

  it('unknown or repeated parts, malformed version and time', () => {
    expect(errorOf(`${good}&x=1`)).toEqual(["link: unknown part 'x' in the fragment (expected s=<version>.<data> and optionally t=<microseconds>, task=<slot>, view=<panel>, b=<version>.<data>)"]);
    expect(errorOf(`${good}&s=1.AA`)).toEqual(["link: 's=' appears twice in the fragment"]);
    expect(errorOf('#s=abc')).toEqual(['link: the scenario part is malformed (expected s=<version>.<data>, e.g. s=1.eJw...)']);
    expect(errorOf('#s=0.AA')).toEqual(['link: scenario version 0 does not exist (versions start at 1)']);
    expect(errorOf('#s=2.AA')).toEqual(['link: the scenario is version 2, made by a newer Livepatch Explorer; this one reads versions up to 1']);
    // A malformed time costs only itself (the scenario opens at the start, the message says why).
    const r = decodeScenarioUrl(`${good}&t=-5`);
    expect(r.ok && r.cursorUs).toBe(undefined);
    expect(r.ok && r.dropped).toEqual(["link: the time part is malformed (expected t=<microseconds>, a whole number), got 't=-5'"]);
    // ...but a damaged scenario is reported first, whatever follows it.
    expect(errorOf('#s=abc&t=-5')).toEqual(['link: the scenario part is malformed (expected s=<version>.<data>, e.g. s=1.eJw...)']);
  });

  it('a truncated link', () => {
    for (const cut of [10, Math.floor(good.length / 2), good.length - 3]) {
      const e = errorOf(good.slice(0, cut));
      expect(e.length).toBe(1);
      expect(e[0]).toMatch(/^link: the scenario data is damaged/);
    }
  });

  it('characters outside base64url', () => {
    expect(errorOf('#s=1.abc$def')).toEqual(['link: the scenario data is damaged (characters outside base64url, or cut short)']);
  });

  it('data that is not deflate, and text that is not UTF-8', () => {
    expect(errorOf(fragmentOf(new Uint8Array([0xff, 0xff, 0xff, 0xff, 0xff, 0xff])))).toEqual(['link: the scenario data is damaged (not complete compressed data: was the link cut short?)']);
    expect(errorOf(fragmentOf(deflateSync(new Uint8Array([0x7b, 0xff, 0xfe, 0x7d]))))).toEqual(['link: the scenario data is not UTF-8 text']);
  });

  it('valid compression of an invalid document: the document errors, prefixed with link:', () => {
    expect(errorOf(fragmentOf(deflated('[1,')))[0]).toMatch(/^link: document: not valid JSON/);
    expect(errorOf(fragmentOf(deflated(JSON.stringify({ format: FORMAT, version: 1, seed: 'x' }))))).toEqual(['link: seed: expected an integer from 0 to 4294967295, got "x"']);
    expect(errorOf(fragmentOf(deflated(JSON.stringify({ format: FORMAT, version: 9 }))))).toEqual(['link: version: this document is version 9, written by a newer Livepatch Explorer; this one reads versions up to 1']);
  });

  it('a decompression bomb stops at the document size cap', () => {
    const bomb = deflateSync(new Uint8Array(8_000_000), { level: 9 });
    expect(errorOf(fragmentOf(bomb))).toEqual(['link: the scenario data expands to more than 1,000,000 bytes, the largest document allowed']);
  });

  it('an oversized fragment is refused before any decoding', () => {
    expect(errorOf(`#s=1.${'A'.repeat(MAX_FRAGMENT_CHARS)}`)).toEqual([`link: the fragment has 1,500,005 characters, more than the 1,500,000 a scenario link may have`]);
  });

  it('markup in names stays text: the decoded title is the string that was encoded', () => {
    const s = scenarioOf({ format: FORMAT, version: 1, title: '<img src=x onerror=alert(1)>' });
    const r = decodeScenarioUrl(encodeScenarioUrl(s));
    expect(r.ok && r.scenario.title).toBe('<img src=x onerror=alert(1)>');
  });
});
