// The search's figure for npm run bench: search_states_per_s, the states the state-space
// search (src/search/) explores per second of wall time, exhaustively over the small Petr
// configuration (public/scenarios/petr-hybrid.json under upstream, where nothing is found and
// every reachable state is visited, default goal), the median of a few runs after a warm-up.
// `BENCH_ONLY=search npm run bench` prints this section alone.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseScenarioText } from '../scenario/document';
import { search } from '../search/search';
import { searchSpecOf } from '../search/spec';

const RUNS = 5;

export function searchFigures(): string[] {
  const r = parseScenarioText(readFileSync(join(import.meta.dirname, '../../public/scenarios/petr-hybrid.json'), 'utf8'));
  if (!r.ok) throw new Error(r.errors.join('\n'));
  r.scenario.kernel.policy = 'upstream';
  const spec = searchSpecOf(r.scenario);
  const rates: number[] = [];
  let states = 0;
  for (let i = 0; i <= RUNS; i++) {
    const t0 = performance.now();
    const res = search(spec, { goal: 'default' });
    const ms = performance.now() - t0;
    states = res.states;
    if (i > 0) rates.push(res.states / (ms / 1000));
  }
  rates.sort((a, b) => a - b);
  return [`search_states_per_s: ${Math.round(rates[rates.length >> 1])}`, `search_petr_states: ${states}`];
}
