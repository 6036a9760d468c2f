// The search's figure for npm run bench: search_states_per_s, the states the state-space
// search (src/search/) explores per second of wall time, exhaustively over the small Petr
// configuration (public/scenarios/petr-hybrid.json under upstream, where nothing is found and
// every reachable state is visited, default goal). That space has a few hundred states, one
// search of it a millisecond or so: a single run measures V8 compiling the search, not the
// search. So the figure is the steady rate a long search runs at: after a warm-up of
// WARM_MS, the median over BATCHES batches of back-to-back searches of BATCH_MS each,
// timed in CPU time of this process (process.cpuUsage(), user + system, its GC threads
// included): on a shared machine, time other processes take from it does not count.
// search_first_run_ms is the first, cold search, for what a one-off small search costs.
// search_large_states_per_s is one search of a larger space (test/fixtures/search/large.json,
// four kthreads and four patches, to depth LARGE_DEPTH: about 240,000 states), in CPU time:
// what a search that keeps hundreds of thousands of states runs at.
// `npm run bench -- search` prints this section alone.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseScenarioText } from '../scenario/document';
import { search } from '../search/search';
import { searchSpecOf } from '../search/spec';

const WARM_MS = 500;
const LARGE_DEPTH = 35;
const BATCHES = 9;
const BATCH_MS = 60;

export function searchFigures(): string[] {
  const r = parseScenarioText(readFileSync(join(import.meta.dirname, '../../public/scenarios/petr-hybrid.json'), 'utf8'));
  if (!r.ok) throw new Error(r.errors.join('\n'));
  r.scenario.kernel.policy = 'upstream';
  const spec = searchSpecOf(r.scenario);
  const t0 = performance.now();
  const states = search(spec, { goal: 'default' }).states;
  const firstMs = performance.now() - t0;
  // The warm-up: repeat until WARM_MS have passed (a bounded number of runs).
  for (let i = 0; i < 100_000 && performance.now() - t0 < WARM_MS; i++) search(spec, { goal: 'default' });
  const rates: number[] = [];
  for (let b = 0; b < BATCHES; b++) {
    let explored = 0;
    const c0 = process.cpuUsage();
    let ms = 0;
    for (let i = 0; i < 100_000 && ms < BATCH_MS; i++) {
      explored += search(spec, { goal: 'default' }).states;
      const c = process.cpuUsage(c0);
      ms = (c.user + c.system) / 1000;
    }
    rates.push(explored / (ms / 1000));
  }
  rates.sort((a, b) => a - b);
  return [`search_states_per_s: ${Math.round(rates[rates.length >> 1])}`, `search_petr_states: ${states}`, `search_first_run_ms: ${firstMs.toFixed(1)}`, largeFigure()];
}

function largeFigure(): string {
  const r = parseScenarioText(readFileSync(join(import.meta.dirname, '../../test/fixtures/search/large.json'), 'utf8'));
  if (!r.ok) throw new Error(r.errors.join('\n'));
  const c0 = process.cpuUsage();
  const states = search(searchSpecOf(r.scenario), { goal: 'default', depth: LARGE_DEPTH }).states;
  const c = process.cpuUsage(c0);
  return `search_large_states_per_s: ${Math.round(states / ((c.user + c.system) / 1e6))}`;
}
