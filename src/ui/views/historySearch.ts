// bash's reverse incremental history search (readline's Ctrl-R): the query is looked for
// backwards from the current match, each Ctrl-R goes to an older match, and a query with no
// match keeps the last one and says "failed".

export interface HistorySearch {
  query: string;
  /** Index in the history of the line shown, or null when nothing matched yet. */
  index: number | null;
  /** Whether the last search for the query found nothing. */
  failed: boolean;
  /** The line being typed when the search began (Ctrl-G brings it back). */
  original: string;
}

export function startSearch(original: string): HistorySearch {
  return { query: '', index: null, failed: false, original };
}

/** The newest line at or before `from` that contains `query`, or null. */
function findBack(history: readonly string[], query: string, from: number): number | null {
  for (let i = Math.min(from, history.length - 1); i >= 0; i--) if (history[i].includes(query)) return i;
  return null;
}

/** The query changed (typed or erased): search again from the current match, inclusive. */
export function searchFor(s: HistorySearch, history: readonly string[], query: string): HistorySearch {
  if (query === '') return { ...s, query, index: s.index, failed: false };
  const found = findBack(history, query, s.index ?? history.length - 1);
  return found === null ? { ...s, query, failed: true } : { ...s, query, index: found, failed: false };
}

/** Ctrl-R again: the next older match. */
export function searchOlder(s: HistorySearch, history: readonly string[]): HistorySearch {
  if (s.query === '' || s.index === null) return s;
  const found = findBack(history, s.query, s.index - 1);
  return found === null ? { ...s, failed: true } : { ...s, index: found, failed: false };
}

/** The line the search holds: the match, or the original line if nothing matched. */
export function searchLine(s: HistorySearch, history: readonly string[]): string {
  return s.index === null ? s.original : history[s.index];
}

/** What bash shows while searching: (reverse-i-search)`query': line. */
export function searchPrompt(s: HistorySearch, history: readonly string[]): string {
  return `(${s.failed ? 'failed ' : ''}reverse-i-search)\`${s.query}': ${s.index === null ? '' : history[s.index]}`;
}
