import { BLOCKING_REASONS } from '../../../engine/blockers';
import { glyphPath, MARKER_STYLES, REASON_CLASS, reasonName } from './markerStyle';
import { LinkedText, Term } from '../../glossary/Term';

/** Every colour and glyph of the timeline, each with a tooltip saying what it means. */
export function TimelineLegend({ lock }: { lock: boolean }) {
  return (
    <ul className="tl-legend" id="timeline-legend" aria-label="Timeline legend">
      {BLOCKING_REASONS.map((r) => (
        <li key={r} title={`Pending tasks ${reasonName(r) === 'will switch' ? 'whose next check will switch them' : `blocked: ${reasonName(r)}`} (band heights on a square-root scale, or a log scale)`}>
          <span className={`tl-key-band ${REASON_CLASS[r]}`} aria-hidden="true" />
          <LinkedText text={reasonName(r)} />
        </li>
      ))}
      {MARKER_STYLES.map((s) => (
        <li key={s.kind} title={s.about} className={`tl-m-${s.kind}`}>
          <svg width="10" height="12" viewBox="-5 -6 10 12" aria-hidden="true">
            {s.symbol === null ? <line x1={0} x2={0} y1={-5} y2={5} strokeWidth={1.5} /> : <path d={glyphPath(s, 40)} transform={`rotate(${s.rotate})`} />}
          </svg>
          <span className="tl-tip-text"><LinkedText text={s.name} /></span>
        </li>
      ))}
      <li title="The cursor: the moment every view shows (drag on the chart to move it)"><span className="tl-key-line" aria-hidden="true" />cursor</li>
      <li title="The head: how far this timeline has been simulated; beyond the cursor it is the recorded future"><span className="tl-key-line tl-key-head" aria-hidden="true" />head</li>
      {lock && <li title="Intervals the attempt walk held tasklist_lock (read side), merged when they crowd"><span className="tl-key-band tl-key-lock" aria-hidden="true" /><Term id="tasklist-lock" /> held</li>}
    </ul>
  );
}
