// A replayable run of a scenario, for the explorer: the script runs on the simulated root
// shell, time moves only when asked (advance, step, seek), commands typed in the console join
// the script at the cursor time, and acting in the past forks the future (RaftScope's
// semantics). Everything the views draw over time (pending counts by reason, markers) is
// recorded here as the run goes.
//
// Why seek replays from boot instead of restoring a checkpoint: the model's code paths are
// generator coroutines, which cannot be copied, and the model is deterministic, so running
// the same script again to time t gives exactly the state of the first run at t.

import type { AnyTransitionDefinition } from 'xstate';
import type { KlpEvent } from '../kernel/kernel';
import { KLP_TRANSITION_IDLE, KLP_TRANSITION_PATCHED } from '../kernel/constants';
import type { Step } from '../kernel/exec';
import { WaitQueue } from '../kernel/exec';
import { Sched } from '../kernel/tasks';
import { parseLine, ScriptDied, type CmdResult, type ScriptLine } from '../scenario/shell';
import { classifyTasks, type Classification } from './blockers';
import type { Simulation } from './simulation';

/** A script line and, for lines typed at a moment, the virtual time it was typed at (µs). */
export interface ScriptEntry {
  text: string;
  at?: number;
}

export interface SessionSource {
  title: string;
  /** A fresh, booted simulation of the scenario (same every call). */
  build(): Simulation;
  script: readonly ScriptEntry[];
}

export type MarkerKind = 'command' | 'start' | 'attempt' | 'signal' | 'reverse' | 'force' | 'complete' | 'warn' | 'fork';

export interface Marker {
  time: number;
  kind: MarkerKind;
  label: string;
}

/** Pending tasks by blocker reason at one moment (Reason order). */
export interface Sample {
  time: number;
  counts: number[];
}

/** Transitions the klp core machine took in one microstep (for the Statechart view). */
export interface CoreStep {
  time: number;
  event: string;
  transitions: readonly AnyTransitionDefinition[];
}

export interface EntryRun {
  index: number;
  start: number;
  end?: number;
  result?: CmdResult;
}

export class Session {
  sim!: Simulation;
  /** The script of the current timeline (console commands join it). */
  entries: ScriptEntry[];
  /** How far this timeline has been simulated: the slider's right end. */
  head = 0;
  /** When the script began (the booted machine's hand-over time). */
  start = 0;
  runs: EntryRun[] = [];
  markers: Marker[] = [];
  samples: Sample[] = [];
  /** Set when the shell died (a selftest helper's `die`). */
  died?: string;
  /** Bumped on every change, for the views' subscriptions. */
  version = 0;
  lastFork?: { time: number; dropped: number };
  /**
   * What this timeline recorded up to its head before a seek went back: the future beyond
   * the cursor replays identically, so the timeline can keep drawing it. Dropped on a fork.
   */
  recorded?: { markers: Marker[]; samples: Sample[]; until: number };
  /** The klp core machine's last microstep per top-level region (its first path key). */
  coreSteps = new Map<string, CoreStep>();
  private newInput = new WaitQueue('tty input');
  private classification?: Classification;
  private classifiedAt = -1;
  private listeners = new Set<() => void>();

  constructor(readonly source: SessionSource) {
    this.entries = [...source.script];
    this.boot();
  }

  get now(): number {
    return this.sim.kernel.clock.now;
  }

