// Two timelines on one virtual time axis (A above B) with one cursor: a press or a drag on
// either moves both hosts (LinkedCursor). The marks are the Timeline view's own (pending
// bands, marker glyphs, the cursor), drawn over each side's data.

import { scaleLinear, scaleSqrt, type ScaleLinear } from 'd3';
import { useRef, type PointerEvent } from 'react';
import { stackBands, thinMarkers, type TimelineData } from '../../engine/select/timeline';
import { lanes as laneLayout, MARGIN } from '../views/timeline/geometry';
import { TimelineAxes } from '../views/timeline/TimelineAxes';
import { Bands, Cursor, Markers } from '../views/timeline/TimelineMarks';
import { useElementSize } from '../views/useElementSize';
import type { CompareSession } from './compareStore';
import { usePortVersion } from './usePort';
import '../views/timeline/timeline.css';

const ROW_HEIGHT = 84;
/** Room for the side's letter left of each row. */
const TAG_W = 22;

export function CompareTimeline({ session }: { session: CompareSession }) {
  usePortVersion(session.portA);
  usePortVersion(session.portB);
  const box = useRef<HTMLDivElement>(null);
  const width = Math.max(0, useElementSize(box).width - TAG_W);
  const a = session.portA.ready() ? session.portA.piece('timeline') : undefined;
  const b = session.portB.ready() ? session.portB.piece('timeline') : undefined;
  const start = Math.min(a?.start ?? Infinity, b?.start ?? Infinity);
  const end = Math.max(a?.end ?? -Infinity, b?.end ?? -Infinity);
  const x = scaleLinear()
    .domain(Number.isFinite(start) && end > start ? [start, end] : [0, 1])
    .range([MARGIN.left, Math.max(MARGIN.left + 1, width - MARGIN.right)]);
  const seek = (t: number) => session.link.send({ type: 'SEEK', time: Math.round(t), sliced: true });
  const onPointer = (e: PointerEvent<SVGSVGElement>) => {
    if (e.type === 'pointermove' && e.buttons !== 1) return;
    const r = e.currentTarget.getBoundingClientRect();
    const [lo, hi] = x.domain();
    seek(Math.min(hi, Math.max(lo, x.invert(e.clientX - r.left))));
  };
  return (
    <div className="cmp-timelines" ref={box} data-testid="compare-timelines">
      {width > 0 && (
        <>
          <SideTimeline side="A" data={a} x={x} width={width} onPointer={onPointer} onJump={seek} />
          <SideTimeline side="B" data={b} x={x} width={width} onPointer={onPointer} onJump={seek} />
        </>
      )}
    </div>
  );
}

interface SideProps {
  side: 'A' | 'B';
  data: TimelineData | undefined;
  x: ScaleLinear<number, number>;
  width: number;
  onPointer(e: PointerEvent<SVGSVGElement>): void;
  onJump(t: number): void;
}

function SideTimeline({ side, data, x, width, onPointer, onJump }: SideProps) {
  const lanes = laneLayout(ROW_HEIGHT, false);
  if (!data) return <p className="muted cmp-tl-wait">{side}: building the machine…</p>;
  const { bands, max } = stackBands(data.samples, data.end);
  const y = scaleSqrt().domain([0, Math.max(1, max)]).nice().range([lanes.plot.bottom, lanes.plot.top]);
  const marks = thinMarkers(data.markers, x, 4);
  return (
    <div className="cmp-tl-row">
      <span className="cmp-side-tag" aria-hidden="true">{side}</span>
      <svg
        className="tl-svg"
        width={width}
        height={ROW_HEIGHT}
        role="img"
        aria-label={`Timeline of ${side}: pending tasks over virtual time; press or drag to move both cursors`}
        data-side={side}
        data-now={data.now}
        onPointerDown={onPointer}
        onPointerMove={onPointer}
      >
        <TimelineAxes x={x} y={y} lanes={lanes} width={width} />
        <Bands bands={bands} x={x} y={y} />
        <Markers marks={marks} x={x} start={data.start} lanes={lanes} onJump={onJump} />
        <Cursor x={x} now={data.now} head={data.head} end={data.end} lanes={lanes} width={width} />
      </svg>
    </div>
  );
}
