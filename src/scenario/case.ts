// Conformance cases: the kernel's selftests as golden logs (conformance/README.md).

import { SELFTEST_CONFIG, Simulation } from '../engine/simulation';
import { parseScript } from './script';

export interface CaseFile {
  id: string;
  title: string;
  source: string;
  script: string[];
  expectedLog: string[];
}

const CASE_FIELDS = ['id', 'title', 'source', 'script', 'expectedLog'] as const;

/** Validate a parsed JSON value as a case file; errors name the field. */
export function validateCase(v: unknown, where = 'case'): { ok: true; c: CaseFile } | { ok: false; errors: string[] } {
  const errors: string[] = [];
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return { ok: false, errors: [`${where}: expected a JSON object with fields ${CASE_FIELDS.join(', ')}`] };
  const o = v as Record<string, unknown>;
  for (const key of Object.keys(o)) {
    if (!(CASE_FIELDS as readonly string[]).includes(key)) errors.push(`${where}: unknown field '${key}' (a case has ${CASE_FIELDS.join(', ')})`);
  }
  for (const key of ['id', 'title', 'source'] as const) {
    if (typeof o[key] !== 'string' || (key === 'id' && (o[key] as string).length === 0)) errors.push(`${where}.${key}: expected a${key === 'id' ? ' non-empty' : ''} string`);
  }
  for (const key of ['script', 'expectedLog'] as const) {
    const a = o[key];
    if (!Array.isArray(a)) errors.push(`${where}.${key}: expected an array of strings`);
    else a.forEach((s, i) => {
      if (typeof s !== 'string') errors.push(`${where}.${key}[${i}]: expected a string`);
    });
  }
  if (errors.length) return { ok: false, errors };
  return { ok: true, c: o as unknown as CaseFile };
}

/** check_result's filter: livepatch:/test_klp lines, no taint lines. */
export function selftestFilter(text: string): boolean {
  return (text.includes('livepatch:') || text.includes('test_klp')) && !/(tainting|taints) kernel/.test(text);
}

export interface CaseResult {
  id: string;
  pass: boolean;
  /** Why it failed: first difference, or the reason the script stopped. */
  reason?: string;
  actual: string[];
  sim: Simulation;
}

export function runCase(c: CaseFile): CaseResult {
  const sim = new Simulation(SELFTEST_CONFIG);
  const parsed = parseScript(c.script);
  if (!parsed.ok) return { id: c.id, pass: false, reason: parsed.errors.join('; '), actual: [], sim };
  const start = sim.log.length;
  const out = sim.run(parsed.lines);
  const actual = sim.log.slice(start).filter((r) => selftestFilter(r.text)).map((r) => r.text);
  if (out.died) {
    return { id: c.id, pass: false, reason: `script stopped at line ${out.died.line.line} (${out.died.line.text}): ${out.died.reason}`, actual, sim };
  }
  const n = Math.max(actual.length, c.expectedLog.length);
  for (let i = 0; i < n; i++) {
    if (actual[i] !== c.expectedLog[i]) {
      return {
        id: c.id,
        pass: false,
        reason: `line ${i + 1}:\n  expected: ${c.expectedLog[i] ?? '(end of log)'}\n  actual:   ${actual[i] ?? '(end of log)'}`,
        actual,
        sim,
      };
    }
  }
  return { id: c.id, pass: true, actual, sim };
}
