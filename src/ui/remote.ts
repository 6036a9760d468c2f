// The page's side of a simulation that runs in the worker (src/ui/simWorker.ts): it sends
// playback events, console lines and questions, and keeps the latest snapshot for the views.
// The kernel log arrives in increments and is kept here; the Tasks view's big arrays arrive
// as transferred buffers.

import type { LogRecord } from '../kernel/printk';
import type { CommandOutcome, QueryArg, QueryName, QueryResult } from './viewData';
import type { TasksModel } from './views/tasksModel';
import type { FromWorker, Snapshot, ToWorker, WirePlaybackEvent } from './workerHost';

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

export class RemoteSim {
  snapshot?: Snapshot;
  /** The kernel log so far (grows; replaced when the worker's kernel was rebooted by a seek). */
  log: readonly LogRecord[] = [];
  /** The Tasks view's model rebuilt from the last snapshot. */
  tasks?: TasksModel;
  /** Why the worker could not open the scenario. */
  error?: string;
  /** Bumped on every snapshot or error, for the views' subscriptions. */
  version = 0;
  private logGen = -1;
  private listeners = new Set<() => void>();
  private waiting = new Map<number, (m: FromWorker) => void>();
  private nextId = 1;
  private port: Port;
  private closed = false;

  constructor(open: RemoteOpen, port: Port = startWorker(), private readonly frame: (cb: () => void) => void = (cb) => requestAnimationFrame(() => cb())) {
    this.port = port;
    port.onmessage = (e) => this.receive(e.data);
    port.onerror = (e) => {
      this.error = `The simulation worker failed: ${e.message || 'it could not be started'}`;
      this.notify();
    };
    port.postMessage({ type: 'open', ...open });
  }

  subscribe(fn: () => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  private notify(): void {
    this.version++;
    for (const fn of this.listeners) fn();
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
        this.error = m.message;
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
      this.log = s.log.records;
    } else {
      // The same array growing, as the kernel's own log does: its length is the change.
      const log = this.log as LogRecord[];
      for (const r of s.log.records) log.push(r);
    }
    const t = s.tasks;
    let { groups, slotOfCell, cellOfSlot } = this.tasks ?? { groups: [], slotOfCell: new Int32Array(0), cellOfSlot: new Int32Array(0) };
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
    this.tasks = { version: s.version, groups, codes: t.codes, counts: t.counts, cellOfSlot, slotOfCell };
    this.snapshot = s;
  }

  send(event: WirePlaybackEvent): void {
    this.port.postMessage({ type: 'playback', event });
  }

  command(text: string): Promise<CommandOutcome> {
    const id = this.nextId++;
    return new Promise((resolve) => {
      this.waiting.set(id, (m) => {
        if (m.type === 'command') resolve(m.outcome);
      });
      this.port.postMessage({ type: 'command', id, text });
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
