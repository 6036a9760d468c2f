// The one simulation the page shows, reached through one port (src/engine/port.ts), and the
// hooks views read it through. Views never change kernel state: they send playback events or
// console commands, which the host runs exactly as a script line. The host runs on the page
// for small scenarios and in a Web Worker for big ones (WORKER_TASK_THRESHOLD); the views
// cannot tell which.

import { useSelector } from '@xstate/react';
import { createContext, useContext, useEffect, useState, useSyncExternalStore } from 'react';
import { EngineHost, type CommandOptions, type CommandOutcome, type PlaybackView, type WirePlaybackEvent } from '../engine/host';
import { inProcessPort, type EnginePort, type PlaybackRef } from '../engine/port';
import type { SessionSource } from '../engine/session';
import type { LogRecord } from '../kernel/printk';
import type { Scenario } from '../scenario/document';
import { sessionSourceOf } from '../scenario/build';
import { currentScenario, fragmentOf, initialScenario, rescueSavedCopy, savedCopy, STORAGE_KEY } from './scenarioStore';
import type { LinkView } from '../scenario/url';
import { PANEL_IDS } from './layout/layoutModel';
import { useView } from './store';
import { BENCH_SIZES, benchSource } from './benchHook';
import { RemoteSim, type RemoteOpen } from './remote';
import { frameTicks } from './frameScheduler';
import type { Piece, PieceName, QueryArg, QueryName, QueryResult } from '../engine/select/viewData';

