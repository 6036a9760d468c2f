// What the state-space search needs to know about a scenario, read once from its document:
// the livepatch modules and what they patch, the target modules' functions as code the
// search can step through, the kthreads that run them (the tasks the search moves one step
// at a time), and the script as a list of livepatch operations. Everything else the machine
// runs (init, kthreadd, the shell, the task classes, fixed tasks) never runs a function a
// livepatch changes, so for the search it is one group of background tasks that any attempt
// switches. A scenario outside what the search models is refused with a message that says
// what, before anything is explored.

import { kernelFeatures } from '../kernel/version';
import { Sched } from '../kernel/tasks';
import type { Scenario } from '../scenario/document';
import type { CustomModuleSpec, FunctionSpec } from '../scenario/moduleSpec';
import { parseScript, type ScriptLine } from '../scenario/script';
import type { DependencySpec } from '../scenario/policySpec';
import type { PolicyName } from '../kernel/policy/types';
import { policyByName } from '../kernel/policy';

/** The largest configuration the search takes (issue 9 §2: about 4 patches, 4 functions, 4 tasks). */
export const SEARCH_LIMITS = { patches: 4, functions: 4, tasks: 4 } as const;

/** One function body the search can run: steps it understands. */
type CodeStep = { call: number } | { sleep: number } | { nothing: true };

interface Code {
  /** "module:function" */
  name: string;
  module: string;
  fn: string;
  loop: boolean;
  steps: CodeStep[];
  /** The patched function (index in SearchSpec.functions) when this is the original code of one. */
  patchedFn: number;
}

export interface PatchSpec {
  name: string;
  /** Index of this livepatch among SearchSpec.patches (bit position in masks). */
  index: number;
  replace: boolean;
  replaceable: boolean;
  replaceSet: number;
  states: { id: number; version: number }[];
  /** Per patched function (SearchSpec.functions index): the code of its new function, or -1. */
  newCode: number[];
}

interface FunctionInfo {
  /** The function's name (universe keys use it, as the analysis does). */
  name: string;
  module: string;
  /** Code index of the original function. */
  code: number;
}

interface TaskSpec {
  comm: string;
  module: string;
  /** Code index of the kthread's function. */
  fn: number;
}

/** One script line as a livepatch operation of the search. */
type Op =
  /** `expectFail`: load_failing_mod, whose script dies when the load succeeds and goes on when it fails. */
  | { kind: 'load'; module: string; wait: boolean; helper: boolean; expectFail?: boolean }
  | { kind: 'disable'; patch: string; wait: boolean; helper: boolean }
  | { kind: 'force'; patch: string }
  | { kind: 'unload'; module: string; helper: boolean }
  /** wait_sysfs /sys/kernel/livepatch/P/transition 0: wait until no transition is in progress. */
  | { kind: 'wait' }
  | { kind: 'nothing' };

interface ScriptOp {
  op: Op;
  line: ScriptLine;
}

export interface SearchSpec {
  policy: PolicyName;
  /** The kernel profile has the v6.16+ __schedule() hook for freezable sleeps. */
  freezableHook: boolean;
  /** More than one CPU online: an attempt finds the idle task of an idle CPU running (see State.idlePs). */
  idleRuns: boolean;
  codes: Code[];
  functions: FunctionInfo[];
  patches: PatchSpec[];
  /** Target modules by name, with the tasks each starts (indices into tasks). */
  targets: Map<string, number[]>;
  tasks: TaskSpec[];
  script: ScriptOp[];
  dependencies: DependencySpec[];
}

export class SearchRefused extends Error {}

const SCHED_OF = { interruptible: Sched.INTERRUPTIBLE, uninterruptible: Sched.UNINTERRUPTIBLE, freezable: Sched.FREEZABLE, 'uninterruptible-freezable': Sched.FREEZABLE_UNINTERRUPTIBLE } as const;
const TRANSITION = /^\/sys\/kernel\/livepatch\/[^/]+\/transition$/;
/** Where a command that only reads may write its output. */
const HARMLESS = new Set(['/dev/kmsg', '/dev/null']);
const SYSFS = /^\/sys\/kernel\/livepatch\/([^/]+)\/(enabled|force)$/;
/** Commands that only read: they change nothing the search looks at. */
const READ_ONLY = new Set(['cat', 'ls', 'dmesg', 'ps', 'grep', 'head', 'tail', 'wc', 'kpatch', 'klp', 'lsmod', 'pwd', 'help', 'sleep', 'log', 'check_sysfs_value', 'check_sysfs_rights', 'assert_count', 'assert_output', 'assert_output_not', 'echo']);

