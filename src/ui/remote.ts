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

function startWorker(): Port {
  return new Worker(new URL('./simWorker.ts', import.meta.url), { type: 'module', name: 'livepatch-sim' }) as unknown as Port;
}

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
  private waiting = new Map<number, (m: FromWorker) => void>();
  private nextId = 1;
  private port: Port;
  private closed = false;

  constructor(open: RemoteOpen, port: Port = startWorker(), private readonly frame: (cb: () => void) => void = (cb) => requestAnimationFrame(() => cb())) {
    this.port = port;
    this.playback = new PushedPlayback((event) => this.port.postMessage({ type: 'playback', event }));
    port.onmessage = (e) => this.receive(e.data);
    port.onerror = (e) => {
      this.failure = `The simulation worker failed: ${e.message || 'it could not be started'}`;
      this.notify();
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
    if (this.closed) return;
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
        this.failure = m.message;
        this.notify();
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

  send(event: WirePlaybackEvent): void {
    this.playback.send(event);
  }

  command(text: string, opts?: CommandOptions): Promise<CommandOutcome> {
    const id = this.nextId++;
    return new Promise((resolve) => {
      this.waiting.set(id, (m) => {
        if (m.type === 'command') resolve(m.outcome);
      });
      this.port.postMessage({ type: 'command', id, text, opts });
    });
  }

  query<K extends QueryName>(name: K, arg: QueryArg<K>): Promise<QueryResult<K>> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.waiting.set(id, (m) => {
        if (m.type !== 'answer') return;
        if (m.error !== undefined) reject(new Error(m.error));
        else resolve(m.value as QueryResult<K>);
      });
      this.port.postMessage({ type: 'query', id, name, arg });
    });
  }

  close(): void {
    this.closed = true;
    this.port.terminate();
    this.listeners.clear();
  }
}
