// Conformance cases: the kernel's selftests as golden logs (conformance/README.md), and runs
// exported from the explorer (caseExport.ts), which may name the machine they run on.

import { SELFTEST_CONFIG, Simulation } from '../engine/simulation';
import { EngineHost } from '../engine/host';
import type { SessionSource } from '../engine/session';
import { parseScript } from './script';
import { MAX_DOCUMENT_BYTES, MAX_SCRIPT_LINE_CHARS, MAX_SCRIPT_LINES, validateScenario } from './document';
import { buildSimulation } from './build';

export interface CaseFile {
  id: string;
  title: string;
  source: string;
  /**
   * The machine the script runs on, as a scenario document without a script (its kernel,
   * modules, tasks and seed); absent, the selftest configuration (SELFTEST_CONFIG).
   */
  machine?: Record<string, unknown>;
  script: string[];
  expectedLog: string[];
}

const CASE_FIELDS = ['id', 'title', 'source', 'machine', 'script', 'expectedLog'] as const;
/** Largest case file read (bytes of JSON), as for a scenario document. */
export const MAX_CASE_BYTES = MAX_DOCUMENT_BYTES;
/** Longest line of a case's script or expected log (a script line as a document allows). */
const MAX_CASE_LINE = MAX_SCRIPT_LINE_CHARS;
/** Most lines of an expected log (a script has at most MAX_SCRIPT_LINES). */
const MAX_EXPECTED_LINES = 100_000;

/** Validate a parsed JSON value as a case file; errors name the field. */
export function validateCase(v: unknown, where = 'case'): { ok: true; c: CaseFile } | { ok: false; errors: string[] } {
  const errors: string[] = [];
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return { ok: false, errors: [`${where}: expected a JSON object with fields ${CASE_FIELDS.join(', ')}`] };
  const o = v as Record<string, unknown>;
  for (const key of Object.keys(o)) {
    if (!(CASE_FIELDS as readonly string[]).includes(key)) errors.push(`${where}: unknown field '${key}' (a case has ${CASE_FIELDS.join(', ')})`);
  }
  for (const key of ['id', 'title', 'source'] as const) {
    const v = Object.prototype.hasOwnProperty.call(o, key) ? o[key] : undefined;
    if (typeof v !== 'string' || (key === 'id' && v.length === 0)) errors.push(`${where}.${key}: expected a${key === 'id' ? ' non-empty' : ''} string`);
    else if (v.length > 10_000) errors.push(`${where}.${key}: expected at most 10,000 characters, got ${v.length}`);
  }
  for (const key of ['script', 'expectedLog'] as const) {
    const a = Object.prototype.hasOwnProperty.call(o, key) ? o[key] : undefined;
    const max = key === 'script' ? MAX_SCRIPT_LINES : MAX_EXPECTED_LINES;
    if (!Array.isArray(a)) errors.push(`${where}.${key}: expected an array of strings`);
    else if (a.length > max) errors.push(`${where}.${key}: expected at most ${max.toLocaleString('en-US')} lines, got ${a.length.toLocaleString('en-US')}`);
    else {
      for (let i = 0; i < a.length && errors.length < 100; i++) {
        const s = a[i];
        if (typeof s !== 'string') errors.push(`${where}.${key}[${i}]: expected a string`);
        else if (s.length > MAX_CASE_LINE) errors.push(`${where}.${key}[${i}]: expected at most ${MAX_CASE_LINE} characters, got ${s.length}`);
      }
    }
  }
  if (Object.prototype.hasOwnProperty.call(o, 'machine')) {
    const m = o.machine;
    const r = validateScenario(m);
    if (!r.ok) errors.push(...r.errors.slice(0, 20).map((e) => `${where}.machine.${e}`));
    else if (r.scenario.script.length) errors.push(`${where}.machine.script: expected no script (the case's own script runs on the machine), got ${r.scenario.script.length} lines`);
  }
  if (errors.length) return { ok: false, errors };
  return { ok: true, c: o as unknown as CaseFile };
}

/** check_result's filter: livepatch:/test_klp lines, no taint lines. */
export function selftestFilter(text: string): boolean {
  return (text.includes('livepatch:') || text.includes('test_klp')) && !/(tainting|taints) kernel/.test(text);
}

interface CaseResult {
  id: string;
  pass: boolean;
  /** Why it failed: first difference, or the reason the script stopped. */
  reason?: string;
  actual: string[];
  sim: Simulation;
}

