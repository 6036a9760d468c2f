import { format, type ScaleLinear, type ScalePower, type ScaleSymLog } from 'd3';
import { fmtBoot } from '../../format';
import { MARGIN, type Lanes } from './geometry';

/** The pending-count axis: square root, or symmetric log (`log` set). */
export type CountScale = (ScalePower<number, number> | ScaleSymLog<number, number>) & { log?: boolean };

/** Ticks of a count axis: powers of ten on a log scale (at most four), whole numbers otherwise. */
function countTicks(y: CountScale): number[] {
  if (!y.log) return y.ticks(3).filter((v) => Number.isInteger(v));
  const max = y.domain()[1];
  const out = [0];
  for (let p = 1; p <= max; p *= 10) out.push(p);
  while (out.length > 4) out.splice(1, 1);
  return out;
}

/** Task counts as 950, 12k, 1M: they must fit the left margin at a million tasks. */
const countLabel = format('~s');

/** Time ticks (dmesg seconds since boot) and pending-count ticks, with grid lines. */
export function TimelineAxes({ x, y, lanes, width }: { x: ScaleLinear<number, number>; y: CountScale; lanes: Lanes; width: number }) {
  // Ticks at round dmesg times (seconds since boot), like the kernel log's timestamps.
  const secs = x.copy().domain(x.domain().map((t) => t / 1e6));
  const timeTicks = secs.ticks(Math.max(2, Math.floor(width / 90)));
  const ticks = countTicks(y);
  return (
    <g aria-hidden="true">
      <g className="tl-grid">
        {ticks.map((v) => (
          <line key={v} x1={MARGIN.left} x2={width - MARGIN.right} y1={y(v)} y2={y(v)} />
        ))}
      </g>
      {ticks.map((v) => (
        <text key={v} x={MARGIN.left - 4} y={y(v) + 3} textAnchor="end">{countLabel(v)}</text>
      ))}
      <line className="tl-axis-line" x1={MARGIN.left} x2={width - MARGIN.right} y1={lanes.axisY} y2={lanes.axisY} />
      {timeTicks.map((v) => (
        <g key={v} transform={`translate(${secs(v)},${lanes.axisY})`}>
          <line className="tl-axis-line" y2={4} />
          <text y={13} textAnchor="middle">{fmtBoot(v * 1e6)}</text>
        </g>
      ))}
    </g>
  );
}
