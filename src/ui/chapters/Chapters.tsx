import { useSelector } from '@xstate/react';
import { useEffect, useRef, useState, type KeyboardEvent } from 'react';
import { engine, openScenario, sendPlayback } from '../engine';
import { LinkedText } from '../glossary/Term';
import { loadPreset, PRESETS } from '../presets';
import { useView } from '../store';
import { FOCUSABLE, modalKeyDown } from '../views/modalKeys';
import { COLUMNS } from '../layout/layoutModel';
import { chapterStepper } from './chapterMachine';
import type { ChapterStep } from './chapterData';
import type { PolicyMeasure } from './measure';
import './chapters.css';

type Data = typeof import('./chapterData');
let dataLoad: Promise<Data> | undefined;
/** The chapters' content, fetched as its own chunk the first time it is needed. */
const loadData = () => (dataLoad ??= import('./chapterData'));

function useChapterData(): Data | undefined {
  const [data, setData] = useState<Data>();
  useEffect(() => {
    let live = true;
    void loadData().then((d) => live && setData(d));
    return () => {
      live = false;
    };
  }, []);
  return data;
}

/** Open chapter `id` at step `step` (0-based), once its data is loaded. */
async function startChapter(id: string, step: number): Promise<boolean> {
  const c = (await loadData()).chapterById(id);
  if (!c) return false;
  chapterStepper.send({ type: 'START', chapter: id, step, count: c.steps.length });
  return true;
}

/** The address the page was opened with (the engine writes the scenario's fragment soon after). */
const ADDRESS_AT_LOAD = { hash: location.hash, search: location.search };

/** The local setting that remembers the first-visit prompt was answered. */
const PROMPT_KEY = 'livepatch-explorer/chapters-prompt';

/**
 * The first-visit prompt shows only on a plain first visit: never when the address names a
 * scenario (#s=...), a chapter or any option (?...), never once answered (local setting), and
 * never in a browser driven by automation (navigator.webdriver: the end-to-end tests), so
 * it disturbs no other test; the chapters test turns webdriver off to see it.
 */
function promptWanted(): boolean {
  if (ADDRESS_AT_LOAD.hash || ADDRESS_AT_LOAD.search || navigator.webdriver) return false;
  try {
    return localStorage.getItem(PROMPT_KEY) === null;
  } catch {
    return false;
  }
}

function answerPrompt(): void {
  promptDecided = false;
  try {
    localStorage.setItem(PROMPT_KEY, 'answered');
  } catch {
    // Storage disabled: the prompt shows again next time.
  }
}

let linkRead = false;
let promptDecided: boolean | undefined;

/** The address keeps the chapter and step (?chapter=ID&step=N, 1-based) beside the scenario fragment. */
function writeStepToAddress(chapter: string | null, step: number): void {
  const q = new URLSearchParams(location.search);
  if (chapter) {
    q.set('chapter', chapter);
    q.set('step', String(step + 1));
  } else {
    q.delete('chapter');
    q.delete('step');
  }
  const search = q.toString();
  history.replaceState(history.state, '', `${location.pathname}${search ? `?${search}` : ''}${location.hash}`);
}

/** The header's Chapters button. */
export function ChaptersButton() {
  return (
    <button type="button" onClick={() => chapterStepper.send({ type: 'OPEN_LIST' })} title="Guided chapters over the presets">
      Chapters
    </button>
  );
}

