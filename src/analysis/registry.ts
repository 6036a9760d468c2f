// The analysis attached to each simulation the explorer builds (src/scenario/build.ts), for
// the views to read. A WeakMap: a simulation that is dropped takes its analysis with it.

import type { Simulation } from '../engine/simulation';
import type { DependencySpec } from '../scenario/policySpec';
import { attachConsistency } from './attach';
import type { ConsistencyAnalysis } from './consistency';

const attached = new WeakMap<Simulation, ConsistencyAnalysis>();

/** Attach (once) and remember the analysis of `sim`. */
export function analyseSimulation(sim: Simulation, dependencies: readonly DependencySpec[]): ConsistencyAnalysis {
  let a = attached.get(sim);
  if (!a) attached.set(sim, (a = attachConsistency(sim, dependencies).analysis));
  return a;
}

export function analysisOf(sim: Simulation): ConsistencyAnalysis | undefined {
  return attached.get(sim);
}
