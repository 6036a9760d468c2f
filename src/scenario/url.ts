// The scenario in a URL fragment: `#s=<version>.<payload>&t=<cursor µs>`, the payload being
// the compact document, deflated and base64url-encoded. A Compare link adds scenario B as
// `&b=<version>.<payload>` (same encoding; `t` is then the linked cursor of both). Decoding trusts nothing: every size
// is capped before work is done, the inflater is fed in small pieces so that a hostile
// payload stops at the cap, and every failure is a message, never an exception.

import { deflateSync, Inflate } from 'fflate';
import { FORMAT_VERSION, MAX_DOCUMENT_BYTES, parseScenarioText, toDocument, type Scenario } from './document';

/** Longest fragment decoded (browsers keep far longer URLs; no scenario needs this much). */
export const MAX_FRAGMENT_CHARS = 1_500_000;
/** Compressed bytes fed to the inflater at a time: at most ~1,032x that comes out per push. */
const INFLATE_CHUNK = 1024;
const B64URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
const B64URL_INDEX = new Int16Array(128).fill(-1);
for (let i = 0; i < B64URL.length; i++) B64URL_INDEX[B64URL.charCodeAt(i)] = i;

/** What the reader looked at, kept in a shared link: the selected task's slot, the expanded panel. */
export interface LinkView {
  task?: number;
  view?: string;
}

/** Scenario B of a Compare link: decoded apart, so a bad B never stops scenario A from opening. */
type DecodedCompare = { ok: true; scenario: Scenario } | { ok: false; errors: string[] };

/**
 * A decoded link. A malformed optional part (t=, task=, view=) does not cost the scenario: it
 * is left out, and `dropped` says why (the page shows it, `sim decode` prints it).
 */
type DecodedUrl = ({ ok: true; scenario: Scenario; cursorUs?: number; compare?: DecodedCompare; dropped: string[] } & LinkView) | { ok: false; errors: string[] };

/** A panel's name in a link (`view=timeline`). */
const VIEW_NAME = /^[a-z]{1,16}$/;

export function base64urlEncode(bytes: Uint8Array): string {
  let out = '';
  let i = 0;
  for (; i + 2 < bytes.length; i += 3) {
    const n = (bytes[i] << 16) | (bytes[i + 1] << 8) | bytes[i + 2];
    out += B64URL[n >> 18] + B64URL[(n >> 12) & 63] + B64URL[(n >> 6) & 63] + B64URL[n & 63];
  }
  const rest = bytes.length - i;
  if (rest === 1) {
    const n = bytes[i] << 16;
    out += B64URL[n >> 18] + B64URL[(n >> 12) & 63];
  } else if (rest === 2) {
    const n = (bytes[i] << 16) | (bytes[i + 1] << 8);
    out += B64URL[n >> 18] + B64URL[(n >> 12) & 63] + B64URL[(n >> 6) & 63];
  }
  return out;
}

/** base64url without padding; null if a character is outside the alphabet or the length is impossible. */
export function base64urlDecode(s: string): Uint8Array | null {
  if (s.length % 4 === 1) return null;
  const out = new Uint8Array(Math.floor((s.length * 3) / 4));
  let o = 0;
  let acc = 0;
  let bits = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    const v = c < 128 ? B64URL_INDEX[c] : -1;
    if (v < 0) return null;
    acc = ((acc << 6) | v) & 0xffffff;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out[o++] = (acc >> bits) & 0xff;
    }
  }
  return out;
}

/** `<version>.<payload>`: the compact document, deflated, base64url. */
function payloadOf(scenario: Scenario): string {
  const json = JSON.stringify(toDocument(scenario, true));
  return `${FORMAT_VERSION}.${base64urlEncode(deflateSync(new TextEncoder().encode(json), { level: 9 }))}`;
}

/**
 * The fragment (with its leading #) that holds `scenario` and, optionally, the cursor time,
 * what the reader looked at, and a Compare mode's scenario B.
 */
export function encodeScenarioUrl(scenario: Scenario, cursorUs?: number, look: LinkView = {}, compare?: Scenario): string {
  const task = look.task !== undefined && Number.isSafeInteger(look.task) && look.task >= 0 ? `&task=${look.task}` : '';
  const view = look.view && VIEW_NAME.test(look.view) ? `&view=${look.view}` : '';
  return `#s=${payloadOf(scenario)}${cursorUs !== undefined ? `&t=${Math.max(0, Math.round(cursorUs))}` : ''}${task}${view}${compare ? `&b=${payloadOf(compare)}` : ''}`;
}

