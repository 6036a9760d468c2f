// Where the page's scenario comes from and where it goes: the URL fragment first (a shared
// link), then the copy saved in this browser (nothing typed is lost on reload), then the
// default. A bad link or a damaged saved copy gives a notice and the default scenario.
// The fragment is rewritten as the scenario changes, so the address bar can always be
// copied and shared again.

import { toDocument, validateScenario, type Scenario } from '../scenario/document';
import { defaultScenario } from '../scenario/defaultScenario';
import { decodeScenarioUrl, encodeScenarioUrl, type LinkView } from '../scenario/url';

export const STORAGE_KEY = 'livepatch-explorer/current';

export interface InitialScenario {
  scenario: Scenario;
  cursorUs?: number;
  /** The selected task and expanded panel the link carried. */
  look?: LinkView;
  from: 'link' | 'saved' | 'default';
  /** Why the link or saved copy was not used (shown to the user). */
  notice?: string;
  /** The saved copy that could not be opened, as it was: kept, never overwritten. */
  rescued?: string;
  /** A Compare link's scenario B: the page opens in Compare mode (src/ui/compare/). */
  compare?: Scenario;
}

/** Where a saved copy that failed to open is kept (one key per failure; nothing is overwritten). */
export const RESCUE_PREFIX = 'livepatch-explorer/unopened-';

function fromSaved(saved: string): { ok: true; scenario: Scenario; cursorUs?: number } | { ok: false; error: string } {
  let v: unknown;
  try {
    v = JSON.parse(saved);
  } catch {
    return { ok: false, error: 'the saved scenario is not valid JSON' };
  }
  if (typeof v !== 'object' || v === null || !('document' in v)) return { ok: false, error: 'the saved scenario has no document' };
  const r = validateScenario((v as { document: unknown }).document);
  if (!r.ok) return { ok: false, error: `the saved scenario is invalid: ${r.errors[0]}` };
  const cursor = (v as { cursorUs?: unknown }).cursorUs;
  return { ok: true, scenario: r.scenario, cursorUs: typeof cursor === 'number' && Number.isSafeInteger(cursor) && cursor >= 0 ? cursor : undefined };
}

/** Pick the scenario to open from the fragment and the saved copy. */
export function initialScenario(hash: string, saved: string | null): InitialScenario {
  const h = hash.replace(/^#/, '');
  if (h) {
    const r = decodeScenarioUrl(h);
    if (r.ok) {
      const opened: InitialScenario = { scenario: r.scenario, cursorUs: r.cursorUs, from: 'link', look: { task: r.task, view: r.view } };
      // A bad scenario B changes nothing: scenario A opens alone, and the notice says why.
      const notices: string[] = [];
      if (r.compare?.ok === false) notices.push(`The Compare part of this link could not be opened (${r.compare.errors[0]}); showing scenario A alone.`);
      else if (r.compare) opened.compare = r.compare.scenario;
      // A malformed cursor, task or panel costs only itself: the scenario opens without it.
      if (r.dropped.length > 0) notices.push(`Part of this link was left out (${r.dropped.join('; ')}); the scenario opened without it.`);
      if (notices.length > 0) opened.notice = notices.join(' ');
      return opened;
    }
    return { scenario: defaultScenario(), from: 'default', notice: `This link could not be opened (${r.errors[0]}); showing the default scenario instead.` };
  }
  if (saved) {
    const r = fromSaved(saved);
    if (r.ok) return { scenario: r.scenario, cursorUs: r.cursorUs, from: 'saved' };
    return { scenario: defaultScenario(), from: 'default', notice: `Your saved scenario could not be restored (${r.error}); it is kept in this browser, and you can download it. Showing the default scenario instead.`, rescued: saved };
  }
  return { scenario: defaultScenario(), from: 'default' };
}

/** The scenario as it stands now: its script replaced by the timeline's (typed commands included). */
export function currentScenario(base: Scenario, script: readonly string[]): Scenario {
  return { ...base, script: [...script] };
}

/** The saved copy: the document and the cursor. */
export function savedCopy(s: Scenario, cursorUs: number): string {
  return JSON.stringify({ document: toDocument(s, true), cursorUs });
}

/** The fragment for the address bar (with scenario B while Compare mode is open). */
export function fragmentOf(s: Scenario, cursorUs: number, look?: LinkView, compare?: Scenario): string {
  return encodeScenarioUrl(s, cursorUs, look, compare);
}

/**
 * Keep a saved copy that failed to open under a key of its own before the page saves anything
 * else; returns the key, or undefined when storage refused (the notice still offers the text).
 */
export function rescueSavedCopy(storage: Pick<Storage, 'getItem' | 'setItem'>, text: string, now: number): string | undefined {
  for (let n = 0; n < 100; n++) {
    const key = `${RESCUE_PREFIX}${now}${n ? `-${n}` : ''}`;
    try {
      if (storage.getItem(key) !== null) continue;
      storage.setItem(key, text);
      return key;
    } catch {
      return undefined;
    }
  }
  return undefined;
}
