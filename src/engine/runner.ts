// The root shell reading its script: the one place that steps through script lines. A Session
// (src/engine/session.ts) owns one per replay: the explorer's (on the page and in the worker)
// moves the clock as playback asks, a headless one (the CLI, the conformance runner, the
// chapters' measurements, the bench, through EngineHost.runToEnd) runs it to the end (runOn),
// so a line means the same thing whoever drives the clock.
//
// A line with a time (`at 5s: CMD`, and every line typed in the console, which joins the
// script as `at T: CMD`) is typed at that time: the shell sits in read() on its terminal
// until then and returns to user mode with the line (Shell.waitForInput). When the script is
// used up the shell waits at its prompt, blocked in read(), for a line that joins later.
// A timed line that comes due while the shell still runs the line before it is typed then
// all the same: as an operator would, the terminal gets Ctrl-C first (SIGINT to the
// foreground command, which ends with status 130 and `^C`), then the line runs. So a command
// typed in the console runs at the cursor, now, and runs there again on every replay.

import type { TimerHandle } from '../kernel/clock';
import type { Kernel } from '../kernel/kernel';
import { WaitQueue, type Step } from '../kernel/exec';
import { Sched } from '../kernel/tasks';
import { ScriptDied, type CmdResult } from '../scenario/commands/registry';
import type { ScriptLine } from '../scenario/script';
import type { RunStopped } from '../kernel/budget';
import type { Shell } from '../scenario/shell';

/** A line as the script holds it: parsed, blank or a comment (null), or what was wrong with it. */
export type ParsedEntry = ScriptLine | null | { error: string };

/** Where the shell reads its lines from; lines may join while it runs (the console). */
export interface ScriptFeed {
  /** Lines so far. */
  count(): number;
  /** The line's text, for the command marker. */
  text(i: number): string;
  parsed(i: number): ParsedEntry;
  /** When the line is typed (virtual µs since boot); undefined: as soon as the shell reads it. */
  due(i: number): number | undefined;
}

/** One line's run: when it started and ended, and what it printed. */
export interface EntryRun {
  index: number;
  start: number;
  end?: number;
  result?: CmdResult;
}

export interface LineOutcome {
  line: ScriptLine;
  result: CmdResult;
  /** Virtual time when the command finished (µs). */
  time: number;
}

/** What a headless run (Session.runToEnd) did. */
export interface RunOutcome {
  /** Lines that ran to their end, in order (blank and comment lines left out). */
  outcomes: LineOutcome[];
  /** Set when a helper died (the selftest's `die`) or skipped. */
  died?: { line: ScriptLine; reason: string; status: number };
  /** Set when the run stopped at the `until` time before the script ended (µs). */
  stoppedAt?: number;
  /** Set when the run budget stopped the run (the message names the budget and what reached it). */
  budget?: RunStopped;
}

/** What an interrupted line leaves (bash's status for a command ended by SIGINT: 128 + 2). */
export const INTERRUPTED: CmdResult = { out: [], err: ['^C'], status: 130 };

/**
 * `inner`'s steps, until `interrupted()` holds when the task resumes: then `inner` is
 * abandoned (its cleanups run) and the result is undefined.
 */
function* interruptible<R>(inner: Step<R>, interrupted: () => boolean): Step<R | undefined> {
  let next = inner.next();
  while (!next.done) {
    const woken = yield next.value;
    if (interrupted()) {
      inner.return(undefined as R);
      return undefined;
    }
    next = inner.next(woken);
  }
  return next.value;
}

/** The line the shell runs now, and the Ctrl-C timer armed for the next line's time. */
interface Running {
  index: number;
  timer?: TimerHandle;
  interrupted: boolean;
}

export class ScriptRunner {
  readonly runs: EntryRun[] = [];
  /** Set when a selftest helper died (`die`): the shell stops reading. */
  died?: { index: number; reason: string; status: number };
  /** The terminal the shell reads from once the script is used up. */
  readonly input = new WaitQueue('tty input');
  /** The shell sleeps until a timed line is due (a fork that drops that line must wake it). */
  awaitingTimedLine = false;
  private running?: Running;

