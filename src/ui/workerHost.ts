// The simulation worker's logic, without the worker: it owns the Session and the playback
// machine (paced by timers, with its own budget per tick instead of the page's animation
// frames), and after each change posts the page a snapshot of exactly what the views draw,
// computed by the same functions the page uses for small scenarios (src/ui/viewData.ts).
// src/ui/simWorker.ts wires it to `self`; the unit tests call handle() directly in Node.
//
// Flow control: one snapshot in flight at a time. The page acknowledges a snapshot when its
// next animation frame has drawn it, so the worker posts at most one per page frame and a slow
// page is never flooded; changes while waiting are folded into the next snapshot.

import { createActor, fromCallback, type Actor } from 'xstate';
import { playbackMachine, type PlaybackEvent } from '../engine/playback';
import { Session, type SessionSource } from '../engine/session';
import type { Kernel } from '../kernel/kernel';
import type { LogRecord } from '../kernel/printk';
import type { Scenario } from '../scenario/document';
import { sessionSourceOf } from '../scenario/build';
import { benchSource } from './benchHook';
import { allPieces, blockedRowsOf, runCommand, runQuery, type BlockedRowView, type CommandOutcome, type Pieces, type QueryName } from './viewData';
import { buildTasksModel, type TasksModel } from './views/tasksModel';
import type { GroupCounts } from './views/tasksSummary';

/** Playback events as they cross to the worker (the worker sets its own yield budget). */
export type WirePlaybackEvent = Exclude<PlaybackEvent, { type: 'TICK' }>;

export type ToWorker =
  | { type: 'open'; scenario?: Scenario; bench?: string; cursorUs?: number }
  | { type: 'playback'; event: WirePlaybackEvent }
  | { type: 'command'; id: number; text: string }
  | { type: 'query'; id: number; name: QueryName; arg: unknown }
  | { type: 'ack' };

/** The playback machine's state as the controls show it. */
export interface PlaybackView {
  playing: boolean;
  seeking: boolean;
  speedExp: number;
  /** The last tick could not simulate as far as the speed asked. */
  limited: boolean;
}

export interface TasksSnapshot {
  /** Cell code of every cell, in cell order (transferred). */
  codes: Uint8Array;
  counts: GroupCounts[];
  blocked: { rows: BlockedRowView[]; more: number };
  /** Sent only when the grouping changed since the last snapshot (transferred). */
  grouping?: { groups: { name: string; count: number }[]; slotOfCell: Int32Array; cellOfSlot: Int32Array };
}

export interface Snapshot {
  /** The session's version this snapshot shows. */
  version: number;
  playback: PlaybackView;
  pieces: Pieces;
  /** New kernel log records: `gen` changes when a backward seek booted a new kernel (start over). */
  log: { gen: number; from: number; records: LogRecord[] };
  tasks: TasksSnapshot;
}

export type FromWorker =
  | { type: 'snapshot'; snapshot: Snapshot }
  | { type: 'answer'; id: number; value?: unknown; error?: string }
  | { type: 'command'; id: number; outcome: CommandOutcome }
  | { type: 'error'; message: string };

export interface HostOptions {
  post(msg: FromWorker, transfer: Transferable[]): void;
  /** Wall milliseconds between playback ticks. */
  tickMs?: number;
}

/** Longest wall gap one tick may account for (a stalled worker must not jump minutes). */
const MAX_TICK_MS = 100;
/**
 * Wall time one tick may spend simulating. Nothing else shares the worker's thread, so it can
 * be longer than the page's 8 ms; it only bounds how late a PAUSE or a command is answered.
 */
const TICK_BUDGET_MS = 25;

export interface WorkerHost {
  handle(msg: ToWorker): void;
  /** For the tests: the session once opened. */
  readonly session: Session | undefined;
  /** Stop the playback's timers. */
  close(): void;
}

export function playbackViewOf(snap: { matches(s: 'playing' | 'seeking'): boolean; context: { speedExp: number; limited: boolean } }): PlaybackView {
  const playing = snap.matches('playing');
  return { playing, seeking: snap.matches('seeking'), speedExp: snap.context.speedExp, limited: playing && snap.context.limited };
}

