import { BLOCKING_REASONS } from '../../../engine/blockers';
import { fmtShort, fmtTime } from '../../format';
import { MARKER_STYLE, REASON_CLASS, reasonName } from './markerStyle';
import { countsAt, type TimelineData } from '../../../engine/select/timeline';

/** The readout under the pointer: the time, pending tasks by reason, the markers there. */
export function TimelineTooltip({ data, time, px, width, near }: { data: TimelineData; time: number; px: number; width: number; near: (m: TimelineData['markers'][number]) => boolean }) {
  const counts = countsAt(data.samples, time);
  const pending = counts ? BLOCKING_REASONS.reduce<number>((n, r) => n + (counts[r] ?? 0), 0) : 0;
  const here = data.markers.filter(near);
  const left = px + 330 > width ? Math.max(0, px - 330) : px + 12;
  return (
    <div className="tl-tooltip" role="tooltip" style={{ left, top: 2 }} data-testid="timeline-tooltip">
      <div>
        <strong className="mono">[{fmtTime(time)}]</strong> <span className="muted">+{fmtShort(time - data.start)} since the script began</span>
        {time > data.now && <span className="muted"> · ahead of the cursor</span>}
      </div>
      {pending === 0 && <div>no task pending</div>}
      {pending > 0 && counts && (
        <ul className="tl-tip-row">
          <li>{pending} pending:</li>
          {BLOCKING_REASONS.filter((r) => (counts[r] ?? 0) > 0).map((r) => (
            <li key={r}>
              <span className={`tl-key-band ${REASON_CLASS[r]}`} /> {counts[r]} {reasonName(r)}
            </li>
          ))}
        </ul>
      )}
      {here.length > 0 && (
        <ul>
          {here.slice(0, 3).map((m, i) => (
            <li key={`${m.time}-${i}`} className={`tl-m-${m.kind}`}>
              <span aria-hidden="true">■</span>
              <span className="tl-tip-text">{MARKER_STYLE.get(m.kind)!.name}: {m.label} <span className="muted mono">[{fmtTime(m.time)}]</span></span>
            </li>
          ))}
          {here.length > 3 && <li className="muted">and {here.length - 3} more here</li>}
        </ul>
      )}
    </div>
  );
}
