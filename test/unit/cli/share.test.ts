// The sharing contract (README "Sharing"): `sim encode FILE` prints a scenario's link fragment,
// `sim decode FRAGMENT` the scenario JSON it holds; decode(encode(x)) = x for every preset;
// a hostile fragment exits non-zero with one `link:` message; the link fixtures of every
// link version still open to the same scenario; the terminal never receives escape sequences.

import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main, type SimIO } from '../../../src/cli/sim';
import { terminalSafe } from '../../../src/cli/terminal';
import { FORMAT_VERSION, parseScenarioText, toDocument } from '../../../src/scenario/document';
import { decodeScenarioUrl } from '../../../src/scenario/url';
import { HEAD } from '../../support/scenarioFixtures';

const ROOT = join(__dirname, '..', '..', '..');
const PRESETS = join(ROOT, 'public', 'scenarios');
const dir = mkdtempSync(join(tmpdir(), 'share-'));

function sim(...argv: string[]): { status: number; out: string[]; err: string[] } {
  const out: string[] = [];
  const err: string[] = [];
  const io: SimIO = { out: (t) => out.push(t), err: (t) => err.push(t) };
  const status = main(argv, io);
  return { status, out, err };
}

describe('sim encode / decode', () => {
  const presets = readdirSync(PRESETS).filter((f) => f.endsWith('.json'));

  it.each(presets)('decode(encode(%s)) is the same scenario, printed as its compact document', (name) => {
    const file = join(PRESETS, name);
    const enc = sim('encode', file);
    expect(enc.status).toBe(0);
    expect(enc.err).toEqual([]);
    expect(enc.out).toHaveLength(1);
    expect(enc.out[0]).toMatch(new RegExp(`^#s=${FORMAT_VERSION}\\.[A-Za-z0-9_-]+$`));
    const dec = sim('decode', enc.out[0]);
    expect(dec.status).toBe(0);
    const original = parseScenarioText(readFileSync(file, 'utf8'));
    const decoded = parseScenarioText(dec.out.join('\n'));
    if (!original.ok || !decoded.ok) throw new Error('a preset or its decoded copy does not validate');
    expect(decoded.scenario).toEqual(original.scenario);
    expect(JSON.parse(dec.out.join('\n'))).toEqual(toDocument(original.scenario, true));
    // The fragment without its # decodes the same.
    expect(sim('decode', enc.out[0].slice(1)).out).toEqual(dec.out);
  });

  const HOSTILE = [
    '',
    '#',
    's=',
    's=1.',
    's=9.eJwDAAAAAAE',
    's=0.eJwDAAAAAAE',
    's=1.!!!!',
    's=1.eJwDAAAAAAE&s=1.eJwDAAAAAAE',
    's=1.eJwDAAAAAAE&t=-5',
    's=1.eJwDAAAAAAE&t=1234567890123456',
    '__proto__=1',
    'constructor',
    's=1.' + 'A'.repeat(5000),
    's=1.' + Buffer.from('\x1b]0;pwned\x07').toString('base64url'),
  ];
  it.each(HOSTILE)('the hostile fragment %j exits 1 with one link: message', (fragment) => {
    const r = sim('decode', fragment);
    expect(r.status).toBe(1);
    expect(r.out).toEqual([]);
    expect(r.err).toHaveLength(1);
    expect(r.err[0]).toMatch(/^link: /);
  });

  it('a good scenario with a malformed time or task decodes, and stderr names the part left out', () => {
    const enc = sim('encode', join(PRESETS, readdirSync(PRESETS).filter((f) => f.endsWith('.json'))[0]));
    const clean = sim('decode', enc.out[0]);
    const r = sim('decode', `${enc.out[0]}&t=soon&task=1`);
    expect(r.status).toBe(0);
    expect(r.out).toEqual(clean.out);
    expect(r.err).toEqual(["link: the time part is malformed (expected t=<microseconds>, a whole number), got 't=soon' (left out)"]);
  });

  it('encode of a bad document names the file and the field; usage errors exit 2', () => {
    const file = join(dir, 'bad.json');
    writeFileSync(file, JSON.stringify({ ...HEAD, seed: 'x' }));
    const r = sim('encode', file);
    expect(r.status).toBe(1);
    expect(r.err).toEqual([`sim: ${file}: seed: expected an integer from 0 to 4294967295, got "x"`]);
    expect(sim('encode').status).toBe(2);
    expect(sim('decode', 'a', 'b').status).toBe(2);
  });
});

describe('old links still open: one fixture per link version (test/fixtures/links/)', () => {
  const files = readdirSync(join(ROOT, 'test', 'fixtures', 'links')).filter((f) => f.endsWith('.json'));

  it('there is a fixture for every link version up to the current one', () => {
    const versions = files.map((f) => JSON.parse(readFileSync(join(ROOT, 'test', 'fixtures', 'links', f), 'utf8')).linkVersion as number);
    for (let v = 1; v <= FORMAT_VERSION; v++) expect(versions).toContain(v);
  });

  it.each(files)('%s: every link decodes (after migration) to the document recorded with it', (f) => {
    const fx = JSON.parse(readFileSync(join(ROOT, 'test', 'fixtures', 'links', f), 'utf8')) as { links: { fragment: string; cursorUs?: number; document: unknown }[] };
    expect(fx.links.length).toBeGreaterThan(0);
    for (const l of fx.links) {
      const r = decodeScenarioUrl(l.fragment);
      if (!r.ok) throw new Error(r.errors.join('\n'));
      expect(toDocument(r.scenario, true)).toEqual(l.document);
      expect(r.cursorUs).toBe(l.cursorUs);
    }
  });
});

describe('the terminal gets no escape sequences (dmesg prints them as \\xHH)', () => {
  it('terminalSafe writes C0 controls, DEL and C1 controls as \\xHH and keeps line breaks', () => {
    expect(terminalSafe('a\x1b[31mred\x07\tb\x7f\x9b\nnext')).toBe('a\\x1b[31mred\\x07\\x09b\\x7f\\x9b\nnext');
  });

  it('sim prints a module line holding ANSI and OSC sequences literally', () => {
    const file = join(dir, 'esc.json');
    const doc = { ...HEAD, modules: [{ name: 'esc', functions: [], init: { print: ['\x1b]0;pwned\x07\x1b[2Jcleared'] } }], script: ['insmod esc.ko'] };
    writeFileSync(file, JSON.stringify(doc));
    const r = spawnSync(process.execPath, [join(ROOT, 'src', 'cli', 'run.mjs'), 'sim', file, '--no-timestamps'], { encoding: 'utf8', cwd: ROOT });
    expect(r.status).toBe(0);
    expect(r.stdout).not.toContain('\x1b');
    expect(r.stdout).toContain('esc: \\x1b]0;pwned\\x07\\x1b[2Jcleared');
  });
});