function benchTasks(search: string): number {
  return BENCH_SIZES.get(new URLSearchParams(search).get('bench') ?? '') ?? 0;
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

interface Engine {
  /** The scenario the session started from (its script grows with typed commands). */
  scenario: Scenario;
  /** Shown once at the top of the page: why a link or saved copy was not opened. */
  notice?: string;
  /** A saved copy that could not be opened (kept under its own key), offered for download. */
  rescued?: string;
  /** A Compare link's scenario B: the page starts in Compare mode with it (src/ui/compare/). */
  compare?: { scenario: Scenario; cursorUs?: number };
  port: EnginePort;
  /**
   * A Compare link's cursor, which the page's own host has not gone to yet: Compare's hosts
   * replay to it, and the page's, hidden meanwhile, only when it is shown (catchUpPage).
   */
  deferredCursorUs?: number;
}

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

/** A port to a new host: in a worker for big scenarios, else on this thread (throws if it cannot start). */
function openPort(tasks: number, local: () => SessionSource, remote: RemoteOpen, cursorUs?: number): EnginePort {
  if (workerWanted(tasks)) return new RemoteSim(remote);
  return inProcessPort(new EngineHost(local(), { cursorUs, ticks: frameTicks() }));
}

/**
 * A port to a new host for `scenario` (the page's, or one side of Compare mode), in the worker
 * when the scenario is big; throws if it cannot start.
 */
export function portFor(scenario: Scenario, cursorUs?: number): EnginePort {
  return openPort(taskCountOf(scenario), () => sessionSourceOf(scenario), { scenario, cursorUs }, cursorUs);
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
  // A saved copy that does not open is moved aside before anything is saved over it.
  if (init.rescued !== undefined) rescueSavedCopy(localStorage, init.rescued, Date.now());
  applyLook(init.look);
  let scenario = init.scenario;
  let notice = init.notice;
  let port: EnginePort;
  // A Compare link opens three hosts (the page's A, Compare's A and B): the page's waits at the
  // start rather than replaying to the cursor behind Compare for nothing.
  const deferredCursorUs = init.compare ? init.cursorUs : undefined;
  try {
    port = portFor(scenario, init.compare ? undefined : init.cursorUs);
  } catch (e) {
    notice = `This scenario could not be started (${(e as Error).message}); showing the default scenario instead.`;
    scenario = initialScenario('', null).scenario;
    port = inProcessPort(new EngineHost(sessionSourceOf(scenario), { ticks: frameTicks() }));
  }
  // Compare mode writes the address while it is open, both scenarios in it.
  if (init.compare) addressHeld = true;
  return { scenario, notice, port, rescued: init.rescued, compare: init.compare && { scenario: init.compare, cursorUs: init.cursorUs }, deferredCursorUs };
}

/** A ?bench= machine (src/ui/benchHook.ts): never written to the address bar or storage. */
function openBench(source: SessionSource, tasks: number): Engine {
  const scenario = initialScenario('', null).scenario;
  return { scenario, port: openPort(tasks, () => source, { bench: window.location.search }) };
}

export function engine(): Engine {
  if (!current) {
    const bench = benchSource(window.location.search);
    current = bench ? openBench(bench, benchTasks(window.location.search)) : open();
    if (!bench) keepAddressCurrent(current);
  }
  return current;
}

/** The page's port. */
export function port(): EnginePort {
  return engine().port;
}

const engineListeners = new Set<() => void>();
let engineId = 0;

/**
 * Replace the page's scenario (a preset, a loaded file, a restart after a crash): a new host
 * and playback, at `cursorUs` if given; the views remount on it. Returns an error message,
 * changing nothing, when it cannot start.
 */
export function openScenario(scenario: Scenario, cursorUs?: number): string | undefined {
  let next: Engine;
  try {
    next = { scenario, port: portFor(scenario, cursorUs) };
  } catch (e) {
    return `This scenario could not be started: ${(e as Error).message}`;
  }
  current?.port.close();
  current = next;
  keepAddressCurrent(current);
  engineId++;
  for (const fn of engineListeners) fn();
  return undefined;
}

/**
 * After the simulation crashed: a new host on the last good state, the scenario (with the
 * commands typed so far) and the cursor of the last snapshot the page drew.
 */
export function restartFromLastGood(): string | undefined {
  const e = engine();
  return openScenario(scenarioNow(e), cursorNow(e));
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
  return e.port.ready() ? e.port.piece('console').entries : undefined;
}

/** The cursor's virtual time (a Compare link's, while the page's host has not gone there). */
export function cursorNow(e: Engine = engine()): number {
  if (e.deferredCursorUs !== undefined) return e.deferredCursorUs;
  return e.port.ready() ? e.port.piece('cursor').now : 0;
}

/** The page's host is shown again (Compare left, or never opened): it goes to the cursor a Compare link deferred. */
export function catchUpPage(): void {
  const e = engine();
  if (e.deferredCursorUs === undefined) return;
  const time = e.deferredCursorUs;
  e.deferredCursorUs = undefined;
  sendPlayback({ type: 'SEEK', time });
}

/** Set while Compare mode owns the address bar (it writes both scenarios and the linked cursor). */
let addressHeld = false;
let rewriteAddress: (() => void) | undefined;

/**
 * Compare mode takes the address bar: the page's own writer stops until the returned
 * function gives it back (and rewrites the address for the page's scenario at once).
 */
export function holdAddress(): () => void {
  addressHeld = true;
  return () => {
    addressHeld = false;
    rewriteAddress?.();
  };
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
    if (current !== e || addressHeld) return;
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
  rewriteAddress = write;
  e.port.subscribe(() => {
    if (timer) return;
    const scriptChanged = (entriesOf(e)?.length ?? lastScript) !== lastScript;
    const wait = scriptChanged ? 0 : Math.max(0, 500 - (performance.now() - lastWrite));
    timer = setTimeout(write, wait);
  });
  write();
}

/**
 * The port the views below read (Compare mode shows each side's views over its own port);
 * without a provider, the page's.
 */
const PortContext = createContext<EnginePort | null>(null);
export const PortProvider = PortContext.Provider;

function usePort(): EnginePort {
  return useContext(PortContext) ?? port();
}

/** Subscribe the component to the simulation's changes. */
export function useSimVersion(): number {
  const p = usePort();
  return useSyncExternalStore(p.subscribe, p.version);
}

/** The first snapshot has arrived (at once in-process; the worker sends one when it has built the machine). */
export function useWorkerReady(): boolean {
  const p = port();
  return useSyncExternalStore(p.subscribe, p.ready);
}

/** Why the host stopped or could not start. */
export function useWorkerError(): string | undefined {
  const p = port();
  return useSyncExternalStore(p.subscribe, p.error);
}

/** A piece of the views' data (src/engine/select/viewData.ts). */
export function useData<K extends PieceName>(name: K): Piece<K> {
  useSimVersion();
  return usePort().piece(name);
}

/**
 * The answer to a question about what the user points at (a task, a patch, a function),
 * asked again at each new version; undefined until the first answer arrives.
 */
export function useQuery<K extends QueryName>(name: K, arg: QueryArg<K>): QueryResult<K> | undefined {
  const version = useSimVersion();
  const p = port();
  const key = JSON.stringify([name, arg]);
  const [answer, setAnswer] = useState<{ key: string; value: QueryResult<K> } | undefined>(undefined);
  useEffect(() => {
    let live = true;
    p.query(name, JSON.parse(key)[1] as QueryArg<K>).then(
      (value) => {
        if (live) setAnswer({ key, value });
      },
      () => undefined,
    );
    return () => {
      live = false;
    };
  }, [p, name, key, version]);
  return answer?.key === key ? answer.value : undefined;
}

/** The playback machine's actor, as the port hands it. */
function playbackActor(): PlaybackRef {
  return port().playback;
}

/** One question asked now (a search the user submitted). */
export function askQuery<K extends QueryName>(name: K, arg: QueryArg<K>): Promise<QueryResult<K>> {
  return port().query(name, arg);
}

/** A value derived from the playback machine's state (useSelector on the port's actor). */
export function usePlayback<T>(select: (p: PlaybackView) => T): T {
  return useSelector(playbackActor() as never, select as never) as T;
}

/** Send the playback machine an event. */
export function sendPlayback(ev: WirePlaybackEvent): void {
  playbackActor().send(ev);
}

/** Run a console line at the cursor (see EngineHost.command). */
export function consoleCommand(text: string, opts?: CommandOptions): Promise<CommandOutcome> {
  return port().command(text, opts);
}

/** The kernel log records so far (a new array or a longer one when the log grew). */
export function useKernelLog(): readonly LogRecord[] {
  useSimVersion();
  return port().log();
}
