import type { ReactNode } from 'react';
import { glossaryEntry, splitTerms } from './glossary';
import { useGlossary } from './glossaryStore';
import './glossary.css';

/** A glossary term: its text, underlined; a click (or Enter) opens the glossary at it. */
export function Term({ id, children }: { id: string; children?: ReactNode }) {
  const show = useGlossary((g) => g.show);
  const entry = glossaryEntry(id);
  if (!entry) return <>{children}</>;
  return (
    <button type="button" className="term" title={`${entry.term}: ${entry.text.replace(/`/g, '')} (click for the glossary)`} onClick={() => show(id)}>
      {children ?? entry.term}
    </button>
  );
}

/** Prose with its glossary terms linked (the first occurrence of each) and `code` as code. */
export function LinkedText({ text }: { text: string }) {
  return (
    <>
      {splitTerms(text).map((p, i) => {
        const inner = p.term ? <Term id={p.term}>{p.text}</Term> : p.text;
        return p.code ? <code key={i}>{inner}</code> : <span key={i}>{inner}</span>;
      })}
    </>
  );
}
