// A replayable run of a scenario, for the explorer: the script runs on the simulated root
// shell, time moves only when asked (advance, step, seek), commands typed in the console join
// the script at the cursor time, and acting in the past forks the future (RaftScope's
// semantics). Everything the views draw over time (pending counts by reason, markers) is
// recorded here as the run goes, when the host asks for it (`record`, the page's hosts).
// The same Session runs a script headless, to its end (runToEnd): the CLI, the conformance
// runner, the chapters' measurements and the bench drive it there, through EngineHost; the
// script is read by the one ScriptRunner (runner.ts) in every case.
//
// Why seek replays from boot instead of restoring a checkpoint: the model's code paths are
// generator coroutines, which cannot be copied, and the model is deterministic, so running
// the same script again to time t gives exactly the state of the first run at t.

import { MAX_VIRTUAL_US } from '../kernel/budget';
import type { LogRecord } from '../kernel/printk';
import { KLP_TRANSITION_IDLE } from '../kernel/constants';
import { formatScriptTime, parseLine, parseScript, type ScriptLine } from '../scenario/script';
import { RunState, type Marker, type Sample } from './recording';
import { classifyTasks, type Classification } from './blockers';
import type { Simulation } from './simulation';
import { MAX_SCRIPT_LINE_CHARS, MAX_SCRIPT_LINES } from '../scenario/document';
import type { CoreStep } from './inspect';
import { ScriptRunner, type EntryRun, type ParsedEntry, type RunOutcome, type ScriptFeed } from './runner';

export type { CoreStep } from './inspect';
export type { Marker, MarkerKind, Sample } from './recording';

export interface SessionSource {
  title: string;
  /** A fresh, booted simulation of the scenario (same every call). */
  build(): Simulation;
  /** Script lines; `at 5s: CMD` runs CMD that long after the script starts. */
  script: readonly string[];
  /**
   * The script as validation parsed it, one entry per line (sessionSourceOf, caseSource), so
   * that it is not parsed again; absent, the Session parses `script`.
   */
  parsed?: readonly ParsedEntry[];
}

interface SessionOptions {
  /**
   * Record what the views draw over time (markers, pending counts by blocker reason at every
   * livepatch event, the klp core machine's microsteps): the page's hosts do (the default);
   * a headless run to the end (the CLI) does not, the counts cost a pass over every task.
   */
  record?: boolean;
}

/** What a headless run is asked (Session.runToEnd). */
export interface HeadlessRun {
  /** Lines that join the script first; a line's `at` counts from the call. */
  lines?: readonly ScriptLine[];
  /** Stop there (virtual µs since boot), lines finished or not. */
  until?: number;
  /** Shorter virtual time for the run budget (tests). */
  limitUs?: number;
}

/** Events one `next` may run at most (a budget: the clock may hold timers forever). */
const MAX_STOP_EVENTS = 5_000_000;

export class Session {
  /** The script of the current timeline (console commands join it as `at T: CMD`). */
  entries: string[];
  /** How far this timeline has been simulated: the slider's right end. */
  head = 0;
  /** When the script began (the booted machine's hand-over time). */
  start = 0;
  /** Bumped on every change, for the views' subscriptions. */
  version = 0;
  lastFork?: { time: number; dropped: number };
  /** A seek in progress (see seek()): the time it goes to. */
  seekTarget: number | null = null;
  private cur: RunState;
  /** A replay being built for a backward seek; the views keep showing `cur` meanwhile. */
  private replay?: RunState;
  /**
   * What this timeline recorded up to its head before a seek went back: the future beyond
   * the cursor replays identically, so the timeline can keep drawing it (its markers, its
   * samples, and its kernel log, where the warning markers are read). Dropped on a fork.
   */
  recorded?: { markers: readonly Marker[]; samples: readonly Sample[]; log: readonly LogRecord[]; until: number };
  private listeners = new Set<() => void>();

  /** Each entry parsed once, when it joined the timeline (null: blank or comment). */
  private parsed: ParsedEntry[];
  /** The script as the shell reads it (every replay reads the same one). */
  private readonly feed: ScriptFeed = {
    count: () => this.entries.length,
    text: (i) => this.entries[i],
    parsed: (i) => this.parsed[i],
    due: (i) => {
      const p = this.parsed[i];
      return p !== null && !('error' in p) && p.at !== undefined ? this.start + p.at : undefined;
    },
  };

  private readonly record: boolean;

