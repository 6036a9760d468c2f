// The state-space search in a Web Worker (the Search dialog, SearchDialog.tsx): one request per
// worker (one search per policy asked for), progress posted every few thousand states; the
// page cancels by terminating it.

import type { Scenario } from '../../../scenario/document';
import type { PolicyName } from '../../../kernel/policy/types';
import { policyReports, searchPolicies, type PolicyChoice } from '../../../search/cli';
import { replayScenario } from '../../../search/replay';
import type { Goal } from '../../../search/search';
import { SearchRefused } from '../../../search/spec';

export interface SearchRequest {
  scenario: Scenario;
  goal: Goal;
  depth: number;
  policy: PolicyChoice;
}

/** A found run, per policy, as the scenario that replays it. */
export interface FoundReplay {
  policy: PolicyName;
  kind: string;
  scenario: Scenario;
}

export type SearchMessage =
  | { type: 'progress'; policy: PolicyName; states: number; depth: number; statesPerS: number }
  | { type: 'done'; report: string[]; replays: FoundReplay[] }
  | { type: 'refused'; message: string };

const post = (m: SearchMessage) => postMessage(m);

onmessage = (e: MessageEvent<SearchRequest>) => {
  const { scenario, goal, depth, policy } = e.data;
  let current: PolicyName = scenario.kernel.policy;
  try {
    const runs = searchPolicies(scenario, policy, { goal, depth, progressEvery: 2000, now: () => performance.now(), onPolicy: (p) => (current = p), onProgress: (p) => post({ type: 'progress', policy: current, ...p }) });
    const replays = runs.flatMap((r) => (r.result.found ? [{ policy: r.policy, kind: r.result.found.kind, scenario: replayScenario(r.scenario, r.result.found) }] : []));
    post({ type: 'done', report: policyReports(runs, goal), replays });
  } catch (err) {
    post({ type: 'refused', message: err instanceof SearchRefused ? err.message : `search failed: ${(err as Error).message}` });
  }
};
