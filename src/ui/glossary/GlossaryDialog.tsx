import { useEffect, useRef, type KeyboardEvent } from 'react';
import { FOCUSABLE, modalKeyDown } from '../views/modalKeys';
import { GLOSSARY } from './glossary';
import { useGlossary } from './glossaryStore';
import { LinkedText } from './Term';
import './glossary.css';

/** The glossary as a modal dialog, scrolled to the term that opened it. */
export function GlossaryDialog() {
  const open = useGlossary((g) => g.open);
  const close = useGlossary((g) => g.close);
  const dialog = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (open === null) return;
    const before = document.activeElement as HTMLElement | null;
    const target = open ? dialog.current?.querySelector<HTMLElement>(`#glossary-${open}`) : null;
    target?.scrollIntoView({ block: 'start' });
    dialog.current?.querySelector<HTMLElement>(FOCUSABLE)?.focus();
    return () => before?.focus();
  }, [open]);
  if (open === null) return null;
  return (
    <div className="help-backdrop" onClick={close}>
      <div
        className="help-dialog glossary-dialog"
        role="dialog"
        aria-modal="true"
        aria-labelledby="glossary-title"
        ref={dialog}
        onKeyDown={(e: KeyboardEvent<HTMLDivElement>) => modalKeyDown(e, dialog.current, close)}
        onClick={(e) => e.stopPropagation()}
      >
        <header>
          <h2 id="glossary-title">Glossary</h2>
          <button type="button" onClick={close} aria-label="Close the glossary" title="Close (Esc)">✕</button>
        </header>
        <dl className="glossary-list">
          {GLOSSARY.map((e) => (
            <div key={e.id} id={`glossary-${e.id}`} className={e.id === open ? 'glossary-current' : undefined} data-term={e.id}>
              <dt>{e.term}</dt>
              <dd>
                <LinkedText text={e.text} />
                {e.see && <span className="muted"> See {e.see}.</span>}
              </dd>
            </div>
          ))}
        </dl>
      </div>
    </div>
  );
}

/** The header's button that opens the whole glossary. */
export function GlossaryButton() {
  const show = useGlossary((g) => g.show);
  return (
    <button type="button" onClick={() => show('')} title="What the terms the views use mean">
      Glossary
    </button>
  );
}
