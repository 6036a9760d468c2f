// The statechart is laid out when the app is built, not in the browser: elkjs (about 450 KB
// gzip) never reaches the page, and the chart is there at the first frame. The layout is
// still derived from the machine definition at every build, so it cannot go stale. This
// Vite plugin serves it as the module `virtual:klp-chart-layout` (ELK's output graphs with
// and without action names in the labels).

import ELK from 'elkjs/lib/elk.bundled.js';
import type { Plugin } from 'vite';
import { klpCoreMachine } from '../../../engine/klpCoreMachine';
import { chartModel } from './chartModel';
import { toElk } from './elkGraph';

const ID = 'virtual:klp-chart-layout';
const RESOLVED = `\0${ID}`;

export function klpChartLayoutPlugin(): Plugin {
  return {
    name: 'klp-chart-layout',
    resolveId: (id) => (id === ID ? RESOLVED : undefined),
    async load(id) {
      if (id !== RESOLVED) return undefined;
      const model = chartModel(klpCoreMachine);
      const elk = new ELK();
      const [withActions, withoutActions] = await Promise.all([elk.layout(toElk(model, true)), elk.layout(toElk(model, false))]);
      return `export const withActions = ${JSON.stringify(withActions)};\nexport const withoutActions = ${JSON.stringify(withoutActions)};\n`;
    },
  };
}
