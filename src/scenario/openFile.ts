// A file the user gives the page (Open file…, or dropped onto it): a scenario document, or a
// conformance case (case.ts), which opens as the scenario of its machine running its script.
// A bad file gets one message naming the file and what is wrong; nothing is opened.

import { caseDocument, validateCase, type CaseFile } from './case';
import { MAX_DOCUMENT_BYTES, parseScenarioText, validateScenario, type Scenario } from './document';

type OpenedFile = { ok: true; scenario: Scenario; kind: 'scenario' | 'case' } | { ok: false; message: string };

/** The most problems a message lists. */
const SHOWN = 3;

function listed(name: string, what: string, errors: readonly string[]): string {
  return `${name} is not a valid ${what}: ${errors.slice(0, SHOWN).join('; ')}${errors.length > SHOWN ? ` (and ${errors.length - SHOWN} more)` : ''}`;
}

/**
 * The scenario a case describes: its machine (a scenario document without a script; absent,
 * the selftest configuration, which is a document's defaults) with the case's script.
 */
function scenarioOfCase(c: CaseFile): { ok: true; scenario: Scenario } | { ok: false; errors: string[] } {
  // A kernel selftest case opens as the case presets do (caseDocument: its badge compares logs).
  const r = validateScenario(c.machine ? { ...c.machine, title: c.title.slice(0, 200), description: c.source.slice(0, 10_000), script: c.script } : caseDocument(c));
  return r.ok ? r : { ok: false, errors: r.errors };
}

/** Read a file's text as a scenario document or a case file. */
export function scenarioOfFile(name: string, text: string, bytes: number): OpenedFile {
  if (bytes > MAX_DOCUMENT_BYTES) return { ok: false, message: `${name} is ${bytes.toLocaleString('en-US')} bytes; a scenario or case file may have at most ${MAX_DOCUMENT_BYTES.toLocaleString('en-US')}.` };
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    return { ok: false, message: `${name} is not a scenario or case file: not valid JSON (${(e as Error).message})` };
  }
  const o = typeof json === 'object' && json !== null && !Array.isArray(json) ? (json as Record<string, unknown>) : undefined;
  // A document names its format; a case file has an expected log.
  if (o && !Object.hasOwn(o, 'format') && Object.hasOwn(o, 'expectedLog')) {
    const v = validateCase(json, 'case');
    if (!v.ok) return { ok: false, message: listed(name, 'conformance case', v.errors) };
    const s = scenarioOfCase(v.c);
    return s.ok ? { ok: true, scenario: s.scenario, kind: 'case' } : { ok: false, message: listed(name, 'conformance case', s.errors) };
  }
  const r = parseScenarioText(text);
  return r.ok ? { ok: true, scenario: r.scenario, kind: 'scenario' } : { ok: false, message: listed(name, 'scenario', r.errors) };
}