/** The search's reading of a scenario, or SearchRefused naming what it does not model. */
export function searchSpecOf(s: Scenario): SearchSpec {
  if (!s.kernel.reliableStacktrace) throw new SearchRefused('search: the machine has no reliable stack traces (kernel.reliableStacktrace false): attempts never switch a task there, which the search does not model');
  const custom = new Map<string, CustomModuleSpec>();
  for (const m of s.modules) {
    if (typeof m === 'string') continue;
    custom.set(m.name, m);
  }
  const script = parseScript(s.script);
  if (!script.ok) throw new SearchRefused(`search: ${script.errors[0]}`);
  const ops: ScriptOp[] = script.lines.map((line) => ({ line, op: opOf(line, custom) }));
  // The modules the script loads: only those take part.
  const used = new Set<string>();
  for (const { op } of ops) if (op.kind === 'load') used.add(op.module);
  const livepatches = [...used].map((n) => custom.get(n) as CustomModuleSpec).filter((m) => m.livepatch);
  const targetMods = [...used].map((n) => custom.get(n) as CustomModuleSpec).filter((m) => !m.livepatch);
  if (livepatches.length > SEARCH_LIMITS.patches) throw new SearchRefused(`search: too big to search: the script loads ${livepatches.length} livepatch modules, the search takes at most ${SEARCH_LIMITS.patches}`);

  const codes: Code[] = [];
  const codeIndex = new Map<string, number>();
  const addCodes = (m: CustomModuleSpec) => {
    for (const f of m.functions) {
      codeIndex.set(`${m.name}:${f.name}`, codes.length);
      codes.push({ name: `${m.name}:${f.name}`, module: m.name, fn: f.name, loop: f.loop, steps: [], patchedFn: -1 });
    }
  };
  for (const m of [...targetMods, ...livepatches]) addCodes(m);

  // The functions the livepatches change, in order of first mention.
  const functions: FunctionInfo[] = [];
  const fnIndex = new Map<string, number>();
  for (const lp of livepatches) {
    for (const obj of lp.objects) {
      if (obj.name === 'vmlinux' || !custom.has(obj.name) || !used.has(obj.name)) {
        throw new SearchRefused(`search: livepatch '${lp.name}' patches '${obj.name}', a module the script does not load from the scenario's own modules (the search models patches of scenario modules only, not of vmlinux or catalog modules)`);
      }
      for (const f of obj.funcs) {
        const key = `${obj.name}:${f.oldName}`;
        if (fnIndex.has(key)) continue;
        const code = codeIndex.get(key);
        if (code === undefined) throw new SearchRefused(`search: livepatch '${lp.name}' patches '${f.oldName}', which module '${obj.name}' does not define`);
        fnIndex.set(key, functions.length);
        codes[code].patchedFn = functions.length;
        functions.push({ name: f.oldName, module: obj.name, code });
      }
    }
  }
  if (functions.length > SEARCH_LIMITS.functions) throw new SearchRefused(`search: too big to search: the livepatches change ${functions.length} functions, the search takes at most ${SEARCH_LIMITS.functions}`);

  const policy = policyByName(s.kernel.policy);
  const patches: PatchSpec[] = livepatches.map((lp, index) => {
    const newCode = functions.map(() => -1);
    for (const obj of lp.objects) for (const f of obj.funcs) newCode[fnIndex.get(`${obj.name}:${f.oldName}`) as number] = codeIndex.get(`${lp.name}:${f.newFunc}`) as number;
    return { name: lp.name, index, replace: policy.replaceFlag(lp.replace), replaceable: lp.replaceable ?? true, replaceSet: lp.replaceSet ?? 0, states: lp.states, newCode };
  });

  // Bodies, now that every code has its index.
  for (const m of [...targetMods, ...livepatches]) {
    const own = new Set(m.functions.map((f) => f.name));
    for (const f of m.functions) codes[codeIndex.get(`${m.name}:${f.name}`) as number].steps = stepsOf(m, f, own, codeIndex);
  }

  const tasks: TaskSpec[] = [];
  const targets = new Map<string, number[]>();
  for (const m of targetMods) {
    if (m.work.length) throw new SearchRefused(`search: module '${m.name}' queues work items; the search models kthreads only`);
    const ids: number[] = [];
    for (const kt of m.kthreads) {
      ids.push(tasks.length);
      tasks.push({ comm: kt.comm, module: m.name, fn: codeIndex.get(`${m.name}:${kt.fn}`) as number });
    }
    targets.set(m.name, ids);
  }
  if (tasks.length > SEARCH_LIMITS.tasks) throw new SearchRefused(`search: too big to search: the modules start ${tasks.length} kthreads, the search takes at most ${SEARCH_LIMITS.tasks}`);
  return {
    policy: s.kernel.policy,
    freezableHook: kernelFeatures(s.kernel.version).schedHook === 'freezable_schedule',
    idleRuns: s.kernel.cpus.count - s.kernel.cpus.offline.length > 1,
    codes,
    functions,
    patches,
    targets,
    tasks,
    script: ops,
    dependencies: s.dependencies,
  };
}

