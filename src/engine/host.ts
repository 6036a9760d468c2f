// The engine host: one scenario's Session, its playback machine and the klp core machine
// inside it, and the policies that are the engine's, not the page's: a console line runs at
// the cursor now (forking the script's future, or keeping it when asked), and a paused
// session runs on a little so a quick command's output shows at once. The page reaches a
// host only through a port (src/engine/port.ts): in-process, or in the simulation worker.
// The CLI (src/cli/sim.ts), the conformance runner (src/scenario/case.ts), the chapters'
// measurements and the bench are clients too: they run the script to its end headless
// (runToEnd), without the recording the views need. Every client's script is read by the
// same Session and ScriptRunner. Nothing here is global: two hosts can run side by side
// (Compare).

import { createActor, type Actor, type AnyActorLogic } from 'xstate';
import { playbackMachine, type PlaybackEvent } from './playback';
import { Session, type HeadlessRun, type SessionSource } from './session';
import type { Simulation } from './simulation';
import type { RunOutcome } from './runner';
import type { Kernel } from '../kernel/kernel';
import type { LogRecord } from '../kernel/printk';
import { allPieces, blockedRowsOf, runQuery, type BlockedRowView, type Pieces, type QueryArg, type QueryName, type QueryResult } from './select/viewData';
import { buildTasksModel, type TasksModel } from './select/tasksModel';
import type { GroupCounts } from './select/tasksSummary';
import { classifyTasks } from './blockers';

/**
 * A source over one machine built by hand (the bench, tests that set a kernel up first): a
 * Session over it runs lines headless (runToEnd) from where the machine is; it cannot be
 * replayed from boot, so a backward seek fails with this message.
 */
export function machineSource(sim: Simulation, title = 'machine'): SessionSource {
  let built = false;
  return {
    title,
    build: () => {
      if (built) throw new Error(`'${title}' was built by hand: it runs on from where it is and cannot be replayed from boot`);
      built = true;
      return sim;
    },
    script: [],
    parsed: [],
  };
}

/** The playback machine's state as the controls show it. */
export interface PlaybackView {
  playing: boolean;
  seeking: boolean;
  speedExp: number;
  /** The last tick could not simulate as far as the speed asked. */
  limited: boolean;
}

/**
 * Playback events as a client sends them: plain data, so that they cross to the worker as a
 * structured clone. The host paces its own ticks, and a SEEK asks for a sliced replay with
 * `sliced` instead of carrying a function (the host owns the slice's budget, SEEK_SLICE_MS).
 */
export type WirePlaybackEvent = Exclude<PlaybackEvent, { type: 'TICK' } | { type: 'SEEK' }> | { type: 'SEEK'; time: number; sliced?: boolean };

/**
 * Wall time a sliced seek (the dragged time slider) may take before the rest of its replay
 * moves to the following ticks, so the page (or the worker's next message) is answered.
 */
const SEEK_SLICE_MS = 30;

/** The playback machine's event for a client's: a sliced SEEK gets the host's deadline. */
function playbackEventOf(e: WirePlaybackEvent): PlaybackEvent {
  if (e.type !== 'SEEK') return e;
  if (!e.sliced) return { type: 'SEEK', time: e.time };
  const deadline = performance.now() + SEEK_SLICE_MS;
  return { type: 'SEEK', time: e.time, shouldYield: () => performance.now() > deadline };
}

function playbackViewOf(snap: { matches(s: 'playing' | 'seeking'): boolean; context: { speedExp: number; limited: boolean } }): PlaybackView {
  const playing = snap.matches('playing');
  return { playing, seeking: snap.matches('seeking'), speedExp: snap.context.speedExp, limited: playing && snap.context.limited };
}

/** What a typed line does to script lines still ahead of the cursor. */
type ScriptAhead = 'fork' | 'keep';

export interface CommandOptions {
  /** 'fork' (default): the typed line runs now and the script's later lines are dropped; 'keep': they run after it. */
  ahead?: ScriptAhead;
}

export type CommandOutcome =
  | { ok: false; time: number; after: number; error: string }
  | { ok: true; time: number; index: number; fork?: { time: number; dropped: number; start: number } };

interface TasksSnapshot {
  /** Cell code of every cell, in cell order (transferred). */
  codes: Uint8Array;
  counts: GroupCounts[];
  blocked: { rows: BlockedRowView[]; more: number };
  /** Sent only when the grouping changed since the last snapshot (transferred). */
  grouping?: { groups: { name: string; count: number }[]; slotOfCell: Int32Array; cellOfSlot: Int32Array };
}

/** Everything the views draw at one version of the session, as plain (cloneable) data. */
export interface Snapshot {
  version: number;
  playback: PlaybackView;
  pieces: Pieces;
  /** New kernel log records: `gen` changes when a backward seek booted a new kernel (start over). */
  log: { gen: number; from: number; records: LogRecord[] };
  tasks: TasksSnapshot;
}

/** Events a paused console may run so that a quick command (cat, echo) finishes at once. */
const MAX_STEPS_WHEN_PAUSED = 2000;
/** Virtual time a paused console lets pass for it (longer commands wait for Play). */
const MAX_US_WHEN_PAUSED = 2_000_000;

interface HostOptions {
  /** Move the cursor there once booted (a shared link's time), in slices: see the constructor. */
  cursorUs?: number;
  /** What paces playing: the page's animation frames (default) or the worker's timers. */
  ticks?: AnyActorLogic;
  /** Record what the views draw over time (default true; a headless client runs without: SessionOptions). */
  record?: boolean;
}

