// The statechart is laid out when the app is built, not in the browser: elkjs (about 450 KB
// gzip) never reaches the page, and the chart is there at the first frame. The layout is
// still derived from the machine definition at every build, so it cannot go stale. This
// Vite plugin serves it as the module `virtual:klp-chart-layout`. The layout runs in a
// separate Node process (layoutCli.ts through tsx) so the Vite config does not have to
// bundle the model's sources.

import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { Plugin } from 'vite';

const ID = 'virtual:klp-chart-layout';
const RESOLVED = `\0${ID}`;
const CLI = fileURLToPath(new URL('./layoutCli.ts', import.meta.url));

export function klpChartLayoutPlugin(): Plugin {
  return {
    name: 'klp-chart-layout',
    resolveId: (id) => (id === ID ? RESOLVED : undefined),
    async load(id) {
      if (id !== RESOLVED) return undefined;
      this.addWatchFile(CLI);
      const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', CLI], { maxBuffer: 16 << 20 });
      const { withActions, withoutActions } = JSON.parse(stdout) as { withActions: unknown; withoutActions: unknown };
      return `export const withActions = ${JSON.stringify(withActions)};\nexport const withoutActions = ${JSON.stringify(withoutActions)};\n`;
    },
  };
}