/** Inflate at most `cap` bytes; null when the data is not a complete deflate stream, 'too-big' past the cap. */
function inflateCapped(data: Uint8Array, cap: number): Uint8Array | null | 'too-big' {
  const parts: Uint8Array[] = [];
  let total = 0;
  let ended = false;
  let tooBig = false;
  const inf = new Inflate((chunk, final) => {
    total += chunk.length;
    if (total > cap) tooBig = true;
    else parts.push(chunk);
    if (final) ended = true;
  });
  try {
    for (let i = 0; i < data.length && !tooBig; i += INFLATE_CHUNK) {
      inf.push(data.subarray(i, i + INFLATE_CHUNK), i + INFLATE_CHUNK >= data.length);
    }
  } catch {
    return null;
  }
  if (tooBig) return 'too-big';
  if (!ended) return null;
  const out = new Uint8Array(total);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/**
 * Decode a location hash (`#s=1.…&t=…`, the # optional). Returns the validated scenario and
 * the cursor (with the optional parts it had to leave out), or messages saying what is wrong
 * with the link. Never throws.
 */
export function decodeScenarioUrl(hash: string): DecodedUrl {
  const fail = (...errors: string[]): DecodedUrl => ({ ok: false, errors });
  if (typeof hash !== 'string') return fail('link: expected the text of a URL fragment');
  if (hash.length > MAX_FRAGMENT_CHARS) return fail(`link: the fragment has ${hash.length.toLocaleString('en-US')} characters, more than the ${MAX_FRAGMENT_CHARS.toLocaleString('en-US')} a scenario link may have`);
  const body = hash.startsWith('#') ? hash.slice(1) : hash;
  if (body === '') return fail('link: no scenario in the fragment (expected #s=<version>.<data>)');
  const params = new Map<string, string>();
  for (const part of body.split('&')) {
    const eq = part.indexOf('=');
    const key = eq < 0 ? part : part.slice(0, eq);
    if (key !== 's' && key !== 't' && key !== 'task' && key !== 'view' && key !== 'b') return fail(`link: unknown part '${key.slice(0, 20)}' in the fragment (expected s=<version>.<data> and optionally t=<microseconds>, task=<slot>, view=<panel>, b=<version>.<data>)`);
    if (params.has(key)) return fail(`link: '${key}=' appears twice in the fragment`);
    params.set(key, eq < 0 ? '' : part.slice(eq + 1));
  }
  const s = params.get('s');
  if (s === undefined) return fail('link: no scenario in the fragment (expected #s=<version>.<data>)');
  if (!/^\d{1,6}\.[\s\S]*$/.test(s)) return fail('link: the scenario part is malformed (expected s=<version>.<data>, e.g. s=1.eJw...)');
  const a = decodePayload(s, 'link: ');
  if (!a.ok) return a;
  const dropped: string[] = [];
  let cursorUs: number | undefined;
  const t = params.get('t');
  if (t !== undefined) {
    if (/^\d{1,15}$/.test(t)) cursorUs = Number(t);
    else dropped.push(`link: the time part is malformed (expected t=<microseconds>, a whole number), got 't=${t.slice(0, 20)}'`);
  }
  const look: LinkView = {};
  const task = params.get('task');
  if (task !== undefined) {
    if (/^\d{1,7}$/.test(task)) look.task = Number(task);
    else dropped.push(`link: the task part is malformed (expected task=<slot>, a whole number), got 'task=${task.slice(0, 20)}'`);
  }
  const view = params.get('view');
  if (view !== undefined) {
    if (VIEW_NAME.test(view)) look.view = view;
    else dropped.push(`link: the view part is malformed (expected view=<panel name>), got 'view=${view.slice(0, 20)}'`);
  }
  const b = params.get('b');
  const compare = b === undefined ? {} : { compare: decodePayload(b, 'link, scenario B: ') };
  return { ok: true, scenario: a.scenario, ...(cursorUs === undefined ? {} : { cursorUs }), ...look, ...compare, dropped };
}

/** `<version>.<payload>` to a validated scenario, or messages starting with `prefix`. Never throws. */
function decodePayload(part: string, prefix: string): DecodedCompare {
  const fail = (...errors: string[]): DecodedCompare => ({ ok: false, errors: errors.map((e) => prefix + e) });
  const m = /^(\d{1,6})\.([\s\S]*)$/.exec(part);
  if (!m) return fail('the scenario part is malformed (expected <version>.<data>, e.g. 1.eJw...)');
  const version = Number(m[1]);
  if (version < 1) return fail(`scenario version ${version} does not exist (versions start at 1)`);
  if (version > FORMAT_VERSION) return fail(`the scenario is version ${version}, made by a newer Livepatch Explorer; this one reads versions up to ${FORMAT_VERSION}`);
  const bytes = base64urlDecode(m[2]);
  if (!bytes) return fail('the scenario data is damaged (characters outside base64url, or cut short)');
  const inflated = inflateCapped(bytes, MAX_DOCUMENT_BYTES);
  if (inflated === 'too-big') return fail(`the scenario data expands to more than ${MAX_DOCUMENT_BYTES.toLocaleString('en-US')} bytes, the largest document allowed`);
  if (!inflated) return fail('the scenario data is damaged (not complete compressed data: was the link cut short?)');
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(inflated);
  } catch {
    return fail('the scenario data is not UTF-8 text');
  }
  const r = parseScenarioText(text);
  if (!r.ok) return fail(...r.errors);
  return { ok: true, scenario: r.scenario };
}