  subscribe(fn: () => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  private changed(): void {
    this.version++;
    for (const fn of this.listeners) fn();
  }

  private boot(): void {
    this.sim = this.source.build();
    const k = this.sim.kernel;
    this.start = k.clock.now;
    this.runs = [];
    this.markers = [];
    this.samples = [];
    this.died = undefined;
    this.classification = undefined;
    this.classifiedAt = -1;
    this.coreSteps = new Map();
    this.sim.actor.system.inspect((ev) => {
      if (ev.type !== '@xstate.microstep' || ev._transitions.length === 0) return;
      const step = { time: k.clock.now, event: ev.event.type, transitions: ev._transitions };
      for (const t of ev._transitions) this.coreSteps.set(t.source.path[0] ?? '', step);
    });
    const forward = k.hooks.emit;
    k.hooks = { ...k.hooks, emit: (e) => { forward(e); this.observe(e); } };
    const warnsBefore = k.incidents.length;
    this.sample();
    k.startTask(this.sim.shell.slot, this.program(), 0);
    this.seenIncidents = warnsBefore;
  }

  private seenIncidents = 0;

  /** The root shell: each entry in turn (waiting for its time if it has one), then the tty. */
  private *program(): Step<void> {
    const k = this.sim.kernel;
    const shell = this.sim.shell;
    let i = 0;
    for (;;) {
      if (i >= this.entries.length) {
        // Waiting at the prompt: blocked in read() on the terminal until a command arrives.
        yield { kind: 'block', state: Sched.INTERRUPTIBLE, wq: this.newInput, until: () => i < this.entries.length };
        continue;
      }
      const e = this.entries[i];
      if (e.at !== undefined && e.at > k.clock.now) {
        yield { kind: 'sleep', us: e.at - k.clock.now, state: Sched.INTERRUPTIBLE, until: () => e.at === undefined || e.at <= k.clock.now };
        continue;
      }
      const run: EntryRun = { index: i, start: k.clock.now };
      this.runs.push(run);
      this.markers.push({ time: run.start, kind: 'command', label: e.text });
      const parsed = parseLine(e.text, i + 1);
      if (parsed === null) {
        run.end = k.clock.now;
        run.result = { out: [], err: [], status: 0 };
      } else if ('error' in parsed) {
        run.end = k.clock.now;
        run.result = { out: [], err: [parsed.error], status: 2 };
      } else {
        try {
          run.result = yield* shell.run(parsed as ScriptLine);
        } catch (err) {
          if (!(err instanceof ScriptDied)) throw err;
          run.result = { out: [], err: [err.reason], status: err.status };
          this.died = err.reason;
        }
        run.end = k.clock.now;
      }
      i++;
      if (this.died) return;
    }
  }

  private observe(e: KlpEvent): void {
    const time = this.now;
    switch (e.type) {
      case 'klp.start':
        this.markers.push({ time, kind: 'start', label: `${e.target === KLP_TRANSITION_PATCHED ? 'patching' : 'unpatching'} ${e.patch}` });
        break;
      case 'klp.attempt':
        this.markers.push({ time, kind: 'attempt', label: `attempt: ${e.complete ? 'complete' : `${e.pending} tasks pending`}` });
        break;
      case 'klp.signal':
        this.markers.push({ time, kind: 'signal', label: `fake signals, round ${e.round}` });
        break;
      case 'klp.reverse':
        this.markers.push({ time, kind: 'reverse', label: `reversed: ${e.target === KLP_TRANSITION_PATCHED ? 'patching' : 'unpatching'} ${e.patch}` });
        break;
      case 'klp.force':
        this.markers.push({ time, kind: 'force', label: `forced ${e.patch}` });
        break;
      case 'klp.complete':
        this.markers.push({ time, kind: 'complete', label: `${e.target === KLP_TRANSITION_PATCHED ? 'patching' : 'unpatching'} ${e.patch} complete` });
        break;
      default:
        return;
    }
    this.sample();
  }

  private sample(): void {
    this.classification = classifyTasks(this.sim.kernel, this.classification);
    this.classifiedAt = -1;
    this.samples.push({ time: this.now, counts: this.classification.counts.slice() });
  }

  /** Blocker reasons of every task now (cached until time or state moves). */
  classify(): Classification {
    if (this.classification && this.classifiedAt === this.version) return this.classification;
    this.classification = classifyTasks(this.sim.kernel, this.classification);
    this.classifiedAt = this.version;
    return this.classification;
  }

  get inTransition(): boolean {
    return this.sim.kernel.klpTargetState !== KLP_TRANSITION_IDLE;
  }

  private collectIncidents(): void {
    const inc = this.sim.kernel.incidents;
    for (; this.seenIncidents < inc.length; this.seenIncidents++) {
      const w = inc[this.seenIncidents];
      this.markers.push({ time: w.time, kind: 'warn', label: w.text });
    }
  }

  private settle(): void {
    if (this.now > this.head) this.head = this.now;
    this.collectIncidents();
    this.version++;
    for (const fn of this.listeners) fn();
  }

  /** Let virtual time run to `t` (events due by then run). */
  advanceTo(t: number): void {
    if (t <= this.now) return;
    this.sim.kernel.clock.runUntil(t);
    this.settle();
  }

  /** Run the next event (whatever it is); returns false when nothing is scheduled. */
  stepEvent(): boolean {
    const ok = this.sim.kernel.clock.step();
    this.settle();
    return ok;
  }

  /** Time of the next scheduled event (Infinity when none). */
  nextEventTime(): number {
    return this.sim.kernel.clock.nextTime();
  }

  /**
   * Run until the next event worth stopping at (a warning, a completed transition, the
   * end of a command), at most `limit` of virtual time ahead.
   */
  runToInteresting(limit = 600_000_000): Marker | undefined {
    const stop = this.now + limit;
    const from = this.markers.length;
    const k = this.sim.kernel;
    for (;;) {
      const next = k.clock.nextTime();
      if (next > stop) break;
      k.clock.step();
      this.collectIncidents();
      const hit = this.markers.slice(from).find((m) => m.kind === 'warn' || m.kind === 'complete' || m.kind === 'force' || m.kind === 'fork');
      if (hit) {
        this.settle();
        return hit;
      }
    }
    this.advanceTo(stop);
    return undefined;
  }

  /** Move the cursor to `t`: forward runs on, backward replays this timeline from boot. */
  seek(t: number): void {
    const target = Math.max(this.start, t);
    if (target < this.now) {
      if (!this.recorded || this.now >= this.recorded.until) this.recorded = { markers: this.markers, samples: this.samples, until: this.now };
      const head = this.head;
      this.boot();
      this.head = head;
    }
    this.sim.kernel.clock.runUntil(target);
    if (this.now < target) this.sim.kernel.clock.now = target;
    this.settle();
  }

  /**
   * A command typed now. Bad input is rejected before anything changes. In the past (the
   * cursor before the head), the script's future is dropped first: the timeline forks.
   */
  command(text: string): { ok: true; forked: boolean } | { ok: false; error: string } {
    const parsed = parseLine(text, this.entries.length + 1);
    if (parsed === null) return { ok: false, error: 'empty command' };
    if ('error' in parsed) return { ok: false, error: parsed.error.replace(/^line \d+: /, '') };
    const now = this.now;
    let forked = false;
    if (now < this.head) {
      const started = new Set(this.runs.map((r) => r.index));
      const kept = this.entries.filter((_, i) => started.has(i));
      const dropped = this.entries.length - kept.length;
      this.entries.length = 0;
      this.entries.push(...kept);
      this.head = now;
      this.markers = this.markers.filter((m) => m.time <= now);
      this.samples = this.samples.filter((s) => s.time <= now);
      this.markers.push({ time: now, kind: 'fork', label: `timeline forked: ${dropped} later command${dropped === 1 ? '' : 's'} dropped` });
      this.lastFork = { time: now, dropped };
      this.recorded = undefined;
      forked = true;
    }
    this.entries.push({ text, at: now });
    this.sim.kernel.wakeQueue(this.newInput);
    this.settle();
    return { ok: true, forked };
  }

  /** The script of this timeline as text lines (`at <s>:` for typed commands). */
  scriptLines(): string[] {
    return this.entries.map((e) => (e.at === undefined ? e.text : `at ${((e.at - this.start) / 1e6).toFixed(6).replace(/\.?0+$/, '')}s: ${e.text}`));
  }

  /** Notify subscribers (after a change made outside these methods). */
  touch(): void {
    this.changed();
  }
}
