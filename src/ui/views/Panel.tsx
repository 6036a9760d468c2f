import type { ReactNode } from 'react';
import { useView } from '../store';

/**
 * A labelled region of the page: every view sits in one (its heading names it). Any panel
 * can be expanded over the whole grid (the Expand button, Esc to restore) when its cell is
 * too small for what it shows.
 */
export function Panel({ id, title, legend, actions, children, className }: { id: string; title: string; legend?: ReactNode; actions?: ReactNode; children: ReactNode; className?: string }) {
  const expanded = useView((v) => v.expandedPanel === id);
  const setExpanded = useView((v) => v.setExpandedPanel);
  return (
    <section className={`panel ${className ?? ''}${expanded ? ' expanded' : ''}`} aria-labelledby={`${id}-h`} data-view={id}>
      <header className="panel-head">
        <h2 id={`${id}-h`}>{title}</h2>
        {legend && <div className="legend">{legend}</div>}
        <div className="panel-actions">
          {actions}
          <button type="button" aria-label={expanded ? `Restore ${title}` : `Expand ${title}`} aria-pressed={expanded} title={expanded ? 'Back to the grid (Esc)' : 'Show this view over the whole grid'} onClick={() => setExpanded(expanded ? null : id)}>
            {expanded ? '⤡' : '⤢'}
          </button>
        </div>
      </header>
      <div className="panel-body">{children}</div>
    </section>
  );
}