function stepsOf(m: CustomModuleSpec, f: FunctionSpec, own: ReadonlySet<string>, codeIndex: Map<string, number>): CodeStep[] {
  return f.body.map((step): CodeStep => {
    if ('print' in step || 'show' in step) return { nothing: true };
    if ('sleep' in step) return { sleep: SCHED_OF[step.sleep.sched] };
    if ('run' in step) throw new SearchRefused(`search: ${m.name}:${f.name} has a "run" step (on the CPU for a while); the search models tasks that sleep between steps`);
    if (step.call.startsWith('vmlinux:') || !own.has(step.call)) throw new SearchRefused(`search: ${m.name}:${f.name} calls '${step.call}' in vmlinux; the search models calls between the scenario's own functions`);
    return { call: codeIndex.get(`${m.name}:${step.call}`) as number };
  });
}

/** A script line as the operation it is, or SearchRefused. */
function opOf(line: ScriptLine, custom: ReadonlyMap<string, CustomModuleSpec>): Op {
  const where = `script line ${line.line} (${line.text})`;
  if (line.commands.length !== 1) {
    if (line.commands.every((c) => READ_ONLY.has(c.words[0]) && (!c.redirect || HARMLESS.has(c.redirect.path)))) return { kind: 'nothing' };
    throw new SearchRefused(`search: ${where}: a pipeline the search does not model`);
  }
  const c = line.commands[0];
  const [cmd, ...args] = c.words;
  const module = (name: string) => {
    if (!custom.has(name)) throw new SearchRefused(`search: ${where}: '${name}' is not a module the scenario defines (the search models the scenario's own modules, not the selftest catalog)`);
    return name;
  };
  const ko = (p: string) => module(p.replace(/^.*\//, '').replace(/\.ko$/, ''));
  switch (cmd) {
    case 'load_mod':
    case 'load_lp':
    case 'load_lp_nowait':
      if (args.length !== 1) throw new SearchRefused(`search: ${where}: module parameters are not modelled`);
      return { kind: 'load', module: module(args[0]), wait: cmd === 'load_lp', helper: true };
    case 'load_failing_mod':
      if (args.length !== 1) throw new SearchRefused(`search: ${where}: module parameters are not modelled`);
      return { kind: 'load', module: module(args[0]), wait: false, helper: false, expectFail: true };
    case 'insmod':
      if (args.length !== 1) throw new SearchRefused(`search: ${where}: module parameters are not modelled`);
      return { kind: 'load', module: ko(args[0]), wait: false, helper: false };
    case 'disable_lp':
      return { kind: 'disable', patch: module(args[0]), wait: true, helper: true };
    case 'unload_mod':
    case 'unload_lp':
      return { kind: 'unload', module: module(args[0]), helper: true };
    case 'wait_sysfs':
      if (TRANSITION.test(args[0]) && args[1] === '0') return { kind: 'wait' };
      throw new SearchRefused(`search: ${where}: the search models wait_sysfs of a patch's transition attribute reaching 0 only`);
    case 'rmmod':
      return { kind: 'unload', module: ko(args[0]), helper: false };
    case 'echo': {
      const m = c.redirect ? SYSFS.exec(c.redirect.path) : null;
      if (!c.redirect || HARMLESS.has(c.redirect.path)) return { kind: 'nothing' };
      if (!m || c.redirect.append) throw new SearchRefused(`search: ${where}: a write the search does not model (it models writes of 0 to .../enabled and 1 to .../force)`);
      const value = args.join(' ');
      if (m[2] === 'enabled' && value === '0') return { kind: 'disable', patch: module(m[1]), wait: false, helper: false };
      if (m[2] === 'force' && value === '1') return { kind: 'force', patch: module(m[1]) };
      throw new SearchRefused(`search: ${where}: writing '${value}' to ${m[2]} is not modelled`);
    }
  }
  if (READ_ONLY.has(cmd) && (!c.redirect || HARMLESS.has(c.redirect.path))) return { kind: 'nothing' };
  throw new SearchRefused(`search: ${where}: '${cmd}' is not a command the search models (it models load_mod, load_lp, load_lp_nowait, load_failing_mod, insmod, disable_lp, echo to enabled/force, unload_mod, unload_lp, rmmod, and commands that only read)`);
}
