// The laid-out chart of the klp core machine: derived from the definition, laid out once in
// the worker, shared by every mount of the view.

import { useEffect, useState } from 'react';
import { klpCoreMachine } from '../../../engine/klpCoreMachine';
import { chartModel, type ChartModel } from './chartModel';
import { fromElk, toElk, type ChartLayout } from './elkGraph';
import { layoutInWorker } from './layoutClient';

export const KLP_CHART: ChartModel = chartModel(klpCoreMachine);

const layouts = new Map<boolean, Promise<ChartLayout>>();

function klpChartLayout(actions: boolean): Promise<ChartLayout> {
  let p = layouts.get(actions);
  if (!p) {
    p = layoutInWorker(toElk(KLP_CHART, actions)).then((out) => fromElk(KLP_CHART, out, actions));
    layouts.set(actions, p);
  }
  return p;
}

export type LayoutState = { layout: ChartLayout } | { error: string } | null;

/** The layout with or without actions in the labels (null while the worker computes it). */
export function useChartLayout(actions: boolean): LayoutState {
  const [state, setState] = useState<LayoutState>(null);
  useEffect(() => {
    let live = true;
    klpChartLayout(actions).then(
      (layout) => live && setState({ layout }),
      (err: unknown) => live && setState({ error: err instanceof Error ? err.message : String(err) }),
    );
    return () => {
      live = false;
    };
  }, [actions]);
  return state;
}
