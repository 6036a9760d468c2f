import { useRef } from 'react';
import { useData, usePlayback } from '../engine';
import { useView } from '../store';
import { clampWindow, follow, zoomAround } from '../../engine/select/timeline';
import { TimelineChart } from './timeline/TimelineChart';
import { TimelineLegend } from './timeline/TimelineLegend';
import { useElementSize } from './useElementSize';
import './timeline/timeline.css';

/** Above this many tasks the counts default to a log scale. */
const LOG_SCALE_TASKS = 10_000;

/** The panel height under which the legend starts hidden. */
const LEGEND_MIN_HEIGHT = 260;

/** Pending tasks over virtual time with the run's markers; drag to travel in time. */
export function TimelineView() {
  const data = useData('timeline');
  // The attempt walks' tasklist_lock read holds (src/kernel/tasklist.ts): a lane once there are any.
  const holds = useData('holds');
  const playing = usePlayback((p) => p.playing);
  const stored = useView((v) => v.timelineWindow);
  const setWindow = useView((v) => v.setTimelineWindow);
  const box = useRef<HTMLDivElement>(null);
  const size = useElementSize(box);
  const view = useRef<HTMLDivElement>(null);
  const viewSize = useElementSize(view);
  const legendChoice = useView((v) => v.timelineLegend);
  const setLegend = useView((v) => v.setTimelineLegend);
  const logChoice = useView((v) => v.timelineLog);
  const setLog = useView((v) => v.setTimelineLog);
  const last = data.samples.at(-1);
  const tasks = last ? last.counts.reduce((a, b) => a + b, 0) : 0;
  const log = logChoice ?? tasks > LOG_SCALE_TASKS;
  // By default the legend shows only when the plot keeps room beside it (every mark has a tooltip).
  const legend = legendChoice ?? viewSize.height >= LEGEND_MIN_HEIGHT;
  const zoomed = stored && (playing ? follow(stored, data.now, data.start, data.end) : clampWindow(stored, data.start, data.end));
  const win = zoomed ?? { t0: data.start, t1: data.end };
  const anchor = data.now >= win.t0 && data.now <= win.t1 ? data.now : (win.t0 + win.t1) / 2;
  const zoomBy = (f: number) => setWindow(zoomAround(win, anchor, f, data.start, data.end));
  return (
    <div className="tl-view" ref={view}>
      <div className="tl-bar">
        <span className="tl-zoom">
          <button type="button" aria-label="Zoom in on timeline" title="Zoom in around the cursor (+, or the wheel over the chart)" onClick={() => zoomBy(0.5)}>+</button>
          <button type="button" aria-label="Zoom out of timeline" title="Zoom out (-)" onClick={() => zoomBy(2)} disabled={!zoomed}>−</button>
          <button type="button" title="Show the whole run (0)" onClick={() => setWindow(null)} disabled={!zoomed}>Fit</button>
        </span>
        <label className="tl-log" title={`Pending counts on a log scale (on by default above ${LOG_SCALE_TASKS.toLocaleString('en-US')} tasks)`}>
          <input type="checkbox" checked={log} onChange={(e) => setLog(e.target.checked)} /> Log scale
        </label>
        <button type="button" aria-expanded={legend} aria-controls="timeline-legend" title="Show or hide what the colours and marks mean" onClick={() => setLegend(!legend)}>Legend</button>
        {legend && <TimelineLegend lock={holds !== undefined} />}
      </div>
      <div className="tl-chart-box" ref={box} data-testid="timeline">
        {size.width > 0 && <TimelineChart log={log} data={data} win={win} holds={holds} width={size.width} height={size.height} />}
      </div>
    </div>
  );
}