  constructor(
    private readonly k: Kernel,
    private readonly shell: Shell,
    private readonly feed: ScriptFeed,
    /** Told as each line starts (the Session marks it on the timeline). */
    private readonly started?: (run: EntryRun, text: string) => void,
    /** The first line this shell reads (a shell started after one died reads on from the lines joined since). */
    private readonly first = 0,
  ) {}

  /** The shell starts reading (its first step runs at the current time). */
  start(): void {
    this.k.startTask(this.shell.slot, this.program(), 0);
  }

  /**
   * Headless: run the clock until every line of the feed has run (or the shell died):
   * 'finished'; or to `until` (virtual µs), time passing up to it: 'until'; or until the run
   * budget stops the clock: 'stopped'. With nothing left scheduled and the shell still
   * waiting, it waits until `endTime` (the budget's end), where the budget stops it.
   */
  runOn(until: number | undefined, endTime: number): 'finished' | 'until' | 'stopped' {
    const clock = this.k.clock;
    while (!this.finished) {
      if (until !== undefined && clock.nextTime() > until) {
        clock.runUntil(until);
        return clock.stopped ? 'stopped' : 'until';
      }
      if (!clock.step()) {
        if (!clock.stopped) clock.runUntil(endTime + 1);
        return 'stopped';
      }
    }
    if (until !== undefined && clock.now < until) clock.runUntil(until);
    return clock.stopped ? 'stopped' : 'finished';
  }

  /** Every line of the feed has run to its end, or the shell died. */
  get finished(): boolean {
    if (this.died) return true;
    const runs = this.runs;
    return runs.length === this.feed.count() - this.first && (runs.length === 0 || runs[runs.length - 1].end !== undefined);
  }

  /**
   * Lines joined the feed: wake the shell at its prompt. `replaced`: the line it was sleeping
   * until is no longer next (a fork dropped it, or a typed line went before it): wake it too.
   */
  joined(replaced: boolean): void {
    this.arm();
    this.k.wakeQueue(this.input);
    if (replaced && this.awaitingTimedLine) this.k.wakeInterruptible(this.shell.slot);
  }

  /** (Re)arm the Ctrl-C for the running line: at the next line's time, if it has one. */
  private arm(): void {
    const cur = this.running;
    if (!cur) return;
    const clock = this.k.clock;
    clock.cancel(cur.timer);
    cur.timer = undefined;
    const next = cur.index + 1;
    const due = next < this.feed.count() ? this.feed.due(next) : undefined;
    if (due === undefined) return;
    cur.timer = clock.at(due, () => {
      cur.timer = undefined;
      if (this.running !== cur) return;
      cur.interrupted = true;
      this.shell.interruptForeground();
    }, 'tty ^C');
  }

  private *program(): Step<void> {
    const { k, shell, feed } = this;
    for (let i = this.first; ; ) {
      if (i >= feed.count()) {
        // At the prompt: blocked in read() on the terminal until a line arrives.
        yield { kind: 'block', state: Sched.INTERRUPTIBLE, wq: this.input, until: () => i < feed.count() };
        continue;
      }
      const parsed = feed.parsed(i);
      const due = feed.due(i);
      if (due !== undefined) {
        const still = () => i < feed.count() && feed.parsed(i) === parsed;
        this.awaitingTimedLine = k.clock.now < due;
        yield* shell.waitForInput(due, still);
        this.awaitingTimedLine = false;
        if (!still()) continue;
      }
      const run: EntryRun = { index: i, start: k.clock.now };
      this.runs.push(run);
      this.started?.(run, feed.text(i));
      if (parsed === null) run.result = { out: [], err: [], status: 0 };
      else if ('error' in parsed) run.result = { out: [], err: [parsed.error], status: 2 };
      else {
        const cur: Running = { index: i, interrupted: false };
        this.running = cur;
        this.arm();
        try {
          const r = yield* interruptible(shell.run(parsed), () => cur.interrupted);
          if (r === undefined) shell.lastStatus = INTERRUPTED.status;
          run.result = r ?? INTERRUPTED;
        } catch (err) {
          if (!(err instanceof ScriptDied)) throw err;
          run.result = { out: [], err: [err.reason], status: err.status };
          this.died = { index: i, reason: err.reason, status: err.status };
        } finally {
          k.clock.cancel(cur.timer);
          this.running = undefined;
        }
      }
      run.end = k.clock.now;
      i++;
      if (this.died) return;
    }
  }
}
