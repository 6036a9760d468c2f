import { expect } from 'vitest';
import type { LineOutcome, RunOutcome, Simulation } from '../../src/engine/simulation';
import { parseScript } from '../../src/scenario/script';

/** Parse script lines (throwing on a parse error) and run them on `sim`. */
export function runScript(sim: Simulation, lines: string[]): RunOutcome {
  const p = parseScript(lines);
  if (!p.ok) throw new Error(p.errors.join('\n'));
  return sim.run(p.lines);
}

/** runScript() for lines that must all run to the end (no helper dies). */
export function runToEnd(sim: Simulation, lines: string[]): LineOutcome[] {
  const r = runScript(sim, lines);
  expect(r.died).toBeUndefined();
  return r.outcomes;
}
