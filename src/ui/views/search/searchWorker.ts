// The state-space search in a Web Worker (the Search dialog, SearchDialog.tsx): one search per
// worker, progress posted every few thousand states; the page cancels by terminating it.

import type { Scenario } from '../../../scenario/document';
import { searchReport } from '../../../search/cli';
import { replayScenario } from '../../../search/replay';
import { searchScenario, type Goal } from '../../../search/search';
import { SearchRefused } from '../../../search/spec';

export interface SearchRequest {
  scenario: Scenario;
  goal: Goal;
  depth: number;
}

export type SearchMessage =
  | { type: 'progress'; states: number; depth: number; statesPerS: number }
  | { type: 'done'; report: string[]; kind: string | null; replay: Scenario | null }
  | { type: 'refused'; message: string };

const post = (m: SearchMessage) => postMessage(m);

onmessage = (e: MessageEvent<SearchRequest>) => {
  const { scenario, goal, depth } = e.data;
  try {
    const r = searchScenario(scenario, { goal, depth, progressEvery: 2000, now: () => performance.now(), onProgress: (p) => post({ type: 'progress', ...p }) });
    post({ type: 'done', report: searchReport(r, scenario.kernel.policy), kind: r.found?.kind ?? null, replay: r.found ? replayScenario(scenario, r.found) : null });
  } catch (err) {
    post({ type: 'refused', message: err instanceof SearchRefused ? err.message : `search failed: ${(err as Error).message}` });
  }
};
