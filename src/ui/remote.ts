// The worker transport of the engine port (src/engine/port.ts): the host runs in the
// simulation worker (src/ui/simWorker.ts); this side sends playback events, console lines
// and questions, and keeps the latest snapshot for the views. The kernel log arrives in
// increments and is kept here; the Tasks view's big arrays arrive as transferred buffers.

import type { LogRecord } from '../kernel/printk';
import type { CommandOptions, CommandOutcome, Snapshot, WirePlaybackEvent } from '../engine/host';
import { PushedPlayback, type EnginePort } from '../engine/port';
import type { BlockedRowView, Piece, PieceName, QueryArg, QueryName, QueryResult } from '../engine/select/viewData';
import type { TasksModel } from '../engine/select/tasksModel';
import type { FromWorker, ToWorker } from './workerHost';
import { pageFrames } from './frameScheduler';

export interface RemoteOpen {
  scenario?: Extract<ToWorker, { type: 'open' }>['scenario'];
  bench?: string;
  cursorUs?: number;
}

interface Port {
  postMessage(msg: ToWorker): void;
  onmessage: ((e: MessageEvent<FromWorker>) => void) | null;
  onerror: ((e: ErrorEvent) => void) | null;
  terminate(): void;
}

/** Workers started by this page: each one's name is also the name of the lock it holds. */
let started = 0;

function startWorker(): Port {
  // The name is the worker's lock (simWorker.ts): one per worker, so two hosts (Compare) are told apart.
  const name = `livepatch-sim-${++started}-${Math.random().toString(36).slice(2, 10)}`;
  return new Worker(new URL('./simWorker.ts', import.meta.url), { type: 'module', name }) as unknown as Port;
}

/**
 * The watchdog: told `dead` once the worker holding `lock` is gone; returns a cancel. A
 * worker that is terminated or killed (out of memory) raises no error event on the page;
 * what does happen is that its Web Locks are released, so the page's request for the same
 * lock is granted then, and only then. No timer, no wall-clock guess: a worker busy for a
 * long time (building a million tasks) is never taken for dead. Without the Web Locks API
 * (an insecure origin) there is no watchdog, only the error event.
 */
export type WorkerWatch = (lock: string, dead: () => void) => () => void;

const lockWatch: WorkerWatch = (lock, dead) => {
  const locks = (globalThis.navigator as Navigator | undefined)?.locks;
  if (!locks) return () => {};
  const stop = new AbortController();
  locks.request(lock, { signal: stop.signal }, () => dead()).catch(() => {});
  return () => stop.abort();
};

/** What the page says when the watchdog finds the worker gone. */
export const DIED = 'The simulation worker died (it stopped without an error: terminated, or out of memory)';

const NO_ROWS = { rows: [] as BlockedRowView[], more: 0 };

export class RemoteSim implements EnginePort {
  snapshot?: Snapshot;
  /** The kernel log so far (grows; replaced when the worker's kernel was rebooted by a seek). */
  private logRecords: readonly LogRecord[] = [];
  /** The Tasks view's model rebuilt from the last snapshot. */
  private model?: TasksModel;
  /** Why the worker could not open the scenario. */
  private failure?: string;
  /** Bumped on every snapshot or error, for the views' subscriptions. */
  private ver = 0;
  readonly playback: PushedPlayback;
  private logGen = -1;
  private listeners = new Set<() => void>();
  /** Requests awaiting the worker's answer; `undefined` when the worker is gone (the crash report). */
  private waiting = new Map<number, (m: FromWorker | undefined) => void>();
  private nextId = 1;
  private port: Port;
  private closed = false;
  /** The worker crashed or died: it was terminated, and nothing more is sent to it. */
  private lost = false;
  /** Stops the watchdog (see WorkerWatch); set once the worker said it holds its lock. */
  private unwatch?: () => void;

  constructor(
    open: RemoteOpen,
    port: Port = startWorker(),
    private readonly frame: (cb: () => void) => void = (cb) => pageFrames.request(cb, 'after'),
    private readonly watch: WorkerWatch = lockWatch,
  ) {
    this.port = port;
    this.playback = new PushedPlayback((event) => this.port.postMessage({ type: 'playback', event }));
    port.onmessage = (e) => this.receive(e.data);
    // An exception nothing inside the worker caught (or a worker that could not load).
    port.onerror = (e) => {
      e.preventDefault?.();
      this.crash(`The simulation worker crashed: ${e.message || 'it could not be started'}`);
    };
    port.postMessage({ type: 'open', ...open });
  }

  subscribe = (fn: () => void): (() => void) => {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  };

  version = (): number => this.ver;
  ready = (): boolean => this.snapshot !== undefined;
  error = (): string | undefined => this.failure;

