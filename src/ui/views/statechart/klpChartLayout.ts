// The laid-out chart of the klp core machine: derived from the definition and laid out by
// elkjs when the app is built (chartLayoutPlugin.ts); here ELK's output becomes drawable shapes.

import { withActions, withoutActions } from 'virtual:klp-chart-layout';
import { klpCoreMachine } from '../../../engine/klpCoreMachine';
import { chartModel, type ChartModel } from '../../../engine/select/chartModel';
import { fromElk, type ChartLayout } from './elkGraph';

const KLP_CHART: ChartModel = chartModel(klpCoreMachine);

const layouts = new Map<boolean, ChartLayout>();

/** The layout with or without the action names in the transition labels. */
export function klpChartLayout(actions: boolean): ChartLayout {
  let l = layouts.get(actions);
  if (!l) {
    l = fromElk(KLP_CHART, actions ? withActions : withoutActions, actions);
    layouts.set(actions, l);
  }
  return l;
}
