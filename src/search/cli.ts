// `sim FILE --search [--depth N] [--goal default|stuck|rmmod-refused|warn|any]`: what it prints.
// The first line is `found: <kind> after N states, M steps` followed by the found run's
// script (and a last `#` line saying what it hit), or `none found: N states explored`.

import type { Scenario } from '../scenario/document';
import { SearchRefused } from './spec';
import { GOALS, searchScenario, type Goal, type SearchResult } from './search';

export function isGoal(g: string): g is Goal {
  return (GOALS as readonly string[]).includes(g);
}

/** The report of a search, as lines. */
export function searchReport(r: SearchResult, policy: string): string[] {
  if (!r.found) {
    const why =
      r.stopped === 'states' ? ` (stopped at the state budget: not every state within the depth was explored)`
      : r.stopped === 'cancelled' ? ' (cancelled)'
      : r.truncated ? ` (every state within ${r.depth} steps; deeper runs were not explored: raise --depth)`
      : ' (every reachable state)';
    return [`none found: ${r.states} states explored${why}`, `# policy ${policy}`];
  }
  return [`found: ${r.found.kind} after ${r.states} states, ${r.found.moves.length} steps`, ...r.found.lines, `# ${r.found.kind} (policy ${policy}): ${r.found.detail}`];
}

/** Run the search for the CLI: 0 when it ran (found or not), 1 with a message when refused. */
export function runSearch(scenario: Scenario, goal: Goal, depth: number | undefined, out: (t: string) => void, err: (t: string) => void): number {
  try {
    const r = searchScenario(scenario, { goal, depth });
    for (const l of searchReport(r, scenario.kernel.policy)) out(l);
    return 0;
  } catch (e) {
    if (e instanceof SearchRefused) {
      err(`sim: ${e.message}`);
      return 1;
    }
    throw e;
  }
}