export function createWorkerHost(opts: HostOptions): WorkerHost {
  const tickMs = opts.tickMs ?? 8;
  let session: Session | undefined;
  let playback: Actor<typeof playbackMachine> | undefined;
  let awaitingAck = false;
  let dirty = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let logKernel: Kernel | undefined;
  let logGen = 0;
  let logSent = 0;
  let model: TasksModel | undefined;
  let groupsSent: TasksModel['groups'] | undefined;
  /**
   * The latest SEEK not yet run: a dragged slider sends one per page frame, and a backward
   * seek boots a new machine (about 0.4 s at a million tasks), so the seeks that queued up
   * meanwhile collapse into the last one.
   */
  let pendingSeek: Extract<WirePlaybackEvent, { type: 'SEEK' }> | undefined;
  let seekTimer: ReturnType<typeof setTimeout> | undefined;

  function runPendingSeek(): void {
    if (seekTimer) clearTimeout(seekTimer);
    seekTimer = undefined;
    const ev = pendingSeek;
    pendingSeek = undefined;
    if (ev) playback?.send(ev);
  }

  function fail(e: unknown): void {
    opts.post({ type: 'error', message: `The simulation stopped: ${e instanceof Error ? e.message : String(e)}` }, []);
  }

  const ticks = fromCallback<PlaybackEvent>(({ sendBack }) => {
    let last = performance.now();
    let id: ReturnType<typeof setTimeout>;
    const tick = () => {
      const t = performance.now();
      const deadline = t + TICK_BUDGET_MS;
      sendBack({ type: 'TICK', wallMs: Math.min(MAX_TICK_MS, t - last), shouldYield: () => performance.now() > deadline });
      last = t;
      id = setTimeout(tick, tickMs);
    };
    id = setTimeout(tick, tickMs);
    return () => clearTimeout(id);
  });

  function snapshot(s: Session, p: Actor<typeof playbackMachine>): { snap: Snapshot; transfer: Transferable[] } {
    const k = s.sim.kernel;
    if (k !== logKernel) {
      logKernel = k;
      logGen++;
      logSent = 0;
    }
    const records = s.sim.log.slice(logSent);
    const from = logSent;
    logSent += records.length;
    model = buildTasksModel(s, model);
    // The worker keeps its buffers for the next model: the page gets copies it can own.
    const codes = model.codes.slice(0, model.slotOfCell.length);
    const transfer: Transferable[] = [codes.buffer];
    const tasks: TasksSnapshot = { codes, counts: model.counts, blocked: blockedRowsOf(s, model) };
    if (model.groups !== groupsSent) {
      groupsSent = model.groups;
      const slotOfCell = model.slotOfCell.slice();
      const cellOfSlot = model.cellOfSlot.slice();
      tasks.grouping = { groups: model.groups.map((g) => ({ name: g.name, count: g.slots.length })), slotOfCell, cellOfSlot };
      transfer.push(slotOfCell.buffer, cellOfSlot.buffer);
    }
    const snap: Snapshot = {
      version: s.version,
      playback: playbackViewOf(p.getSnapshot()),
      pieces: allPieces(s),
      log: { gen: logGen, from, records },
      tasks,
    };
    return { snap, transfer };
  }

  function flush(): void {
    timer = undefined;
    if (!session || !playback || awaitingAck || !dirty) return;
    dirty = false;
    awaitingAck = true;
    const { snap, transfer } = snapshot(session, playback);
    opts.post({ type: 'snapshot', snapshot: snap }, transfer);
  }

  function changed(): void {
    dirty = true;
    if (!awaitingAck && !timer) timer = setTimeout(flush, 0);
  }

  function open(msg: Extract<ToWorker, { type: 'open' }>): void {
    let source: SessionSource | undefined;
    if (msg.bench) source = benchSource(msg.bench);
    else if (msg.scenario) source = sessionSourceOf(msg.scenario);
    if (!source) throw new Error('nothing to open');
    const s = new Session(source);
    if (msg.cursorUs !== undefined && msg.cursorUs > s.now) s.seek(msg.cursorUs);
    const p = createActor(playbackMachine.provide({ actors: { 'animation frames': ticks } }), { input: { session: s } });
    session = s;
    playback = p;
    s.subscribe(changed);
    let last = '';
    p.subscribe({
      next: (snap) => {
        const key = JSON.stringify(playbackViewOf(snap));
        if (key !== last) {
          last = key;
          changed();
        }
      },
      error: fail,
    });
    p.start();
    changed();
  }

  return {
    get session() {
      return session;
    },
    close() {
      playback?.stop();
      if (timer) clearTimeout(timer);
      if (seekTimer) clearTimeout(seekTimer);
    },
    handle(msg) {
      // Anything else sees the cursor where the seeks before it put it.
      if (pendingSeek && !(msg.type === 'playback' && msg.event.type === 'SEEK') && msg.type !== 'ack') runPendingSeek();
      switch (msg.type) {
        case 'open':
          try {
            open(msg);
          } catch (e) {
            opts.post({ type: 'error', message: `This scenario could not be started: ${(e as Error).message}` }, []);
          }
          return;
        case 'ack':
          awaitingAck = false;
          if (dirty && !timer) timer = setTimeout(flush, 0);
          return;
        case 'playback':
          if (msg.event.type === 'SEEK') {
            pendingSeek = msg.event;
            seekTimer ??= setTimeout(runPendingSeek, 0);
          } else playback?.send(msg.event);
          return;
        case 'command': {
          const s = session;
          const p = playback;
          if (!s || !p) {
            opts.post({ type: 'command', id: msg.id, outcome: { ok: false, time: 0, after: 0, error: 'the machine is still being built' } }, []);
            return;
          }
          const outcome = runCommand(s, msg.text, p.getSnapshot().matches('playing'), () => p.send({ type: 'STEP_FORWARD' }));
          opts.post({ type: 'command', id: msg.id, outcome }, []);
          return;
        }
        case 'query':
          if (!session) {
            opts.post({ type: 'answer', id: msg.id, error: 'the machine is still being built' }, []);
            return;
          }
          try {
            opts.post({ type: 'answer', id: msg.id, value: runQuery(session, msg.name, msg.arg as never) }, []);
          } catch (e) {
            opts.post({ type: 'answer', id: msg.id, error: (e as Error).message }, []);
          }
          return;
      }
    },
  };
}
