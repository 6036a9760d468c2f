// The timeline's SVG: D3 computes the scales and the band shapes, React draws them.

import { scaleLinear, scaleSqrt, scaleSymlog } from 'd3';
import { useRef } from 'react';
import { fmtShort, fmtWhen } from '../../format';
import { useView } from '../../store';
import { lanes as laneLayout, MARGIN } from './geometry';
import { mergeIntervals, stackBands, thinMarkers, type Interval, type TimelineData, type Window } from '../../../engine/select/timeline';
import { TimelineAxes, type CountScale } from './TimelineAxes';
import { Bands, Cursor, LockBand, Markers } from './TimelineMarks';
import { TimelineTooltip } from './TimelineTooltip';
import { TimelineViolations } from '../consistency/TimelineViolations';
import { seekTo, useTimelineInput } from './useTimelineInput';

interface Props {
  /** Pending counts on a symmetric log scale (else a square-root one). */
  log: boolean;
  data: TimelineData;
  win: Window;
  holds: readonly Interval[] | undefined;
  width: number;
  height: number;
}

export function TimelineChart({ log, data, win, holds, width, height }: Props) {
  const svg = useRef<SVGSVGElement>(null);
  const hover = useView((v) => v.timelineHover);
  const lanes = laneLayout(height, holds !== undefined);
  const x = scaleLinear().domain([win.t0, win.t1]).range([MARGIN.left, width - MARGIN.right]);
  const { bands, max } = stackBands(data.samples, data.end);
  // Square-root counts: one task stuck for minutes must stay visible beside a brief spike of
  // thousands; at a million tasks only a log scale keeps a few thousand pending readable.
  const y: CountScale = log
    ? Object.assign(scaleSymlog().domain([0, Math.max(10, max)]).range([lanes.plot.bottom, lanes.plot.top]), { log: true })
    : scaleSqrt().domain([0, Math.max(1, max)]).nice().range([lanes.plot.bottom, lanes.plot.top]);
  const input = useTimelineInput(svg, x, data, win);
  const visible = data.markers.filter((m) => m.time >= win.t0 && m.time <= win.t1);
  const marks = thinMarkers(visible, x, 4);
  const merged = holds ? mergeIntervals(holds.filter((h) => h.end >= win.t0 && h.start <= win.t1), x, 1) : [];
  const rel = (t: number) => (t - data.start) / 1e6;
  return (
    <>
      <svg
        ref={svg}
        className="tl-svg"
        width={width}
        height={height}
        tabIndex={0}
        role="slider"
        aria-label="Timeline: drag to move the cursor; arrow keys jump between markers, Shift skips attempts; + and - zoom"
        aria-valuemin={0}
        aria-valuemax={rel(data.end)}
        aria-valuenow={rel(data.now)}
        aria-valuetext={`${fmtWhen(data.now, data.start)}, of +${fmtShort(data.end - data.start)}`}
        data-now={data.now}
        {...input}
      >
        <defs>
          <clipPath id="tl-clip">
            <rect x={MARGIN.left} y={0} width={Math.max(0, width - MARGIN.left - MARGIN.right)} height={height} />
          </clipPath>
        </defs>
        <TimelineAxes x={x} y={y} lanes={lanes} width={width} />
        <g clipPath="url(#tl-clip)">
          <Bands bands={bands} x={x} y={y} />
          <LockBand holds={merged} x={x} lanes={lanes} />
          <Markers marks={marks} x={x} start={data.start} lanes={lanes} onJump={seekTo} />
          <TimelineViolations x={x} lanes={lanes} start={data.start} onJump={seekTo} />
          <Cursor x={x} now={data.now} head={data.head} end={data.end} lanes={lanes} width={width} />
          {hover !== null && <line className="tl-hover" x1={x(hover)} x2={x(hover)} y1={lanes.plot.top} y2={lanes.axisY} pointerEvents="none" />}
        </g>
      </svg>
      {hover !== null && hover >= win.t0 && hover <= win.t1 && (
        <TimelineTooltip data={data} time={hover} px={x(hover)} width={width} near={(m) => Math.abs(x(m.time) - x(hover)) <= 5} />
      )}
    </>
  );
}
