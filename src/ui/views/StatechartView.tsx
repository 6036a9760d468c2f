import { useRef } from 'react';
import { useData } from '../engine';
import { fmtShort, fmtTime } from '../format';
import { useView } from '../store';
import { StatechartLegend } from './statechart/StatechartLegend';
import { StatechartSvg } from './statechart/StatechartSvg';
import { download, standaloneSvg } from './statechart/exportSvg';
import { klpChartLayout } from './statechart/klpChartLayout';
import { useElementSize } from './useElementSize';
import './statechart/statechart.css';

/** The klp core machine as a chart (laid out by elkjs at build time), lit by the live actor. */
export function StatechartView() {
  const showActions = useView((v) => v.chartActions);
  const setChartActions = useView((v) => v.setChartActions);
  const layout = klpChartLayout(showActions);
  const lit = useData('statechart');
  const start = useData('cursor').start;
  const box = useRef<HTMLDivElement>(null);
  const svg = useRef<SVGSVGElement>(null);
  const size = useElementSize(box);
  const setChartZoom = useView((v) => v.setChartZoom);
  const exportChart = () => {
    if (!svg.current) return;
    const bg = getComputedStyle(document.documentElement).getPropertyValue('--panel').trim() || '#ffffff';
    download('klp-core-statechart.svg', standaloneSvg(svg.current, layout.width, layout.height, bg), 'image/svg+xml');
  };
  return (
    <div className="sc-view">
      <div className="sc-bar">
        <StatechartLegend />
        <span className="sc-actions-bar">
          <label title="Print each transition's actions on the chart (the tooltips always name them)">
            <input type="checkbox" checked={showActions} onChange={(e) => setChartActions(e.target.checked)} /> actions
          </label>
          <button type="button" onClick={() => setChartZoom(null)} title="Fit the whole chart in the panel">Fit</button>
          <button type="button" onClick={() => setChartZoom({ k: 1, x: 4, y: 4 })} aria-label="1:1 actual size" title="Show the chart at 1:1 (drag to pan, wheel to zoom)">1:1</button>
          <button type="button" onClick={exportChart} title="Download the chart as an SVG file">Export SVG</button>
        </span>
      </div>
      <p className="sc-steps muted" aria-live="polite">
        {lit.steps.length === 0 ? 'No transition taken yet in this run.' : lit.steps.map((s) => `${s.region}: ${s.event.startsWith('xstate.after') ? 'timer fired' : s.event} at [${fmtTime(s.time)}] +${fmtShort(s.time - start)}`).join(' · ')}
      </p>
      <div className="sc-canvas" ref={box}>
        {size.width > 0 && <StatechartSvg ref={svg} layout={layout} lit={lit} width={size.width} height={size.height} />}
      </div>
    </div>
  );
}
