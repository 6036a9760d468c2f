import type { ReactNode } from 'react';

/** A labelled region of the page: every view sits in one (its heading names it). */
export function Panel({ id, title, legend, actions, children, className }: { id: string; title: string; legend?: ReactNode; actions?: ReactNode; children: ReactNode; className?: string }) {
  return (
    <section className={`panel ${className ?? ''}`} aria-labelledby={`${id}-h`} data-view={id}>
      <header className="panel-head">
        <h2 id={`${id}-h`}>{title}</h2>
        {legend && <div className="legend">{legend}</div>}
        {actions && <div className="panel-actions">{actions}</div>}
      </header>
      <div className="panel-body">{children}</div>
    </section>
  );
}
