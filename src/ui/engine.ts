// The one simulation the page shows, and the hooks views read it through. Views never
// change kernel state: they send playback events or console commands, which go through the
// Session exactly as a script line would. The Session runs on the page for small scenarios
// and in a Web Worker for big ones (WORKER_TASK_THRESHOLD); either way the views read the
// same plain data (src/ui/viewData.ts): computed here at render time, or the worker's snapshot.

import { createActor, type Actor } from 'xstate';
import { useEffect, useState, useSyncExternalStore } from 'react';
import { playbackMachine, type PlaybackEvent } from '../engine/playback';
import { Session, type SessionSource } from '../engine/session';
import type { LogRecord } from '../kernel/printk';
import type { Scenario } from '../scenario/document';
import { sessionSourceOf } from '../scenario/build';
import { currentScenario, fragmentOf, initialScenario, savedCopy, STORAGE_KEY } from './scenarioStore';
import type { LinkView } from '../scenario/url';
import { PANEL_IDS } from './layout/layoutModel';
import { useView } from './store';
import { BENCH_SIZES, benchSource } from './benchHook';
import { RemoteSim, type RemoteOpen } from './remote';
import { PIECES, runCommand, runQuery, type CommandOutcome, type Piece, type PieceName, type QueryArg, type QueryName, type QueryResult } from './viewData';
import { playbackViewOf, type PlaybackView } from './workerHost';

function benchTasks(search: string): number {
  return BENCH_SIZES[new URLSearchParams(search).get('bench') ?? ''] ?? 0;
}

/**
 * Scenarios with more tasks than this run in a Web Worker (src/ui/simWorker.ts). Chosen from
 * the costs on the page's thread, which grow linearly with the task count: at 1,000,000 tasks
 * booting the machine is one long task of 0.3-0.5 s (the end-to-end flow measured 230-300 ms
 * frame gaps for it in headless Chromium with ?worker=off) and the Tasks view's per-frame model
 * about 9-11 ms (tasks_view_update_1m_ms). Scaled down, 150,000 tasks cost about 50-75 ms to
 * boot, under the 100 ms a click may take before it feels slow, and under 2 ms per frame, so
 * the shipped scenarios (up to 12,000 tasks) and ?bench=tasks-100k stay on the page with no
 * worker chunk fetched, while server-1m and ?bench=tasks-1m move to the worker.
 * `?worker=on|off` in the address overrides the choice.
 */
export const WORKER_TASK_THRESHOLD = 150_000;

interface EngineBase {
  /** The scenario the session started from (its script grows with typed commands). */
  scenario: Scenario;
  /** Shown once at the top of the page: why a link or saved copy was not opened. */
  notice?: string;
  /** Changes whenever the simulation moved (snapshot arrived, time advanced). */
  subscribe(fn: () => void): () => void;
  version(): number;
  subscribePlayback(fn: () => void): () => void;
  playbackView(): PlaybackView;
}

/** The simulation runs on the page's thread (small scenarios). */
export interface LocalEngine extends EngineBase {
  mode: 'main';
  session: Session;
  playback: Actor<typeof playbackMachine>;
}

/** The simulation runs in the worker; the page holds its latest snapshot. */
export interface WorkerEngine extends EngineBase {
  mode: 'worker';
  remote: RemoteSim;
}

export type Engine = LocalEngine | WorkerEngine;

let current: Engine | undefined;

function readSaved(): string | null {
  try {
    return localStorage.getItem(STORAGE_KEY);
  } catch {
    return null;
  }
}

/** Tasks a scenario's workload starts with. */
export function taskCountOf(s: Scenario): number {
  return s.tasks.classes.reduce((n, c) => n + c.count, 0) + s.tasks.fixed.length;
}

function workerWanted(tasks: number): boolean {
  const force = new URLSearchParams(window.location.search).get('worker');
  if (force === 'on') return true;
  if (force === 'off') return false;
  return tasks > WORKER_TASK_THRESHOLD;
}

function localEngine(session: Session, scenario: Scenario, notice?: string): LocalEngine {
  const playback = createActor(playbackMachine, { input: { session } });
  playback.start();
  return {
    mode: 'main',
    session,
    playback,
    scenario,
    notice,
    subscribe: (fn) => session.subscribe(fn),
    version: () => session.version,
    subscribePlayback: (fn) => {
      const sub = playback.subscribe(fn);
      return () => sub.unsubscribe();
    },
    playbackView: () => playbackViewOf(playback.getSnapshot()),
  };
}

const PAUSED: PlaybackView = { playing: false, seeking: false, speedExp: 0, limited: false };

