// Attach a consistency analysis to a simulation: it observes the livepatch lifecycle events
// from now on and reads the machine; detach() stops it.

import type { Simulation } from '../engine/simulation';
import type { DependencySpec } from '../scenario/policySpec';
import { ConsistencyAnalysis } from './consistency';

export function attachConsistency(sim: Simulation, dependencies: readonly DependencySpec[] = []): { analysis: ConsistencyAnalysis; detach: () => void } {
  const analysis = new ConsistencyAnalysis(sim.kernel, dependencies);
  const k = sim.kernel;
  const stopEvents = k.events.subscribe((e) => analysis.observe(k.clock.now, e));
  const stopForks = k.copiedProcesses.subscribe((child) => analysis.forked(child));
  const detach = () => {
    stopEvents();
    stopForks();
  };
  return { analysis, detach };
}
