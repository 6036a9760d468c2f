// From a validated scenario to a ready machine (the kernel configuration, the modules insmod
// can find, the workload installed), and to what a Session replays: that machine, booted
// afresh on every replay, and the script parsed once (validation's parse, src/scenario/script.ts).

import { Simulation } from '../engine/simulation';
import { analyseSimulation } from '../analysis/registry';
import type { KernelConfig } from '../kernel/kernel';
import { RUN_BUDGET, type RunLimits } from '../kernel/budget';
import type { ModuleDef } from '../kernel/module';
import { installWorkload } from '../kernel/workload';
import type { Scenario } from './document';
import { toModuleDef } from './moduleDef';
import { SELFTEST_MODULES } from './catalog/selftests';
import { parseScript } from './script';
import type { SessionSource } from '../engine/session';

/** The KernelConfig a scenario's kernel settings and seed describe. */
export function kernelConfigOf(s: Scenario): Partial<KernelConfig> {
  const k = s.kernel;
  return {
    version: k.version,
    cpus: k.cpus.count,
    offlineCpus: [...k.cpus.offline],
    hz: k.hz,
    reliableStacktrace: k.reliableStacktrace,
    ftraceEnabled: k.ftraceEnabled,
    dynamicDebug: [...k.dynamicDebug],
    seed: s.seed,
    walkCheckUsPerTask: k.walk.checkUsPerTask,
    walkDebugPrintUs: k.walk.debugPrintUs,
    watchdogThresh: k.watchdogThresh,
    policy: k.policy,
  };
}

/**
 * The module definitions a scenario lists: its own, and the catalog modules it names (those
 * are always under test_modules/; listed, `insmod NAME.ko` finds them as well).
 */
function moduleDefsOf(s: Scenario): ModuleDef[] {
  return s.modules.map((m) => {
    if (typeof m !== 'string') return toModuleDef(m);
    const def = SELFTEST_MODULES.find((c) => c.name === m);
    if (!def) throw new Error(`scenario lists catalog module '${m}', which the catalog does not have (validate the document first)`);
    return def;
  });
}

/** Boot the scenario's machine, its workload installed (the script is the Session's to run). */
export function buildSimulation(s: Scenario, limits: Readonly<RunLimits> = RUN_BUDGET): Simulation {
  const hasTasks = s.tasks.classes.length > 0 || s.tasks.fixed.length > 0;
  const sim = new Simulation(kernelConfigOf(s), moduleDefsOf(s), limits);
  if (hasTasks) sim.workload = installWorkload(sim.kernel, s.tasks);
  return sim;
}

interface SourceOptions {
  /** Attach the consistency analysis to every machine built (the Consistency view reads it; default true). */
  analysis?: boolean;
  /** The run budget (tests shrink it). */
  limits?: Readonly<RunLimits>;
}

/** What a Session replays (the explorer's, the CLI's): this scenario's machine and its parsed script. */
export function sessionSourceOf(s: Scenario, opts: SourceOptions = {}): SessionSource {
  const parsed = parseScript(s.script);
  if (!parsed.ok) throw new Error(`scenario script does not parse (validate the document first): ${parsed.errors[0]}`);
  const { analysis = true, limits = RUN_BUDGET } = opts;
  return {
    title: s.title,
    build: () => {
      const sim = buildSimulation(s, limits);
      // The Consistency view reads it; it observes from boot on.
      if (analysis) analyseSimulation(sim, s.dependencies);
      return sim;
    },
    script: s.script,
    parsed: parsed.entries,
  };
}