  constructor(
    readonly source: SessionSource,
    opts: SessionOptions = {},
  ) {
    this.record = opts.record ?? true;
    this.entries = [...source.script];
    this.parsed = source.parsed ? [...source.parsed] : parsedEntries(source.script);
    this.cur = this.boot();
    this.start = this.cur.sim.kernel.clock.now;
    this.head = this.start;
  }

  get sim(): Simulation {
    return this.cur.sim;
  }
  get runs(): readonly EntryRun[] {
    return this.cur.runner.runs;
  }
  get markers(): readonly Marker[] {
    return this.cur.markers;
  }
  get samples(): readonly Sample[] {
    return this.cur.samples;
  }
  get coreSteps(): ReadonlyMap<string, CoreStep> {
    return this.cur.coreSteps;
  }
  /** Set when the shell died (a selftest helper's `die`). */
  get died(): string | undefined {
    return this.cur.runner.died?.reason;
  }

  get now(): number {
    return this.cur.sim.kernel.clock.now;
  }

  /** Set when the run budget stopped this timeline (src/kernel/budget.ts): the message. */
  get stopped(): string | undefined {
    return this.cur.sim.kernel.clock.stopped?.message;
  }

  subscribe(fn: () => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  private boot(): RunState {
    const run = new RunState(this.source.build());
    // The script starts now: the run budget (virtual time, spawned tasks) counts from here.
    run.sim.budget.begin();
    if (this.record) run.record();
    run.runner = this.reader(run);
    run.runner.start();
    return run;
  }

  /** The root shell reading this timeline's script on `run`'s machine, from line `first` on. */
  private reader(run: RunState, first = 0): ScriptRunner {
    return new ScriptRunner(run.sim.kernel, run.sim.shell, this.feed, this.record ? (entry, text) => run.commandStarted(entry, text) : undefined, first);
  }

  /** Blocker reasons of every task now (cached until time or state moves). */
  classify(): Classification {
    const r = this.cur;
    if (r.classification && r.classifiedAt === this.version) return r.classification;
    r.classification = classifyTasks(r.sim.kernel, r.classification);
    r.classifiedAt = this.version;
    return r.classification;
  }

  get inTransition(): boolean {
    return this.sim.kernel.klpTargetState !== KLP_TRANSITION_IDLE;
  }

  private settle(): void {
    if (this.now > this.head) this.head = this.now;
    this.cur.collectIncidents();
    this.changed();
  }

  private changed(): void {
    this.version++;
    for (const fn of this.listeners) fn();
  }

  /**
   * Run `r`'s events due by `t`, asking `shouldYield` every few events: the page stops early
   * to keep its frame rate, at the last event's time; the same events run in the same order
   * when it resumes. Returns whether `t` was reached.
   */
  private runSliced(r: RunState, t: number, shouldYield?: () => boolean): boolean {
    const clock = r.sim.kernel.clock;
    if (shouldYield) {
      for (let n = 1; clock.nextTime() <= t; n++) {
        clock.step();
        if ((n & 15) === 0 && shouldYield()) {
          r.collectIncidents();
          return false;
        }
      }
    }
    clock.runUntil(t);
    r.collectIncidents();
    return true;
  }

  /** Let virtual time run to `t` (see runSliced for `shouldYield`). */
  advanceTo(t: number, shouldYield?: () => boolean): boolean {
    if (t <= this.now) return true;
    const reached = this.runSliced(this.cur, t, shouldYield);
    this.settle();
    return reached;
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
   * Run until the next event worth stopping at (a warning, a completed transition, a force,
   * a fork), at most `limit` of virtual time ahead.
   */
  runToInteresting(limit = 600_000_000): Marker | undefined {
    return this.runToMarker((m) => m.kind === 'warn' || m.kind === 'complete' || m.kind === 'force' || m.kind === 'fork', limit);
  }

  /**
   * Run until a new marker that `wanted` accepts (any marker by default), and on through the
   * rest of that instant, so a burst at one time is one stop. Stops at the last event instead
   * of running idle: once the script is done and no transition is in progress nothing more
   * is coming, so it stays where that happened (returns undefined). At most `limit` of virtual
   * time and MAX_STOP_EVENTS events ahead.
   */
  runToMarker(wanted: (m: Marker) => boolean = () => true, limit = 600_000_000): Marker | undefined {
    const stop = this.now + limit;
    const r = this.cur;
    const from = r.markers.length;
    const k = r.sim.kernel;
    for (let i = 0; i < MAX_STOP_EVENTS && k.clock.nextTime() <= stop; i++) {
      if (this.settledForGood()) break;
      k.clock.step();
      r.collectIncidents();
      const hit = r.markers.slice(from).find(wanted);
      if (hit) {
        // The rest of the burst: every event at the same instant.
        for (let j = 0; j < MAX_STOP_EVENTS && k.clock.nextTime() === hit.time; j++) {
          k.clock.step();
          r.collectIncidents();
        }
        this.settle();
        return hit;
      }
    }
    this.settle();
    return undefined;
  }

  /**
   * Headless: run the script to its end, as the shell reads it (every line run, or a helper
   * died, or the run budget stopped it: the log so far stays), or to `until` (virtual µs since
   * boot: the run stops there, lines finished or not, and time passes up to it). `lines` join
   * the script first, typed that long after now (a line's `at` counts from this call); between
   * calls the shell waits at its prompt (or, when a helper's `die` ended it, a new shell reads
   * the joined lines). The run budget counts from this call; `limitUs`
   * shortens its virtual time (tests), never lengthens it. The outcome covers the lines that
   * started during this call.
   */
  runToEnd(opts: HeadlessRun = {}): RunOutcome {
    if (this.seekTarget !== null) throw new Error('a headless run needs the cursor at rest (a seek is in progress)');
    const r = this.cur;
    const clock = r.sim.kernel.clock;
    const { lines = [], until } = opts;
    r.sim.budget.begin(opts.limitUs ?? MAX_VIRTUAL_US);
    const first = this.entries.length;
    const offset = this.now - this.start;
    for (const line of lines) {
      this.entries.push(line.text);
      this.parsed.push(line.at === undefined ? line : { ...line, at: offset + line.at });
    }
    let from = r.runner.runs.length;
    if (r.runner.died && lines.length) {
      // The shell died (a helper's `die`): a new one reads the lines joined now, as when the script is run again.
      r.runner = this.reader(r, first);
      r.runner.start();
      from = 0;
    } else if (lines.length) r.runner.joined(false);
    const runner = r.runner;
    const end = runner.runOn(until, r.sim.budget.endTime);
    const out: RunOutcome = { outcomes: [] };
    for (const run of runner.runs.slice(from)) {
      const p = this.parsed[run.index];
      if (p === null) continue;
      const line = 'error' in p ? { line: run.index + 1, text: this.entries[run.index], commands: [] } : p;
      if (runner.died?.index === run.index) out.died = { line, reason: runner.died.reason, status: runner.died.status };
      else if (run.end !== undefined && run.result) out.outcomes.push({ line, result: run.result, time: run.end });
    }
    if (clock.stopped) out.budget = clock.stopped;
    else if (end === 'until') out.stoppedAt = until;
    this.settle();
    return out;
  }

  /** Nothing more will happen by itself: every script line has run and no transition is in progress. */
  private settledForGood(): boolean {
    if (this.inTransition) return false;
    const r = this.cur.runner;
    return r.runs.length === this.entries.length && r.finished;
  }

  /**
   * Move the cursor to `t`: forward runs on; backward replays this timeline from boot into
   * a new machine while the views keep showing the current one. With `shouldYield` the seek
   * may stop early (returns false; seekTarget stays set): continueSeek() carries on.
   */
  seek(t: number, shouldYield?: () => boolean): boolean {
    const target = Math.max(this.start, t);
    if (target < this.now) {
      if (!this.recorded || this.now >= this.recorded.until) this.recorded = { markers: this.markers, samples: this.samples, log: this.sim.kernel.log.records, until: this.now };
      this.replay = this.boot();
    } else this.replay = undefined;
    this.seekTarget = target;
    return this.continueSeek(shouldYield);
  }

  /**
   * Stop a seek where it is: a forward seek leaves the cursor where it got to, a backward
   * one drops its replay (the views keep showing the timeline as it was). Nothing is lost.
   */
  cancelSeek(): void {
    if (this.seekTarget === null) return;
    this.seekTarget = null;
    this.replay = undefined;
    this.settle();
  }

  continueSeek(shouldYield?: () => boolean): boolean {
    const target = this.seekTarget;
    if (target === null) return true;
    const r = this.replay ?? this.cur;
    if (!this.runSliced(r, target, shouldYield)) {
      if (this.replay) this.changed();
      else this.settle();
      return false;
    }
    if (this.replay) {
      this.cur = this.replay;
      this.replay = undefined;
    }
    this.seekTarget = null;
    this.settle();
    return true;
  }

  /** How far a seek has got (0..1), for a progress bar; 1 when none is running. */
  get seekProgress(): number {
    if (this.seekTarget === null) return 1;
    const r = this.replay ?? this.cur;
    const from = this.replay ? this.start : this.now;
    return Math.min(1, (r.sim.kernel.clock.now - from) / Math.max(1, this.seekTarget - from));
  }

  /** The timeline ends at `now`: what was simulated or recorded beyond it no longer holds. */
  private truncateFuture(now: number): void {
    this.head = now;
    this.cur.markers = this.cur.markers.filter((m) => m.time <= now);
    this.cur.samples = this.cur.samples.filter((x) => x.time <= now);
    this.recorded = undefined;
  }

  /**
   * A command typed now, at the cursor. Bad input is rejected before anything changes. Script
   * lines not yet started at the cursor (in the past, or at the head) are dropped: the timeline
   * forks, with its notice; unless `keepScript`, when the typed line runs first and they
   * follow it (in the past, the simulated future beyond the cursor is let go: it no longer
   * holds). In the past with nothing ahead, the future is dropped as a fork too. A script line still running at the cursor (a `sleep 16`) gets Ctrl-C
   * at the typed line's time (ScriptRunner), so the typed line never waits behind it.
   */
  command(text: string, opts: { keepScript?: boolean } = {}): { ok: true; forked: boolean; index: number } | { ok: false; error: string } {
    if (this.seekTarget !== null) return { ok: false, error: 'the timeline is still being replayed; try again when the cursor arrives' };
    // What a document accepts (document.ts), so that the saved copy always opens again.
    if (text.length > MAX_SCRIPT_LINE_CHARS) return { ok: false, error: `a command is at most ${MAX_SCRIPT_LINE_CHARS} characters, as a script line of a scenario (this one has ${text.length}); nothing was run` };
    if (this.entries.length >= MAX_SCRIPT_LINES) return { ok: false, error: `the script has ${MAX_SCRIPT_LINES.toLocaleString('en-US')} lines, the most a scenario holds; export the scenario and start from it (Export scenario)` };
    const parsed = parseLine(text, this.entries.length + 1);
    if (parsed === null) return { ok: false, error: 'empty command' };
    if ('error' in parsed) return { ok: false, error: parsed.error.replace(/^line \d+: /, '') };
    if (parsed.at !== undefined) return { ok: false, error: "a typed command runs now: leave out 'at TIME:' (seek to the time first)" };
    const now = this.now;
    const r = this.cur;
    const started = new Set(r.runner.runs.map((x) => x.index));
    const ahead = this.entries.length - started.size;
    const entry = `at ${formatScriptTime(now - this.start)}: ${text.trim()}`;
    if (ahead > 0 && opts.keepScript) {
      // In the past, the recorded future no longer holds (the typed line changes it): the
      // timeline ends here and the script's lines run on from the cursor, none dropped.
      if (now < this.head) this.truncateFuture(now);
      // Before the first line not yet started: the shell runs entries in order.
      let at = 0;
      while (started.has(at)) at++;
      this.entries.splice(at, 0, entry);
      this.parsed.splice(at, 0, { ...parsed, line: at + 1, text: entry, at: now - this.start });
      // The shell may be sleeping until the line that was there is due: read the typed one now.
      r.runner.joined(true);
      this.settle();
      return { ok: true, forked: false, index: at };
    }
    let forked = false;
    if (now < this.head || ahead > 0) {
      const kept = this.entries.filter((_, i) => started.has(i));
      const dropped = this.entries.length - kept.length;
      this.entries.length = 0;
      this.entries.push(...kept);
      this.parsed = this.parsed.filter((_, i) => started.has(i));
      this.truncateFuture(now);
      r.markers.push({ time: now, kind: 'fork', label: `timeline forked: ${dropped} later command${dropped === 1 ? '' : 's'} dropped` });
      this.lastFork = { time: now, dropped };
      forked = true;
    }
    this.parsed.push({ ...parsed, line: this.entries.length + 1, text: entry, at: now - this.start });
    this.entries.push(entry);
    // If forked, the line it was waiting for went with the dropped future: read the typed one now.
    r.runner.joined(forked);
    this.settle();
    return { ok: true, forked, index: this.entries.length - 1 };
  }

}

/** A script's entries: parsed whole, or line by line when it has errors (the console shows them). */
function parsedEntries(script: readonly string[]): ParsedEntry[] {
  const p = parseScript(script);
  return p.ok ? [...p.entries] : script.map((t, i) => parseLine(t, i + 1));
}
