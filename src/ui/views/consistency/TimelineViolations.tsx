// Violation markers of the consistency analysis on the timeline: one diamond per violation at
// the foot of the plot, red for a never-shipped universe or a broken dependency, amber for a
// mass switch or a forced switch; its title says what, a click moves the cursor there.

import type { ScaleLinear } from 'd3';
import { useData } from '../../engine';
import { fmtShort } from '../../format';
import type { Lanes } from '../timeline/geometry';

export function TimelineViolations({ x, lanes, start, onJump }: { x: ScaleLinear<number, number>; lanes: Lanes; start: number; onJump(t: number): void }) {
  const data = useData('consistency');
  if (!data) return null;
  const y = lanes.plot.bottom - 6;
  return (
    <g data-testid="timeline-violations">
      {data.violations.map((v, i) => {
        const px = x(v.time);
        return (
          <g key={i} className={`tl-violation tl-violation-${v.kind}`} data-kind={v.kind} onPointerDown={(e) => e.stopPropagation()} onClick={() => onJump(v.time)}>
            <title>{`${v.kind} at +${fmtShort(v.time - start)}: ${v.detail}`}</title>
            <path d={`M${px},${y - 5} L${px + 5},${y} L${px},${y + 5} L${px - 5},${y} z`} />
          </g>
        );
      })}
    </g>
  );
}
