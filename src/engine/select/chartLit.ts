// What the live actor lights on the chart: its active states (from the snapshot value) and
// the transitions of each region's last microstep (recorded by the Session).

import type { StateValue } from 'xstate';
import type { CoreStep } from '../session';
import { activeStateIds, edgeIdOf, type ChartModel } from './chartModel';

export interface Lit {
  active: Set<string>;
  /** Edge ids taken in the last microstep of each region. */
  last: Set<string>;
  /** One line per region: what happened last and when. */
  steps: { region: string; event: string; time: number }[];
}

export function litFrom(model: ChartModel, value: StateValue, steps: ReadonlyMap<string, CoreStep>): Lit {
  const last = new Set<string>();
  const lines: Lit['steps'] = [];
  for (const [region, step] of steps) {
    for (const t of step.transitions) last.add(edgeIdOf(t));
    lines.push({ region, event: step.event, time: step.time });
  }
  return { active: activeStateIds(model, value), last, steps: lines };
}