function workerEngine(open: RemoteOpen, scenario: Scenario, notice?: string): WorkerEngine {
  const remote = new RemoteSim(open);
  return {
    mode: 'worker',
    remote,
    scenario,
    notice,
    subscribe: (fn) => remote.subscribe(fn),
    version: () => remote.version,
    subscribePlayback: (fn) => remote.subscribe(fn),
    playbackView: () => remote.snapshot?.playback ?? PAUSED,
  };
}

/** The selected task and expanded panel a link carried become the view's. */
function applyLook(look: LinkView | undefined): void {
  const v = useView.getState();
  if (look?.task !== undefined) v.select({ kind: 'task', slot: look.task });
  if (look?.view && PANEL_IDS.includes(look.view)) v.setExpandedPanel(look.view);
}

/** What the link keeps of the view: the selected task, the expanded panel. */
function lookNow(): LinkView {
  const v = useView.getState();
  return { task: v.selection?.kind === 'task' ? v.selection.slot : undefined, view: v.expandedPanel ?? undefined };
}

function open(): Engine {
  const init = initialScenario(window.location.hash, readSaved());
  applyLook(init.look);
  let scenario = init.scenario;
  let notice = init.notice;
  if (workerWanted(taskCountOf(scenario))) return workerEngine({ scenario, cursorUs: init.cursorUs }, scenario, notice);
  let session: Session;
  try {
    session = new Session(sessionSourceOf(scenario));
  } catch (e) {
    notice = `This scenario could not be started (${(e as Error).message}); showing the default scenario instead.`;
    scenario = initialScenario('', null).scenario;
    session = new Session(sessionSourceOf(scenario));
  }
  if (init.cursorUs !== undefined && init.cursorUs > session.now) session.seek(init.cursorUs);
  return localEngine(session, scenario, notice);
}

/** A ?bench= machine (src/ui/benchHook.ts): never written to the address bar or storage. */
function openBench(source: SessionSource, tasks: number): Engine {
  const scenario = initialScenario('', null).scenario;
  if (workerWanted(tasks)) return workerEngine({ bench: window.location.search }, scenario);
  return localEngine(new Session(source), scenario);
}

export function engine(): Engine {
  if (!current) {
    const bench = benchSource(window.location.search);
    current = bench ? openBench(bench, benchTasks(window.location.search)) : open();
    if (!bench) keepAddressCurrent(current);
  }
  return current;
}

const engineListeners = new Set<() => void>();
let engineId = 0;

/**
 * Replace the page's scenario (a preset, a loaded file): a new session and playback; the
 * views remount on it. Returns an error message, changing nothing, when it cannot start.
 */
export function openScenario(scenario: Scenario): string | undefined {
  let next: Engine;
  if (workerWanted(taskCountOf(scenario))) next = workerEngine({ scenario }, scenario);
  else {
    let session: Session;
    try {
      session = new Session(sessionSourceOf(scenario));
    } catch (e) {
      return `This scenario could not be started: ${(e as Error).message}`;
    }
    next = localEngine(session, scenario);
  }
  closeEngine(current);
  current = next;
  keepAddressCurrent(current);
  engineId++;
  for (const fn of engineListeners) fn();
  return undefined;
}

function closeEngine(e: Engine | undefined): void {
  if (e?.mode === 'main') e.playback.stop();
  else e?.remote.close();
}

/** Changes whenever openScenario() replaced the engine (the views key on it). */
export function useEngineId(): number {
  return useSyncExternalStore(
    (fn) => {
      engineListeners.add(fn);
      return () => engineListeners.delete(fn);
    },
    () => engineId,
  );
}

/** The scenario as it stands (typed commands included), for sharing and saving. */
export function scenarioNow(e: Engine = engine()): Scenario {
  return currentScenario(e.scenario, entriesOf(e) ?? e.scenario.script);
}

/** The script as it stands, or undefined while the worker has not sent its first snapshot. */
function entriesOf(e: Engine): readonly string[] | undefined {
  return e.mode === 'main' ? e.session.entries : e.remote.snapshot?.pieces.console.entries;
}

/** The cursor's virtual time. */
export function cursorNow(e: Engine = engine()): number {
  return e.mode === 'main' ? e.session.now : (e.remote.snapshot?.pieces.cursor.now ?? 0);
}

/**
 * Rewrite the fragment and the saved copy when the script changes or the cursor comes to
 * rest; at most a few times a second while playing.
 */
