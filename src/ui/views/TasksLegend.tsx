import { Mark } from '../../engine/select/taskCells';
import { FILL_HELP, FILL_NAMES, FILL_VARS, MARK_HELP, MARK_NAMES, MARK_SHAPES, MARK_VARS, STRAY_HELP, STRAY_NAME, STRAY_VAR } from './tasksPalette';
import { LinkedText } from '../glossary/Term';

/** A 12px picture of a cell with a blocker mark, drawn like the canvas draws it. */
function MarkGlyph({ mark }: { mark: number }) {
  const ink = `var(${MARK_VARS[mark]})`;
  return (
    <svg className="mark-glyph" width="12" height="12" viewBox="0 0 12 12" aria-hidden="true">
      <rect width="12" height="12" fill="var(--pending)" />
      {mark === Mark.RUNNING && <rect x="4" y="4" width="4" height="4" fill={ink} />}
      {mark === Mark.UNRELIABLE && <path d="M0 4L4 0M0 8L8 0M0 12L12 0M4 12L12 4M8 12L12 8" stroke={ink} strokeWidth="1.2" />}
      {mark === Mark.SLEEPING && <rect x="3" y="3" width="6" height="6" fill={ink} />}
      {mark === Mark.UNINTERRUPTIBLE && <path d="M3 5L5 3M3 7L7 3M3 9L9 3M5 9L9 5M7 9L9 7" stroke={ink} strokeWidth="1.2" />}
      {mark === Mark.EXITING && <rect x="1" y="1" width="10" height="10" fill="none" stroke={ink} strokeWidth="2" />}
    </svg>
  );
}

/** What the cell colours (patch state) and marks (why a task blocks) mean. */
export function TasksLegend() {
  return (
    <>
      {FILL_NAMES.map((name, i) => (
        <span key={name} className="legend-item" title={`${name}: ${FILL_HELP[i]}`}>
          <span className="swatch" style={{ background: `var(${FILL_VARS[i]})` }} />
          <span><LinkedText text={name} /></span>
        </span>
      ))}
      {MARK_NAMES.map((name, i) =>
        i === 0 ? null : (
          <span key={name} className="legend-item" title={`${name} (${MARK_SHAPES[i]}): ${MARK_HELP[i]}`}>
            <MarkGlyph mark={i} />
            <span><LinkedText text={name} /></span>
          </span>
        ),
      )}
      <span className="legend-item" title={`${STRAY_NAME} (red frame): ${STRAY_HELP}`}>
        <svg className="mark-glyph" width="12" height="12" viewBox="0 0 12 12" aria-hidden="true">
          <rect width="12" height="12" fill="var(--patched)" />
          <rect x="1" y="1" width="10" height="10" fill="none" stroke={`var(${STRAY_VAR})`} strokeWidth="2" />
        </svg>
        <span><LinkedText text={STRAY_NAME} /></span>
      </span>
    </>
  );
}
