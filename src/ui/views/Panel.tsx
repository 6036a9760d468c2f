import type { ReactNode } from 'react';
import { useLayout } from '../layout/layoutStore';
import { useView } from '../store';

/**
 * A labelled region of the page: every view sits in one (its heading names it). Any panel
 * can be collapsed to its header (kept in the layout), or expanded over the whole grid (the
 * Expand button, Esc to restore) when its cell is too small for what it shows.
 */
export function Panel({ id, title, legend, actions, children, className }: { id: string; title: string; legend?: ReactNode; actions?: ReactNode; children: ReactNode; className?: string }) {
  const expanded = useView((v) => v.expandedPanel === id);
  const setExpanded = useView((v) => v.setExpandedPanel);
  const collapsed = useLayout((s) => !!s.layout.collapsed[id]) && !expanded;
  const setCollapsed = useLayout((s) => s.setCollapsed);
  return (
    <section className={`panel ${className ?? ''}${expanded ? ' expanded' : ''}${collapsed ? ' collapsed' : ''}`} aria-labelledby={`${id}-h`} data-view={id}>
      <header className="panel-head">
        <button
          type="button"
          className="panel-collapse"
          aria-expanded={!collapsed}
          aria-controls={`${id}-body`}
          aria-label={collapsed ? `Show ${title}` : `Collapse ${title}`}
          title={collapsed ? 'Show this panel' : 'Collapse this panel to its header'}
          onClick={() => setCollapsed(id, !collapsed)}
        >
          {collapsed ? '▸' : '▾'}
        </button>
        <h2 id={`${id}-h`}>{title}</h2>
        {legend && !collapsed && <div className="legend">{legend}</div>}
        <div className="panel-actions">
          {!collapsed && actions}
          <button type="button" aria-label={expanded ? `Restore ${title}` : `Expand ${title}`} aria-pressed={expanded} title={expanded ? 'Back to the grid (Esc)' : 'Show this view over the whole grid'} onClick={() => setExpanded(expanded ? null : id)}>
            {expanded ? '⤡' : '⤢'}
          </button>
        </div>
      </header>
      <div className="panel-body" id={`${id}-body`} hidden={collapsed}>{children}</div>
    </section>
  );
}
