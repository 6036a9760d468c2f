// The drawn content of the timeline: pending bands, marker glyphs (thin attempt ticks), the
// tasklist_lock holds, the cursor and the head.

import { area, curveStepAfter, type ScaleLinear } from 'd3';
import type { CountScale } from './TimelineAxes';
import { fmtShort, fmtWhen } from '../../format';
import { MARGIN, MARKER_LANE, type Lanes } from './geometry';
import { glyphPath, MARKER_STYLE, REASON_CLASS, reasonName } from './markerStyle';
import type { Band, Interval, MarkerMark } from '../../../engine/select/timeline';

export function Bands({ bands, x, y }: { bands: Band[]; x: ScaleLinear<number, number>; y: CountScale }) {
  const shape = area<Band['points'][number]>()
    .curve(curveStepAfter)
    .x((p) => x(p.time))
    .y0((p) => y(p.y0))
    .y1((p) => y(p.y1));
  return (
    <g>
      {bands.map((b) => (
        <path key={b.reason} className={`tl-band ${REASON_CLASS[b.reason]}`} data-reason={b.reason} d={shape(b.points) ?? ''}>
          <title>{`pending: ${reasonName(b.reason)}`}</title>
        </path>
      ))}
    </g>
  );
}

export function Markers({ marks, x, start, lanes, onJump }: { marks: MarkerMark[]; x: ScaleLinear<number, number>; start: number; lanes: Lanes; onJump(t: number): void }) {
  const cy = MARKER_LANE.top + MARKER_LANE.height / 2;
  return (
    <g>
      {marks.map(({ marker: m, count }, i) => {
        const style = MARKER_STYLE.get(m.kind)!;
        const px = x(m.time);
        const title = `${count > 1 ? `${count} attempts from ` : ''}${m.label} at ${fmtWhen(m.time, start)}${m.future ? ' (recorded, ahead of the cursor)' : ''}`;
        return (
          <g
            key={`${m.kind}-${m.time}-${i}`}
            className={`tl-m tl-m-${m.kind}`}
            data-kind={m.kind}
            data-time={m.time}
            data-future={m.future ? 'true' : 'false'}
            onPointerDown={(e) => e.stopPropagation()}
            onClick={() => onJump(m.time)}
          >
            <title>{title}</title>
            {style.symbol === null ? (
              <line className="tl-tick" x1={px} x2={px} y1={MARKER_LANE.top + 3} y2={MARKER_LANE.top + MARKER_LANE.height - 3} strokeWidth={count > 1 ? 2 : 1} />
            ) : (
              <>
                <line className="tl-guide" pointerEvents="none" x1={px} x2={px} y1={lanes.plot.top} y2={lanes.plot.bottom} />
                <path className="tl-glyph" d={glyphPath(style, 48)} transform={`translate(${px},${cy}) rotate(${style.rotate})`} />
              </>
            )}
            <rect className="tl-m-hit" x={px - 4} y={MARKER_LANE.top} width={8} height={MARKER_LANE.height} />
          </g>
        );
      })}
    </g>
  );
}

export function LockBand({ holds, x, lanes }: { holds: (Interval & { count: number })[]; x: ScaleLinear<number, number>; lanes: Lanes }) {
  if (!lanes.lock) return null;
  const { top, height } = lanes.lock;
  return (
    <g data-testid="tasklist-lock">
      {holds.map((h) => (
        <rect key={h.start} className="tl-lock" x={x(h.start)} y={top} width={Math.max(1, x(h.end) - x(h.start))} height={height}>
          <title>{`tasklist_lock held ${h.count > 1 ? `${h.count} times, ` : ''}${fmtShort(h.end - h.start)}${h.count > 1 ? ' from first to last' : ''}, over ${h.tasks} task checks`}</title>
        </rect>
      ))}
    </g>
  );
}

export function Cursor({ x, now, head, end, lanes, width }: { x: ScaleLinear<number, number>; now: number; head: number; end: number; lanes: Lanes; width: number }) {
  const [lo, hi] = [MARGIN.left, width - MARGIN.right];
  const cx = x(now);
  const inView = cx >= lo && cx <= hi;
  const future = Math.max(lo, Math.min(hi, cx));
  return (
    <g pointerEvents="none">
      <rect className="tl-future" x={future} y={lanes.plot.top} width={Math.max(0, Math.min(hi, x(end)) - future)} height={lanes.plot.bottom - lanes.plot.top} />
      {head > now && x(head) <= hi && <line className="tl-head" data-testid="timeline-head" x1={x(head)} x2={x(head)} y1={MARKER_LANE.top} y2={lanes.axisY} />}
      {inView && (
        <g data-testid="timeline-cursor" data-x={cx}>
          <line className="tl-cursor" x1={cx} x2={cx} y1={MARKER_LANE.top} y2={lanes.axisY} />
          <path className="tl-cursor-knob" d={`M${cx - 5},${lanes.axisY} L${cx + 5},${lanes.axisY} L${cx},${lanes.axisY - 6} z`} />
        </g>
      )}
    </g>
  );
}