function keepAddressCurrent(e: Engine): void {
  let lastScript = -1;
  let lastWrite = 0;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const write = () => {
    timer = undefined;
    if (current !== e) return;
    const entries = entriesOf(e);
    if (!entries) return;
    lastWrite = performance.now();
    lastScript = entries.length;
    const s = scenarioNow(e);
    const cursor = cursorNow(e);
    history.replaceState(null, '', fragmentOf(s, cursor, lookNow()));
    try {
      localStorage.setItem(STORAGE_KEY, savedCopy(s, cursor));
    } catch {
      // Storage full or disabled: the address bar still holds the scenario.
    }
  };
  // Selecting a task or expanding a panel rewrites the link too (until the engine is replaced).
  const unsubscribeView = useView.subscribe((v, p) => {
    if (current !== e) return unsubscribeView();
    if ((v.selection !== p.selection || v.expandedPanel !== p.expandedPanel) && !timer) timer = setTimeout(write, 0);
  });
  e.subscribe(() => {
    if (timer) return;
    const scriptChanged = (entriesOf(e)?.length ?? lastScript) !== lastScript;
    const wait = scriptChanged ? 0 : Math.max(0, 500 - (performance.now() - lastWrite));
    timer = setTimeout(write, wait);
  });
  write();
}

/** Subscribe the component to the simulation's changes (either mode). */
export function useSimVersion(): number {
  const e = engine();
  return useSyncExternalStore(e.subscribe, e.version);
}

/** Worker mode: the first snapshot has arrived. Always true in main-thread mode. */
export function useWorkerReady(): boolean {
  const e = engine();
  return useSyncExternalStore(e.subscribe, () => e.mode === 'main' || e.remote.snapshot !== undefined);
}

/** Worker mode: why the worker stopped or could not start. */
export function useWorkerError(): string | undefined {
  const e = engine();
  return useSyncExternalStore(e.subscribe, () => (e.mode === 'worker' ? e.remote.error : undefined));
}

/** A piece of the views' data (src/ui/viewData.ts): computed here, or from the worker's snapshot. */
export function useData<K extends PieceName>(name: K): Piece<K> {
  useSimVersion();
  const e = engine();
  if (e.mode === 'main') return PIECES[name](e.session) as Piece<K>;
  const snap = e.remote.snapshot;
  if (!snap) throw new Error('useData before the first snapshot');
  return snap.pieces[name];
}

/**
 * The answer to a question about what the user points at (a task, a patch, a function).
 * Main-thread mode answers at render time; worker mode asks the worker (a request with an
 * id) at each new snapshot and returns the last answer, undefined until the first arrives.
 */
export function useQuery<K extends QueryName>(name: K, arg: QueryArg<K>): QueryResult<K> | undefined {
  const version = useSimVersion();
  const e = engine();
  const key = JSON.stringify([name, arg]);
  const [answer, setAnswer] = useState<{ key: string; value: QueryResult<K> } | undefined>(undefined);
  useEffect(() => {
    if (e.mode !== 'worker') return;
    let live = true;
    e.remote.query(name, arg).then(
      (value) => {
        if (live) setAnswer({ key, value });
      },
      () => undefined,
    );
    return () => {
      live = false;
    };
    // `key` stands for name and arg
  }, [e, key, version]);
  if (e.mode === 'main') return runQuery(e.session, name, arg);
  return answer?.key === key ? answer.value : undefined;
}

/** One question asked now (a search the user submitted), answered on the page or by the worker. */
export function askQuery<K extends QueryName>(name: K, arg: QueryArg<K>): Promise<QueryResult<K>> {
  const e = engine();
  if (e.mode === 'worker') return e.remote.query(name, arg) as Promise<QueryResult<K>>;
  return Promise.resolve(runQuery(e.session, name, arg));
}

/** A value derived from the playback machine's state; `select` must return a primitive. */
export function usePlayback<T>(select: (p: PlaybackView) => T): T {
  const e = engine();
  return useSyncExternalStore(e.subscribePlayback, () => select(e.playbackView()));
}

/** Send the playback machine an event (in worker mode the worker sets its own yield budget). */
export function sendPlayback(ev: PlaybackEvent): void {
  const e = engine();
  if (e.mode === 'main') {
    e.playback.send(ev);
    return;
  }
  if (ev.type === 'TICK') return;
  if (ev.type === 'SEEK') e.remote.send({ type: 'SEEK', time: ev.time });
  else e.remote.send(ev);
}

/** Run a console line (see runCommand): at once on the page, or answered by the worker. */
export function consoleCommand(text: string): CommandOutcome | Promise<CommandOutcome> {
  const e = engine();
  if (e.mode === 'worker') return e.remote.command(text);
  const playing = e.playback.getSnapshot().matches('playing');
  return runCommand(e.session, text, playing, () => e.playback.send({ type: 'STEP_FORWARD' }));
}

/** The kernel log records so far (a new array or a longer one when the log grew). */
export function useKernelLog(): readonly LogRecord[] {
  useSimVersion();
  const e = engine();
  return e.mode === 'main' ? e.session.sim.log : e.remote.log;
}
