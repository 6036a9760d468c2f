// The root shell reading its script: the one place that steps through script lines. The CLI,
// the conformance runner and the bench (through Simulation.run) and the explorer's Session
// (on the page and in the worker) all run their lines here, so a line means the same thing
// whoever drives the clock.
//
// A line with a time (`at 5s: CMD`, and every line typed in the console, which joins the
// script as `at T: CMD`) is typed at that time: the shell sits in read() on its terminal
// until then and returns to user mode with the line (Shell.waitForInput). When the script is
// used up the shell waits at its prompt, blocked in read(), for a line that joins later.

import type { Kernel } from '../kernel/kernel';
import { WaitQueue, type Step } from '../kernel/exec';
import { Sched } from '../kernel/tasks';
import { ScriptDied, type CmdResult } from '../scenario/commands/registry';
import type { ScriptLine } from '../scenario/script';
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

export class ScriptRunner {
  readonly runs: EntryRun[] = [];
  /** Set when a selftest helper died (`die`): the shell stops reading. */
  died?: { index: number; reason: string; status: number };
  /** The terminal the shell reads from once the script is used up. */
  readonly input = new WaitQueue('tty input');
  /** The shell sleeps until a timed line is due (a fork that drops that line must wake it). */
  awaitingTimedLine = false;

  constructor(
    private readonly k: Kernel,
    private readonly shell: Shell,
    private readonly feed: ScriptFeed,
    /** Told as each line starts (the Session marks it on the timeline). */
    private readonly started?: (run: EntryRun, text: string) => void,
  ) {}

  /** The shell starts reading (its first step runs at the current time). */
  start(): void {
    this.k.startTask(this.shell.slot, this.program(), 0);
  }

  /** Every line of the feed has run to its end, or the shell died. */
  get finished(): boolean {
    if (this.died) return true;
    const runs = this.runs;
    return runs.length === this.feed.count() && (runs.length === 0 || runs[runs.length - 1].end !== undefined);
  }

  /**
   * Lines joined the feed: wake the shell at its prompt. `replaced`: the line it was sleeping
   * until is no longer next (a fork dropped it, or a typed line went before it): wake it too.
   */
  joined(replaced: boolean): void {
    this.k.wakeQueue(this.input);
    if (replaced && this.awaitingTimedLine) this.k.wakeInterruptible(this.shell.slot);
  }

  private *program(): Step<void> {
    const { k, shell, feed } = this;
    for (let i = 0; ; ) {
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
        try {
          run.result = yield* shell.run(parsed);
        } catch (err) {
          if (!(err instanceof ScriptDied)) throw err;
          run.result = { out: [], err: [err.reason], status: err.status };
          this.died = { index: i, reason: err.reason, status: err.status };
        }
      }
      run.end = k.clock.now;
      i++;
      if (this.died) return;
    }
  }
}
