import { format, type ScaleLinear, type ScalePower } from 'd3';
import { fmtShort } from '../../format';
import { MARGIN, type Lanes } from './geometry';

/** Task counts as 950, 12k, 1M: they must fit the left margin at a million tasks. */
const countLabel = format('~s');

/** Time ticks (seconds since the script started) and pending-count ticks, with grid lines. */
export function TimelineAxes({ x, y, start, lanes, width }: { x: ScaleLinear<number, number>; y: ScalePower<number, number>; start: number; lanes: Lanes; width: number }) {
  const rel = x.copy().domain(x.domain().map((t) => t - start));
  const timeTicks = rel.ticks(Math.max(2, Math.floor(width / 90)));
  const countTicks = y.ticks(3).filter((v) => Number.isInteger(v));
  return (
    <g aria-hidden="true">
      <g className="tl-grid">
        {countTicks.map((v) => (
          <line key={v} x1={MARGIN.left} x2={width - MARGIN.right} y1={y(v)} y2={y(v)} />
        ))}
      </g>
      {countTicks.map((v) => (
        <text key={v} x={MARGIN.left - 4} y={y(v) + 3} textAnchor="end">{countLabel(v)}</text>
      ))}
      <line className="tl-axis-line" x1={MARGIN.left} x2={width - MARGIN.right} y1={lanes.axisY} y2={lanes.axisY} />
      {timeTicks.map((v) => (
        <g key={v} transform={`translate(${rel(v)},${lanes.axisY})`}>
          <line className="tl-axis-line" y2={4} />
          <text y={13} textAnchor="middle">{v === 0 ? '0' : `+${fmtShort(v)}`}</text>
        </g>
      ))}
    </g>
  );
}
