// The one headless path for tests: a Session (behind an EngineHost for a scenario) runs the
// script to its end (Session.runToEnd), as the CLI, the conformance runner and the bench do.

import { expect } from 'vitest';
import { EngineHost, machineSource } from '../../src/engine/host';
import type { LineOutcome, RunOutcome } from '../../src/engine/runner';
import { Session, type HeadlessRun } from '../../src/engine/session';
import type { Simulation } from '../../src/engine/simulation';
import type { RunLimits } from '../../src/kernel/budget';
import { sessionSourceOf } from '../../src/scenario/build';
import type { Scenario } from '../../src/scenario/document';
import { parseScript, type ScriptLine } from '../../src/scenario/script';

/** Each machine's headless Session: bootScenario's, or for a hand-built one made at its first run (its script starts there). */
const sessions = new WeakMap<Simulation, Session>();

/**
 * Run parsed lines on `sim` through its headless Session: a line's `at` counts from this call,
 * `until` is virtual µs since boot; between calls the shell waits at its prompt.
 */
export function runLines(sim: Simulation, lines: readonly ScriptLine[], opts: Omit<HeadlessRun, 'lines'> = {}): RunOutcome {
  let s = sessions.get(sim);
  if (!s) sessions.set(sim, (s = new Session(machineSource(sim, 'test machine'), { record: false })));
  return s.runToEnd({ ...opts, lines });
}

/** Parse script lines (throwing on a parse error) and run them on `sim` (runLines). */
export function runScript(sim: Simulation, lines: readonly string[], opts: Omit<HeadlessRun, 'lines'> = {}): RunOutcome {
  const p = parseScript(lines);
  if (!p.ok) throw new Error(p.errors.join('\n'));
  return runLines(sim, p.lines, opts);
}

/** runScript() for lines that must all run to the end (no helper dies). */
export function runToEnd(sim: Simulation, lines: readonly string[]): LineOutcome[] {
  const r = runScript(sim, lines);
  expect(r.died).toBeUndefined();
  return r.outcomes;
}

/** A scenario's machine booted by a headless engine host (as `npm run sim` does); run() runs its script. */
export function bootScenario(s: Scenario, opts: { limits?: RunLimits; analysis?: boolean } = {}): { sim: Simulation; host: EngineHost; run(o?: HeadlessRun): RunOutcome } {
  const host = new EngineHost(sessionSourceOf(s, { analysis: opts.analysis ?? false, limits: opts.limits }), { record: false });
  // runLines on this machine joins the host's script.
  sessions.set(host.session.sim, host.session);
  return { sim: host.session.sim, host, run: (o) => host.runToEnd(o) };
}
