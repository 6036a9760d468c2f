// The simulation worker's side of the worker transport (src/engine/port.ts): it owns an
// engine host (src/engine/host.ts) paced by timers, with its own budget per tick instead of
// the page's animation frames, and after each change posts the page the host's snapshot.
// src/ui/simWorker.ts wires it to `self`; the unit tests call handle() directly in Node.
//
// Flow control: one snapshot in flight at a time. The page acknowledges a snapshot when its
// next animation frame has drawn it, so the worker posts at most one per page frame and a slow
// page is never flooded; changes while waiting are folded into the next snapshot.

import { fromCallback } from 'xstate';
import { EngineHost, type CommandOptions, type CommandOutcome, type Snapshot, type WirePlaybackEvent } from '../engine/host';
import type { PlaybackEvent } from '../engine/playback';
import type { Session, SessionSource } from '../engine/session';
import type { Scenario } from '../scenario/document';
import type { QueryName } from '../engine/select/viewData';
import { sessionSourceOf } from '../scenario/build';
import { benchSource } from './benchHook';

export type { Snapshot } from '../engine/host';

export type ToWorker =
  | { type: 'open'; scenario?: Scenario; bench?: string; cursorUs?: number }
  | { type: 'playback'; event: WirePlaybackEvent }
  | { type: 'command'; id: number; text: string; opts?: CommandOptions }
  | { type: 'query'; id: number; name: QueryName; arg: unknown }
  | { type: 'ack' }
  /**
   * Devtools and the end-to-end tests only (RemoteSim.debugCrash, never a control of the page):
   * throw from this message's handler, an uncaught exception inside the worker, so that the
   * page's crash report and restart can be exercised.
   */
  | { type: 'crash' };

export type FromWorker =
  | { type: 'snapshot'; snapshot: Snapshot }
  | { type: 'answer'; id: number; value?: unknown; error?: string }
  | { type: 'command'; id: number; outcome: CommandOutcome }
  | { type: 'error'; message: string }
  /** Sent once by simWorker.ts when it holds its lock (`lock`: its name): the page's watchdog starts. */
  | { type: 'alive'; lock: string };

interface WorkerOptions {
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

export function createWorkerHost(opts: WorkerOptions): WorkerHost {
  const tickMs = opts.tickMs ?? 8;
  let host: EngineHost | undefined;
  let awaitingAck = false;
  let dirty = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
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
    if (ev) host?.send(ev);
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

  function flush(): void {
    timer = undefined;
    if (!host || awaitingAck || !dirty) return;
    dirty = false;
    awaitingAck = true;
    const { snap, transfer } = host.snapshot();
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
    const h = new EngineHost(source, { cursorUs: msg.cursorUs, ticks });
    h.onError = fail;
    host = h;
    h.subscribe(changed);
    changed();
  }

  return {
    get session() {
      return host?.session;
    },
    close() {
      host?.close();
      if (timer) clearTimeout(timer);
      if (seekTimer) clearTimeout(seekTimer);
    },
    handle(msg) {
      // Anything else sees the cursor where the seeks before it put it.
      if (pendingSeek && !(msg.type === 'playback' && msg.event.type === 'SEEK') && msg.type !== 'ack') runPendingSeek();
      switch (msg.type) {
        case 'crash':
          throw new Error('crash requested by RemoteSim.debugCrash (a test of the crash report)');
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
          } else host?.send(msg.event);
          return;
        case 'command': {
          if (!host) {
            opts.post({ type: 'command', id: msg.id, outcome: { ok: false, time: 0, after: 0, error: 'the machine is still being built' } }, []);
            return;
          }
          opts.post({ type: 'command', id: msg.id, outcome: host.command(msg.text, msg.opts) }, []);
          return;
        }
        case 'query':
          if (!host) {
            opts.post({ type: 'answer', id: msg.id, error: 'the machine is still being built' }, []);
            return;
          }
          try {
            opts.post({ type: 'answer', id: msg.id, value: host.query(msg.name, msg.arg as never) }, []);
          } catch (e) {
            opts.post({ type: 'answer', id: msg.id, error: (e as Error).message }, []);
          }
          return;
      }
    },
  };
}
