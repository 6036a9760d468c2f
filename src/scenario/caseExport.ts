// A run exported as a conformance case (issue 11): the scenario's script, with every command
// typed into it, and the kernel log lines check_result keeps (selftestFilter) as the expected
// log, written in the format `npm run conformance` reads (case.ts). The machine is the
// scenario's own (its kernel, modules, tasks and seed), kept in the case's `machine` field. The
// expected log comes from running the script exactly as the conformance runner will
// (simulateCase), so an exported case passes until the model's behaviour changes: a golden
// case for a scenario of one's own. The page (Export case) and the CLI (`sim --export-case`)
// both call this.

import { simulateCase, validateCase, type CaseFile } from './case';
import { toDocument, type Scenario } from './document';

/** A case id from a title: lower case, words joined by '-', at most 60 characters. */
export function caseIdOf(title: string): string {
  const id = title
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .slice(0, 60)
    .replace(/^-+|-+$/g, '');
  return id || 'exported-run';
}

/** The case of a scenario's run to the end of its script, or why there is none. */
export function exportCase(s: Scenario): { ok: true; c: CaseFile } | { ok: false; error: string } {
  return completeCase({
    id: caseIdOf(s.title),
    title: s.title || 'an exported run',
    source: `Exported from Livepatch Explorer: the scenario "${s.title || 'untitled'}" run to the end of its script`,
    machine: toDocument({ ...s, script: [] }, true),
    script: [...s.script],
  });
}

/** A case given its machine and script: the expected log is what the runner will see. */
export function completeCase(base: Omit<CaseFile, 'expectedLog'>): { ok: true; c: CaseFile } | { ok: false; error: string } {
  const c: CaseFile = { ...base, expectedLog: [] };
  if (c.machine === undefined) delete c.machine;
  const run = simulateCase(c);
  if (run.stopped !== undefined) return { ok: false, error: `the run did not reach the end of its script, so it makes no conformance case: ${run.stopped}` };
  c.expectedLog = run.actual;
  // What is written must read back: the same validation the runner applies.
  const v = validateCase(JSON.parse(JSON.stringify(c)), c.id);
  if (!v.ok) return { ok: false, error: `the exported case does not validate: ${v.errors.join('; ')}` };
  return { ok: true, c };
}

/** The case file's text, as the fixtures are written. */
export function caseText(c: CaseFile): string {
  return `${JSON.stringify(c, null, 2)}\n`;
}