/**
 * What a case runs, as the explorer's Session replays a scenario: its machine (caseSimulation)
 * and the script, parsed here once; null (with the parser's errors) when the script does not parse.
 */
export function caseSource(c: Pick<CaseFile, 'title' | 'machine' | 'script'>): SessionSource | { errors: string[] } {
  const parsed = parseScript(c.script);
  if (!parsed.ok) return { errors: parsed.errors };
  return { title: c.title, build: () => caseSimulation(c), script: c.script, parsed: parsed.entries };
}

/** Where the explorer's transcript first differs from the kernel's: line is 1-based. */
interface TranscriptDifference {
  line: number;
  expected: string | undefined;
  actual: string | undefined;
}

/** The selftest's view of a kernel log: what check_result compares (selftestFilter). */
export function selftestTranscript(log: readonly { text: string }[]): string[] {
  return log.filter((r) => selftestFilter(r.text)).map((r) => r.text);
}

/** Compare a transcript with the expected one line for line: the first difference, or null. */
export function firstDifference(expected: readonly string[], actual: readonly string[]): TranscriptDifference | null {
  const n = Math.max(actual.length, expected.length);
  for (let i = 0; i < n; i++) {
    if (actual[i] !== expected[i]) return { line: i + 1, expected: expected[i], actual: actual[i] };
  }
  return null;
}

/** A difference as the conformance runner prints it. */
function describeDifference(d: TranscriptDifference): string {
  return `line ${d.line}:\n  expected: ${d.expected ?? '(end of log)'}\n  actual:   ${d.actual ?? '(end of log)'}`;
}

/**
 * A case as a scenario document: the selftest configuration is a document's default kernel,
 * with no modules or tasks of its own, so the explorer replays the case exactly as runCase()
 * does (test/unit/scenario/case.test.ts checks it, log for log). The title names the case id.
 */
export function caseDocument(c: CaseFile): Record<string, unknown> {
  return {
    format: 'livepatch-explorer/scenario',
    version: 1,
    title: `${CASE_TITLE_PREFIX}${c.id}: ${c.title}`,
    description: `${c.source}. The badge beside this text compares the explorer's kernel log with the case's expected transcript, line for line, once the script has run (the lines check_result compares: livepatch: and test_klp lines, no taint lines).`,
    script: [...c.script],
  };
}

/** What begins the title of a case opened as a scenario; the case id follows. */
const CASE_TITLE_PREFIX = 'selftest ';

/** The case id a scenario title names (caseDocument's), or undefined. */
export function caseIdOfTitle(title: string): string | undefined {
  if (!title.startsWith(CASE_TITLE_PREFIX)) return undefined;
  return /^([\w.-]+): /.exec(title.slice(CASE_TITLE_PREFIX.length))?.[1];
}

/** A validated case's machine, booted: its `machine` document's, or the selftest configuration. */
function caseSimulation(c: Pick<CaseFile, 'machine'>): Simulation {
  if (c.machine === undefined) return new Simulation(SELFTEST_CONFIG);
  const r = validateScenario(c.machine);
  if (!r.ok) throw new Error(`case machine does not validate (validate the case first): ${r.errors[0]}`);
  return buildSimulation(r.scenario);
}

/**
 * Run a case's script on its machine, headless, through an engine host (as `npm run sim`
 * does): the log lines check_result keeps, or why the run stopped.
 */
export function simulateCase(c: Pick<CaseFile, 'machine' | 'script'>): { sim: Simulation; actual: string[]; stopped?: string } {
  const source = caseSource({ title: 'case', ...c });
  if ('errors' in source) return { sim: caseSimulation(c), actual: [], stopped: source.errors.join('; ') };
  const host = new EngineHost(source, { record: false });
  const sim = host.session.sim;
  const start = sim.log.length;
  const out = host.runToEnd();
  host.close();
  const actual = selftestTranscript(sim.log.slice(start));
  if (out.died) return { sim, actual, stopped: `script stopped at line ${out.died.line.line} (${out.died.line.text}): ${out.died.reason}` };
  if (out.budget) return { sim, actual, stopped: out.budget.message };
  return { sim, actual };
}

export function runCase(c: CaseFile): CaseResult {
  const { sim, actual, stopped } = simulateCase(c);
  if (stopped !== undefined) return { id: c.id, pass: false, reason: stopped, actual, sim };
  const d = firstDifference(c.expectedLog, actual);
  if (d) return { id: c.id, pass: false, reason: describeDifference(d), actual, sim };
  return { id: c.id, pass: true, actual, sim };
}
