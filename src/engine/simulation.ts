// One simulated machine: the kernel model, the klp core statechart driving its retry work
// on the virtual clock, the booted userspace and the root shell, with the modules insmod
// finds. It does not read a script: a Session (src/engine/session.ts, behind EngineHost)
// does, for the page, the worker, the CLI, the conformance runner and the bench alike.

import { createActor, type Actor } from 'xstate';
import { Kernel, type KernelConfig, type KlpEvent } from '../kernel/kernel';
import type { ModuleDef } from '../kernel/module';
import { formatDmesg, type LogRecord } from '../kernel/printk';
import { SELFTEST_MODULES, SELFTEST_MODULE_DIR } from '../scenario/catalog/selftests';
import { FIELD_MODULES } from '../scenario/catalog/fieldModules';
import { bootIdleMachine } from '../scenario/machine';
import { ModuleFiles, Shell } from '../scenario/shell';
import { klpCoreMachine } from './klpCoreMachine';
import type { Workload } from '../kernel/workload';
import { RunBudget, RUN_BUDGET, type RunLimits } from '../kernel/budget';

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