/** The stepper's views: the list, the step card, the first-visit prompt. */
export function ChaptersHost() {
  const state = useSelector(chapterStepper, (s) => s.value as string);
  const chapter = useSelector(chapterStepper, (s) => s.context.chapter);
  const step = useSelector(chapterStepper, (s) => s.context.step);
  const [prompt, setPrompt] = useState(() => (promptDecided ??= promptWanted()));
  const [linkError, setLinkError] = useState<string>();
  useEffect(() => {
    if (linkRead) return;
    linkRead = true;
    const q = new URLSearchParams(location.search);
    const id = q.get('chapter');
    if (id === null) return;
    const n = Number(q.get('step') ?? '1');
    void startChapter(id, Number.isInteger(n) && n >= 1 ? n - 1 : 0).then((ok) => {
      if (!ok) setLinkError(`The link names no chapter called '${id.slice(0, 80)}'.`);
    });
  }, []);
  useEffect(() => writeStepToAddress(state === 'step' ? chapter : null, step), [state, chapter, step]);
  return (
    <>
      {linkError && (
        <div className="notice" role="alert">
          <span>{linkError}</span>
          <button type="button" onClick={() => setLinkError(undefined)}>Dismiss</button>
        </div>
      )}
      {prompt && state === 'closed' && (
        <div className="chapter-prompt" role="region" aria-label="First visit">
          <span>New to livepatch? The first chapter shows how a livepatch reaches every task, step by step.</span>
          <button type="button" onClick={() => { answerPrompt(); setPrompt(false); void startChapter('reach-every-task', 0); }}>Start the first chapter</button>
          <button type="button" onClick={() => { answerPrompt(); setPrompt(false); }}>No thanks</button>
        </div>
      )}
      {state === 'list' && <ChapterList />}
      {state === 'step' && chapter && <ChapterCard id={chapter} step={step} />}
    </>
  );
}

function ChapterList() {
  const data = useChapterData();
  const dialog = useRef<HTMLDivElement>(null);
  const close = () => chapterStepper.send({ type: 'CLOSE' });
  useEffect(() => {
    dialog.current?.querySelector<HTMLElement>(FOCUSABLE)?.focus();
  }, [data]);
  return (
    <div className="help-backdrop" onClick={close}>
      <div className="help-dialog chapter-list" role="dialog" aria-modal="true" aria-labelledby="chapters-title" ref={dialog} onClick={(e) => e.stopPropagation()} onKeyDown={(e: KeyboardEvent<HTMLDivElement>) => modalKeyDown(e, dialog.current, close)}>
        <header>
          <h2 id="chapters-title">Chapters</h2>
          <button type="button" onClick={close} aria-label="Close the chapters" title="Close (Esc)">✕</button>
        </header>
        {!data ? (
          <p className="muted">Loading the chapters…</p>
        ) : (
          <ol>
            {data.CHAPTERS.map((c) => (
              <li key={c.id}>
                <button type="button" className="chapter-open" onClick={() => void startChapter(c.id, 0)}>{c.title}</button>
                <span className="muted"> {c.steps.length} steps</span>
              </li>
            ))}
          </ol>
        )}
      </div>
    </div>
  );
}

/** Open the step's preset if another scenario is showing, else move the cursor to the step. */
async function applyStep(s: ChapterStep): Promise<string | undefined> {
  const title = PRESETS.find((p) => p.id === s.preset)?.title;
  if (title === undefined) return `The chapter names a preset that is not shipped: ${s.preset}.`;
  if (engine().scenario.title !== title) {
    const r = await loadPreset(s.preset);
    if (!r.ok) return `The preset ${s.preset} could not be opened: ${r.errors[0]}`;
    const err = openScenario(r.scenario);
    if (err) return err;
    useView.getState().resetForScenario();
    // The views remount on the new engine; the card's effect runs again and seeks.
    return undefined;
  }
  sendPlayback({ type: 'SEEK', time: Math.round(s.at * 1e6) });
  return undefined;
}

