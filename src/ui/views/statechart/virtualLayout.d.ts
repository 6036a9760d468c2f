// The statechart layout computed at build time by chartLayoutPlugin.ts.
declare module 'virtual:klp-chart-layout' {
  import type { ElkNode } from 'elkjs/lib/elk-api';
  export const withActions: ElkNode;
  export const withoutActions: ElkNode;
}
