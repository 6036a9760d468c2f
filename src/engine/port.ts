// One interface between the page and an engine host (src/engine/host.ts), whatever the size
// of the scenario, with two transports: in-process (this file: the host runs on the page's
// thread) and the simulation worker (src/ui/remote.ts: the host runs in a Web Worker and the
// page keeps its latest snapshot). Components read and drive only this; none knows where
// the simulation runs.

import type { LogRecord } from '../kernel/printk';
import type { Session } from './session';
import type { CommandOptions, CommandOutcome, EngineHost, PlaybackView, WirePlaybackEvent } from './host';
import { blockedRowsOf, PIECES, type BlockedRowView, type Piece, type PieceName, type QueryArg, type QueryName, type QueryResult } from './select/viewData';
import type { TasksModel } from './select/tasksModel';

/**
 * The playback machine as the page sees it: an actor-shaped reference that @xstate/react's
 * useSelector reads (getSnapshot, subscribe) and components drive with send.
 */
type PlaybackObserver = ((s: PlaybackView) => void) | { next?(s: PlaybackView): void };

export interface PlaybackRef {
  getSnapshot(): PlaybackView;
  /** A function or an observer object, as XState actors take (useSelector passes `{ next, error }`). */
  subscribe(observer: PlaybackObserver): { unsubscribe(): void };
  send(e: WirePlaybackEvent): void;
}

export interface EnginePort {
  readonly playback: PlaybackRef;
  /** Called whenever the simulation moved (a new snapshot, time advanced, an error). */
  subscribe(fn: () => void): () => void;
  version(): number;
  /** The first snapshot is there (always, in-process). */
  ready(): boolean;
  /** Why the host stopped or could not start. */
  error(): string | undefined;
  piece<K extends PieceName>(name: K): Piece<K>;
  /** The Tasks view's model (undefined before the first snapshot). */
  tasks(): TasksModel | undefined;
  blockedRows(): { rows: BlockedRowView[]; more: number };
  /** The kernel log so far: the same array while it grows, a new one after a reboot by a backward seek. */
  log(): readonly LogRecord[];
  command(text: string, opts?: CommandOptions): Promise<CommandOutcome>;
  query<K extends QueryName>(name: K, arg: QueryArg<K>): Promise<QueryResult<K>>;
  /** For the browser bench (tasks_view_update): rebuild the Tasks model from scratch, where the host is local. */
  rebuildTasks?(): void;
  /** For devtools and the end-to-end tests only (never a component): the Session, where the host is local. */
  readonly debugSession?: Session;
  /**
   * For devtools and the end-to-end tests only (never a component), where the host runs in
   * the simulation worker: crash it ('throw': an uncaught exception inside it; 'die': it is
   * terminated), to exercise the page's crash report and restart.
   */
  debugCrash?(how: 'throw' | 'die'): void;
  close(): void;
}

const PAUSED: PlaybackView = { playing: false, seeking: false, speedExp: 0, limited: false };

/** A PlaybackRef over views pushed from elsewhere (the worker's snapshots). */
export class PushedPlayback implements PlaybackRef {
  private view = PAUSED;
  private subs = new Set<(s: PlaybackView) => void>();
  constructor(readonly send: (e: WirePlaybackEvent) => void) {}
  getSnapshot(): PlaybackView {
    return this.view;
  }
  subscribe(observer: PlaybackObserver): { unsubscribe(): void } {
    const fn = typeof observer === 'function' ? observer : (s: PlaybackView) => observer.next?.(s);
    this.subs.add(fn);
    return { unsubscribe: () => this.subs.delete(fn) };
  }
  push(v: PlaybackView): void {
    const o = this.view;
    if (o.playing === v.playing && o.seeking === v.seeking && o.speedExp === v.speedExp && o.limited === v.limited) return;
    this.view = v;
    for (const fn of [...this.subs]) fn(v);
  }
}

/** The in-process transport: the host runs here; pieces are computed when first read at a version. */
export function inProcessPort(host: EngineHost): EnginePort {
  let version = 0;
  const listeners = new Set<() => void>();
  const playback = new PushedPlayback((e) => host.send(e));
  playback.push(host.playbackView);
  let memoAt = -1;
  const memo = new Map<PieceName, unknown>();
  let tasksAt = -1;
  let tasks: TasksModel | undefined;
  let failure: string | undefined;
  const moved = () => {
    version++;
    playback.push(host.playbackView);
    for (const fn of [...listeners]) fn();
  };
  const unsub = host.subscribe(moved);
  // The playback machine failed (an exception in the model): the page reports it and offers a restart.
  host.onError = (e) => {
    failure = `The simulation stopped: ${e instanceof Error ? e.message : String(e)}`;
    moved();
  };
  const fresh = () => {
    if (memoAt !== version) {
      memoAt = version;
      memo.clear();
    }
  };
  const port: EnginePort = {
    playback,
    subscribe(fn) {
      listeners.add(fn);
      return () => listeners.delete(fn);
    },
    version: () => version,
    ready: () => true,
    error: () => failure,
    piece<K extends PieceName>(name: K): Piece<K> {
      fresh();
      if (!memo.has(name)) memo.set(name, PIECES[name](host.session));
      return memo.get(name) as Piece<K>;
    },
    tasks() {
      if (tasksAt !== version || !tasks) {
        tasksAt = version;
        tasks = host.tasks();
      }
      return tasks;
    },
    blockedRows() {
      const model = port.tasks();
      return model ? blockedRowsOf(host.session, model) : { rows: [], more: 0 };
    },
    log: () => host.session.sim.log,
    command: (text, opts) => Promise.resolve(host.command(text, opts)),
    query<K extends QueryName>(name: K, arg: QueryArg<K>): Promise<QueryResult<K>> {
      try {
        return Promise.resolve(host.query(name, arg));
      } catch (e) {
        return Promise.reject(e instanceof Error ? e : new Error(String(e)));
      }
    },
    rebuildTasks: () => host.rebuildTasks(),
    debugSession: host.session,
    close() {
      unsub();
      listeners.clear();
      host.close();
    },
  };
  return port;
}