export class EngineHost {
  readonly session: Session;
  readonly playback: Actor<typeof playbackMachine>;
  private listeners = new Set<() => void>();
  private playbackKey = '';
  private logKernel?: Kernel;
  private logGen = 0;
  private logSent = 0;
  private model?: TasksModel;
  private groupsSent?: TasksModel['groups'];

  constructor(source: SessionSource, opts: HostOptions = {}) {
    const s = new Session(source, { record: opts.record });
    this.session = s;
    const machine = opts.ticks ? playbackMachine.provide({ actors: { 'animation frames': opts.ticks } }) : playbackMachine;
    this.playback = createActor(machine, { input: { session: s } });
    s.subscribe(() => this.changed());
    this.playback.subscribe({
      next: (snap) => {
        const key = JSON.stringify(playbackViewOf(snap));
        if (key !== this.playbackKey) {
          this.playbackKey = key;
          this.changed();
        }
      },
      error: (e) => this.onError?.(e),
    });
    this.playback.start();
    // A link's (or a saved copy's) cursor: reached in slices over the following ticks, with
    // the progress bar and Cancel, so the page paints first and stays usable; the run budget
    // caps it as any run. The first slice is a few events only: nothing waits for it.
    if (opts.cursorUs !== undefined && opts.cursorUs > s.now) this.playback.send({ type: 'SEEK', time: opts.cursorUs, shouldYield: () => true });
  }

  /** Told when the playback machine fails (the worker reports it to the page). */
  onError?: (e: unknown) => void;

  /** Called after every change of the session or of the playback view. */
  subscribe(fn: () => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  private changed(): void {
    for (const fn of [...this.listeners]) fn();
  }

  get playbackView(): PlaybackView {
    return playbackViewOf(this.playback.getSnapshot());
  }

  send(event: WirePlaybackEvent): void {
    this.playback.send(playbackEventOf(event));
  }

  /**
   * A console line, at the cursor, now. Script lines still ahead of the cursor are dropped
   * (the timeline forks, with the notice a command typed in the past gives) unless `ahead`
   * is 'keep'; a line still running is interrupted (Ctrl-C); while paused, the session runs
   * on a little so a quick command's output shows.
   */
  command(text: string, opts: CommandOptions = {}): CommandOutcome {
    const session = this.session;
    const time = session.now;
    const r = session.command(text, { keepScript: opts.ahead === 'keep' });
    if (!r.ok) return { ok: false, time, after: session.entries.length, error: r.error };
    const index = r.index;
    const fork = r.forked && session.lastFork ? { ...session.lastFork, start: session.start } : undefined;
    // While paused, run on a little so a quick command's output shows at once. A line the
    // shell is still running (a `sleep 16`, a `wait_*` helper) gets Ctrl-C at the typed line's
    // time (runner.ts), so the typed one runs now too.
    if (!this.playback.getSnapshot().matches('playing')) {
      const limit = session.now + MAX_US_WHEN_PAUSED;
      const done = () => session.runs.some((run) => run.index === index && run.end !== undefined);
      for (let i = 0; i < MAX_STEPS_WHEN_PAUSED && !done() && session.nextEventTime() <= limit; i++) this.playback.send({ type: 'STEP_FORWARD' });
    }
    return { ok: true, time, index, fork };
  }

  /**
   * Headless: run the script (and `lines` joined now) to its end, or to `until` (virtual µs
   * since boot), and report each line's outcome, a helper's death, the run budget's stop
   * (Session.runToEnd).
   */
  runToEnd(opts: HeadlessRun = {}): RunOutcome {
    return this.session.runToEnd(opts);
  }

  query<K extends QueryName>(name: K, arg: QueryArg<K>): QueryResult<K> {
    return runQuery(this.session, name, arg);
  }

  /** The Tasks view's model now (rebuilt incrementally from the last one). */
  tasks(): TasksModel {
    this.model = buildTasksModel(this.session, this.model);
    return this.model;
  }

  /** For the browser bench: classify every task afresh and rebuild the Tasks model, as a step of the simulation would. */
  rebuildTasks(): void {
    classifyTasks(this.session.sim.kernel);
    this.model = buildTasksModel(this.session, this.model);
  }

  /**
   * Everything the views draw, as cloneable data, with the buffers a worker may transfer:
   * the log as the records since the last snapshot, the grouping only when it changed.
   */
  snapshot(): { snap: Snapshot; transfer: Transferable[] } {
    const s = this.session;
    const k = s.sim.kernel;
    if (k !== this.logKernel) {
      this.logKernel = k;
      this.logGen++;
      this.logSent = 0;
    }
    const records = s.sim.log.slice(this.logSent);
    const from = this.logSent;
    this.logSent += records.length;
    const model = this.tasks();
    // The host keeps its buffers for the next model: the client gets copies it can own.
    const codes = model.codes.slice(0, model.slotOfCell.length);
    const transfer: Transferable[] = [codes.buffer];
    const tasks: TasksSnapshot = { codes, counts: model.counts, blocked: blockedRowsOf(s, model) };
    if (model.groups !== this.groupsSent) {
      this.groupsSent = model.groups;
      const slotOfCell = model.slotOfCell.slice();
      const cellOfSlot = model.cellOfSlot.slice();
      tasks.grouping = { groups: model.groups.map((g) => ({ name: g.name, count: g.slots.length })), slotOfCell, cellOfSlot };
      transfer.push(slotOfCell.buffer, cellOfSlot.buffer);
    }
    const snap: Snapshot = { version: s.version, playback: this.playbackView, pieces: allPieces(s), log: { gen: this.logGen, from, records }, tasks };
    return { snap, transfer };
  }

  close(): void {
    this.playback.stop();
    this.listeners.clear();
  }
}
