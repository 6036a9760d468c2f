// One simulated machine: the kernel model, the klp core statechart driving its retry work
// on the virtual clock, the booted userspace and the root shell that runs a script.

import { createActor, type Actor } from 'xstate';
import { Kernel, type KernelConfig, type KlpEvent } from '../kernel/kernel';
import type { ModuleDef } from '../kernel/module';
import { formatDmesg, type LogRecord } from '../kernel/printk';
import { SELFTEST_MODULES, SELFTEST_MODULE_DIR } from '../scenario/catalog/selftests';
import { FIELD_MODULES } from '../scenario/catalog/fieldModules';
import { bootIdleMachine } from '../scenario/machine';
import type { CmdResult } from '../scenario/commands/registry';
import type { ScriptLine } from '../scenario/script';
import { ModuleFiles, Shell } from '../scenario/shell';
import { klpCoreMachine } from './klpCoreMachine';
import { ScriptRunner } from './runner';
import type { Workload } from '../kernel/workload';
import { MAX_VIRTUAL_US, RunBudget, RUN_BUDGET, type RunStopped, type RunLimits } from '../kernel/budget';

export interface LineOutcome {
  line: ScriptLine;
  result: CmdResult;
  /** Virtual time when the command finished (µs). */
  time: number;
}

export interface RunOutcome {
  outcomes: LineOutcome[];
  /** Set when a helper died (the selftest's `die`) or skipped. */
  died?: { line: ScriptLine; reason: string; status: number };
  /** Set when the run stopped at the `until` time before the script ended (µs). */
  stoppedAt?: number;
  /** Set when the run budget stopped the run (the message names the budget and what reached it). */
  budget?: RunStopped;
}

/** A livepatch lifecycle event and the virtual time it happened at (µs). */
export interface TimedKlpEvent {
  time: number;
  event: KlpEvent;
}

/** The selftest configuration of conformance/README.md. */
export const SELFTEST_CONFIG: Partial<KernelConfig> = {
  cpus: 4,
  reliableStacktrace: true,
  ftraceEnabled: true,
  dynamicDebug: ['file kernel/livepatch/* +p', 'func klp_try_switch_task -p'],
};

export class Simulation {
  readonly kernel: Kernel;
  readonly actor: Actor<typeof klpCoreMachine>;
  readonly shell: Shell;
  readonly files = new ModuleFiles();
  /** The scenario's task classes, once installed (the views group tasks by them). */
  workload?: Workload;
  /** Every livepatch lifecycle event of the run, in order (for summaries and timelines). */
  readonly klpEvents: TimedKlpEvent[] = [];
  /** The run budget (src/kernel/budget.ts): the same limits in the CLI, the page and the worker. */
  readonly budget: RunBudget;

  constructor(config: Partial<KernelConfig> = SELFTEST_CONFIG, modules: readonly ModuleDef[] = [], limits: Readonly<RunLimits> = RUN_BUDGET) {
    const k = new Kernel(config);
    this.kernel = k;
    this.budget = new RunBudget(k, limits);
    k.clock.budget = this.budget;
    k.log.onRecord((r) => this.budget.log(r.text));
    const clock = k.clock;
    this.actor = createActor(klpCoreMachine, {
      input: { kernel: k },
      clock: {
        setTimeout: (fn: (...args: unknown[]) => void, ms: number) => clock.after(Math.round(ms * 1000), () => fn(), 'klp_transition_work timer').id,
        clearTimeout: (id: unknown) => clock.cancel({ id: id as number }),
      },
    });
    k.events.subscribe((e) => this.klpEvents.push({ time: clock.now, event: e }));
    k.klpCore = { send: (e) => this.actor.send(e) };
    this.actor.start();
    for (const m of SELFTEST_MODULES) this.files.add(`${SELFTEST_MODULE_DIR}/${m.name}.ko`, m);
    for (const m of FIELD_MODULES) this.files.add(`${m.name}.ko`, m);
    // A scenario's own modules: `insmod NAME.ko`, and the selftest helpers (load_lp NAME) find them too.
    for (const m of modules) {
      this.files.add(`${m.name}.ko`, m);
      this.files.add(`${SELFTEST_MODULE_DIR}/${m.name}.ko`, m);
    }
    const booted = bootIdleMachine(k);
    this.shell = new Shell(k, booted.shell, this.files);
  }

  /** The shell's reader of the lines run() gives it, and those lines (a new reader after a `die`). */
  private reader?: { runner: ScriptRunner; lines: { line: ScriptLine; due?: number }[] };

  /**
   * Run script lines on the shell (src/engine/runner.ts reads them, as for the explorer's
   * Session); returns when they have run, a helper dies or the run budget stops the run
   * (`budget`: the message; the log so far stays). A line with an `at` time is typed that
   * long after this call. With `until` (virtual µs since boot) the run stops at that time,
   * lines finished or not, and time passes up to it. `limitUs` shortens the virtual-time
   * budget (tests), never lengthens it. Between calls the shell waits at its prompt.
   */
  run(lines: readonly ScriptLine[], limitUs = MAX_VIRTUAL_US, until?: number): RunOutcome {
    const k = this.kernel;
    const start = k.clock.now;
    this.budget.begin(limitUs);
    const reader = this.reader && !this.reader.runner.died ? this.reader : this.newReader();
    const from = reader.lines.length;
    for (const line of lines) reader.lines.push({ line, due: line.at === undefined ? undefined : start + line.at });
    if (from === 0) reader.runner.start();
    else reader.runner.joined(false);
    const r = reader.runner;
    const outcome = (): RunOutcome => {
      const out: RunOutcome = { outcomes: [] };
      for (const run of r.runs.slice(from)) {
        const { line } = reader.lines[run.index];
        if (r.died?.index === run.index) out.died = { line, reason: r.died.reason, status: r.died.status };
        else if (run.end !== undefined && run.result) out.outcomes.push({ line, result: run.result, time: run.end });
      }
      return out;
    };
    const stopped = (): RunOutcome => ({ ...outcome(), budget: k.clock.stopped ?? undefined });
    while (!r.finished) {
      if (until !== undefined && k.clock.nextTime() > until) {
        k.clock.runUntil(until);
        return k.clock.stopped ? stopped() : { ...outcome(), stoppedAt: until };
      }
      if (!k.clock.step()) {
        // Nothing scheduled and the shell still waiting: it waits until the budget's end.
        if (!k.clock.stopped) k.clock.runUntil(this.budget.endTime + 1);
        return stopped();
      }
    }
    if (until !== undefined && k.clock.now < until) k.clock.runUntil(until);
    return k.clock.stopped ? stopped() : outcome();
  }

  private newReader(): { runner: ScriptRunner; lines: { line: ScriptLine; due?: number }[] } {
    const lines: { line: ScriptLine; due?: number }[] = [];
    const runner = new ScriptRunner(this.kernel, this.shell, {
      count: () => lines.length,
      text: (i) => lines[i].line.text,
      parsed: (i) => lines[i].line,
      due: (i) => lines[i].due,
    });
    this.reader = { runner, lines };
    return this.reader;
  }

  /** Let virtual time pass (events keep running). */
  advance(us: number): void {
    this.kernel.clock.runUntil(this.kernel.clock.now + us);
  }

  get log(): readonly LogRecord[] {
    return this.kernel.log.records;
  }

  dmesg(timestamps = true): string[] {
    return this.kernel.log.records.map((r) => formatDmesg(r, timestamps));
  }
}