  piece<K extends PieceName>(name: K): Piece<K> {
    if (!this.snapshot) throw new Error('the worker has not sent its first snapshot');
    return this.snapshot.pieces[name];
  }

  tasks(): TasksModel | undefined {
    return this.model;
  }

  blockedRows(): { rows: BlockedRowView[]; more: number } {
    return this.snapshot?.tasks.blocked ?? NO_ROWS;
  }

  log(): readonly LogRecord[] {
    return this.logRecords;
  }

  private notify(): void {
    this.ver++;
    for (const fn of [...this.listeners]) fn();
  }

  private receive(m: FromWorker): void {
    if (this.closed || this.lost) return;
    switch (m.type) {
      case 'snapshot':
        this.apply(m.snapshot);
        this.notify();
        // Ask for the next one once this page frame has drawn this one.
        this.frame(() => {
          if (!this.closed) this.port.postMessage({ type: 'ack' });
        });
        return;
      case 'error':
        this.crash(m.message);
        return;
      case 'alive':
        // The worker holds its lock now: asking for it from here is safe (granted only when it dies).
        this.unwatch ??= this.watch(m.lock, () => this.crash(DIED));
        return;
      default: {
        const done = this.waiting.get(m.id);
        this.waiting.delete(m.id);
        done?.(m);
      }
    }
  }

  private apply(s: Snapshot): void {
    if (s.log.gen !== this.logGen || s.log.from === 0) {
      this.logGen = s.log.gen;
      this.logRecords = s.log.records;
    } else {
      // The same array growing, as the kernel's own log does: its length is the change.
      const log = this.logRecords as LogRecord[];
      for (const r of s.log.records) log.push(r);
    }
    const t = s.tasks;
    let { groups, slotOfCell, cellOfSlot } = this.model ?? { groups: [], slotOfCell: new Int32Array(0), cellOfSlot: new Int32Array(0) };
    if (t.grouping) {
      slotOfCell = t.grouping.slotOfCell;
      cellOfSlot = t.grouping.cellOfSlot;
      let at = 0;
      groups = t.grouping.groups.map((g) => {
        const slots = slotOfCell.subarray(at, at + g.count);
        at += g.count;
        return { name: g.name, slots };
      });
    }
    this.model = { version: s.version, groups, codes: t.codes, counts: t.counts, cellOfSlot, slotOfCell };
    this.snapshot = s;
    this.playback.push(s.playback);
  }

  /**
   * The worker failed: say why (error()), terminate it (its state is no longer trusted), and
   * answer every request still waiting. The last snapshot stays: it is the last good state the
   * page offers to restart from (src/ui/views/CrashNotice.tsx).
   */
  private crash(message: string): void {
    if (this.closed || this.lost) return;
    this.lost = true;
    this.failure = message;
    this.unwatch?.();
    this.port.terminate();
    const waiting = [...this.waiting.values()];
    this.waiting.clear();
    for (const done of waiting) done(undefined);
    this.notify();
  }

  /**
   * Devtools and the end-to-end tests only (never a control of the page): 'throw' makes the
   * worker throw an uncaught exception from a message handler; 'die' terminates it as if the
   * browser had killed it (out of memory): no error event, only the watchdog notices.
   */
  debugCrash(how: 'throw' | 'die'): void {
    if (how === 'throw') this.port.postMessage({ type: 'crash' });
    else this.port.terminate();
  }

  send(event: WirePlaybackEvent): void {
    this.playback.send(event);
  }

  command(text: string, opts?: CommandOptions): Promise<CommandOutcome> {
    const id = this.nextId++;
    const gone = (): CommandOutcome => ({ ok: false, time: this.snapshot?.pieces.cursor.now ?? 0, after: this.snapshot?.pieces.console.entries.length ?? 0, error: this.failure ?? 'the simulation worker is gone' });
    if (this.lost) return Promise.resolve(gone());
    return new Promise((resolve) => {
      this.waiting.set(id, (m) => {
        if (!m) resolve(gone());
        else if (m.type === 'command') resolve(m.outcome);
      });
      this.port.postMessage({ type: 'command', id, text, opts });
    });
  }

  query<K extends QueryName>(name: K, arg: QueryArg<K>): Promise<QueryResult<K>> {
    const id = this.nextId++;
    if (this.lost) return Promise.reject(new Error(this.failure));
    return new Promise((resolve, reject) => {
      this.waiting.set(id, (m) => {
        if (!m) reject(new Error(this.failure));
        else if (m.type !== 'answer') return;
        else if (m.error !== undefined) reject(new Error(m.error));
        else resolve(m.value as QueryResult<K>);
      });
      this.port.postMessage({ type: 'query', id, name, arg });
    });
  }

  close(): void {
    this.closed = true;
    this.unwatch?.();
    this.port.terminate();
    this.listeners.clear();
  }
}
