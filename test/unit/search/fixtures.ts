// The scenarios the search tests use.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseScenarioText, type Scenario } from '../../../src/scenario/document';

export const ROOT = join(__dirname, '..', '..', '..');
export const PETR_HYBRID = join(ROOT, 'public/scenarios/petr-hybrid.json');
export const PETR_UPSTREAM = join(ROOT, 'public/scenarios/petr-upstream.json');
export const DEPENDENCY_SPLIT = join(ROOT, 'public/scenarios/dependency-split.json');
export const CUMULATIVE = join(ROOT, 'test/fixtures/search/upstream-cumulative.json');
export const HELD_FORCED = join(ROOT, 'test/fixtures/search/held-forced.json');

export function scenarioOf(file: string, change?: (s: Scenario) => void): Scenario {
  const r = parseScenarioText(readFileSync(file, 'utf8'));
  if (!r.ok) throw new Error(r.errors.join('\n'));
  change?.(r.scenario);
  return r.scenario;
}