function ChapterCard({ id, step }: { id: string; step: number }) {
  const data = useChapterData();
  const chapter = data?.chapterById(id);
  const s = chapter?.steps[step];
  const [error, setError] = useState<string>();
  useEffect(() => {
    if (!s) return;
    let live = true;
    void applyStep(s).then((e) => live && setError(e));
    return () => {
      live = false;
    };
  }, [s]);
  if (!chapter || !s) return null;
  const last = step + 1 === chapter.steps.length;
  return (
    // The card sits bottom right, or bottom left when the lit view is in the right-hand column.
    <aside className={`chapter-card${COLUMNS[COLUMNS.length - 1].includes(s.view) ? ' chapter-card-left' : ''}`} aria-label="Chapter" data-testid="chapter-card" data-chapter={id} data-step={step + 1}>
      {/* The view that matters is lit and given most of its column's height, the rest dimmed (one rule per step, dropped with the card). */}
      <style>{`.panel[data-view]:not([data-view="${s.view}"]) { opacity: 0.4; } .panel[data-view="${s.view}"] { outline: 2px solid var(--accent); outline-offset: -1px; } .slot:not(.slot-collapsed):has(> .panel[data-view="${s.view}"]) { flex-grow: 4 !important; }`}</style>
      <header>
        <h2>{chapter.title}</h2>
        <span className="muted">step {step + 1} of {chapter.steps.length}</span>
      </header>
      <p className="chapter-text"><LinkedText text={s.text} /></p>
      {s.fn && (
        <div className="chapter-fn">
          <p>In the kernel: <code>{s.fn.name}</code> <span className="muted">(pseudo-code)</span></p>
          <pre>{s.fn.lines.join('\n')}</pre>
        </div>
      )}
      {s.measure && <PolicyAnswer preset={s.preset} />}
      {error && <p role="alert" className="menu-error">{error}</p>}
      <footer>
        <button type="button" onClick={() => chapterStepper.send({ type: 'OPEN_LIST' })}>All chapters</button>
        <span className="spacer" />
        <button type="button" disabled={step === 0} onClick={() => chapterStepper.send({ type: 'BACK' })}>Back</button>
        {last ? (
          <button type="button" onClick={() => chapterStepper.send({ type: 'CLOSE' })}>Finish</button>
        ) : (
          <button type="button" onClick={() => chapterStepper.send({ type: 'NEXT' })}>Continue</button>
        )}
        <button type="button" aria-label="Close the chapter" title="Close the chapter" onClick={() => chapterStepper.send({ type: 'CLOSE' })}>✕</button>
      </footer>
    </aside>
  );
}

/** The step's preset run to the end under every policy, measured by the consistency analysis. */
function PolicyAnswer({ preset }: { preset: string }) {
  const [rows, setRows] = useState<PolicyMeasure[] | string>();
  useEffect(() => {
    let live = true;
    // After the step has drawn: the runs take a few hundred milliseconds on the page's thread.
    const timer = setTimeout(() => {
      void Promise.all([loadPreset(preset), import('./measure')]).then(([r, m]) => {
        if (!live) return;
        if (!r.ok) return setRows(`The preset could not be measured: ${r.errors[0]}`);
        setRows(m.measurePolicies(r.scenario));
      });
    }, 50);
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, [preset]);
  if (rows === undefined) return <p className="muted" role="status">Measuring the script under every policy…</p>;
  if (typeof rows === 'string') return <p role="alert" className="menu-error">{rows}</p>;
  return (
    <table className="chapter-answer" aria-label="Measured under each policy" data-testid="chapter-answer">
      <caption>
        The same modules and script under each policy; a module field only another policy has (<code>replaceable</code>, <code>replaceSet</code>, <code>replace</code>) is ignored.
        {rows.filter((r) => r.stopped).map((r) => (
          <span key={r.policy} className="chapter-stopped" role="note"> Under <code>{r.policy}</code> the script stopped early, at {r.stopped}: the counts cover the run up to there.</span>
        ))}
      </caption>
      <thead>
        <tr>
          <th scope="col">policy</th>
          <th scope="col" title="Combinations of function versions the tasks ran">universes</th>
          <th scope="col" title="Universes that were never the whole system's state">never shipped</th>
          <th scope="col" title="Every task changing a function at once, without a per-task switch">mass switch</th>
          <th scope="col" title="Declared dependencies broken">dep.</th>
          <th scope="col" title="Patching and unpatching transitions the script started">trans.</th>
          <th scope="col" title="Most tasks in a never-shipped universe">tasks</th>
          <th scope="col" title="Script lines that failed (a refused load, say)">failed</th>
        </tr>
      </thead>
      <tbody>
        {rows.map((r) => (
          <tr key={r.policy}>
            <th scope="row"><code>{r.policy}</code></th>
            <td>{r.universes}</td>
            <td>{r.neverShipped}</td>
            <td>{r.massSwitches}</td>
            <td>{r.dependencyViolations}</td>
            <td>{r.transitions}</td>
            <td>{r.tasksAffected.toLocaleString('en-US')}</td>
            <td>{r.failedLines}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

