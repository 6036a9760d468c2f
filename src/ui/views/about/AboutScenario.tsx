import { useState, type ReactNode } from 'react';
import { LinkedText } from '../../glossary/Term';
import './about.css';

/**
 * "About this scenario": the scenario's description (a preset's "what to watch for", or the
 * user's own document's), collapsible under the header, its glossary terms linked. Nothing is
 * shown for a scenario without a description.
 */
export function AboutScenario({ description, extra }: { description: string; extra?: ReactNode }) {
  const [open, setOpen] = useState(false);
  if (!description.trim()) return <>{extra}</>;
  return (
    <details className="about" open={open} onToggle={(e) => setOpen((e.target as HTMLDetailsElement).open)} data-testid="about">
      <summary>
        <span className="about-label">About this scenario</span>
        {!open && <span className="about-teaser muted">{firstSentence(description)}</span>}
        {extra}
      </summary>
      <p className="about-text">
        <LinkedText text={description} />
      </p>
    </details>
  );
}

/** The description's first sentence, for the closed summary line (CSS ellipsises it). */
function firstSentence(text: string): string {
  const m = /^(.+?[.:!?])(\s|$)/s.exec(text.trim());
  return (m ? m[1] : text.trim()).replace(/`/g, '');
}
