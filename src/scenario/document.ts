// The scenario document: one versioned JSON value holding everything a run needs (kernel
// profile, modules, tasks, the script), validated on every load. Version 1 is the first;
// bump FORMAT_VERSION when a field changes meaning or a required field is added, and teach
// migrate() to turn the older version into the new one.

import type { TaskClassSpec, WorkloadSpec } from '../kernel/workload';
import { DEFAULT_CONFIG } from '../kernel/kernel';
import { DynamicDebug } from '../kernel/printk';
import { SELFTEST_MODULES } from './catalog/selftests';
import { array, boolean, field, get, got, integer, item, number, object, oneOf, present, Problems, string, strings, type StringRule } from './check';
import { compactModule, validateModule, type ModuleSpec } from './moduleSpec';
import { formatScriptTime, parseScript } from './script';
import { checkCallCycles } from './callGraph';
import { validateTasks } from './documentTasks';

import { MAX_VIRTUAL_US } from '../kernel/budget';
import { checkDependencies, checkPolicyFields, validateDependencies, validatePolicy, type DependencySpec } from './policySpec';
import type { PolicyName } from '../kernel/policy/types';

export const FORMAT = 'livepatch-explorer/scenario';
export const FORMAT_VERSION = 1;
/** Largest document accepted, in bytes of UTF-8 JSON. */
export const MAX_DOCUMENT_BYTES = 1_000_000;
export const MAX_SCRIPT_LINES = 10_000;
const MAX_CPUS = 1024;

interface KernelSpec {
  /** Version profile: "6.1", "6.4" to "6.15", "6.16" and later. */
  version: string;
  cpus: { count: number; offline: number[] };
  hz: 100 | 250 | 300 | 1000;
  reliableStacktrace: boolean;
  /** Lines written to /sys/kernel/debug/dynamic_debug/control at boot. */
  dynamicDebug: string[];
  ftraceEnabled: boolean;
  /**
   * Cost model of the attempt walk, in virtual µs (KernelConfig.walkCheckUsPerTask and
   * walkDebugPrintUs): one klp_try_switch_task() check of a pending thread, and one per-task
   * pr_debug line printed inside the read_lock(tasklist_lock) section.
   */
  walk: { checkUsPerTask: number; debugPrintUs: number };
  /** sysctl kernel.watchdog_thresh in seconds, 0 to 60; 0 turns the lockup detectors off. */
  watchdogThresh: number;
  /** The livepatch rules: "upstream" or a labelled proposal (src/kernel/policy/). */
  policy: PolicyName;
}

/** A validated document, every optional field filled with its default. */
export interface Scenario {
  title: string;
  description: string;
  seed: number;
  kernel: KernelSpec;
  modules: ModuleSpec[];
  tasks: WorkloadSpec;
  /** Lines of the script language, each optionally prefixed `at TIME:`. */
  script: string[];
  /** Functions that must change together (checked by the consistency analysis). */
  dependencies: DependencySpec[];
}

export type ScenarioResult = { ok: true; scenario: Scenario } | { ok: false; errors: string[] };

const TOP_FIELDS = ['format', 'version', 'title', 'description', 'seed', 'kernel', 'modules', 'tasks', 'script', 'dependencies'] as const;
const KERNEL_FIELDS = ['version', 'cpus', 'hz', 'reliableStacktrace', 'dynamicDebug', 'ftraceEnabled', 'walk', 'watchdogThresh', 'policy'] as const;
const WALK_FIELDS = ['checkUsPerTask', 'debugPrintUs'] as const;
/** A per-task debug line costs at most this much (a 100-character line at 1200 baud is 833 ms). */
const MAX_DEBUG_PRINT_US = 1_000_000;
/** proc_watchdog_thresh(): watchdog_thresh is an integer from 0 (off) to 60 seconds. */
const MAX_WATCHDOG_THRESH_S = 60;
const HZ_VALUES = [100, 250, 300, 1000] as const;

/** The kernel of the selftest configuration (conformance/README.md): the defaults of a document. */
export const DEFAULT_KERNEL: KernelSpec = {
  version: '6.19',
  cpus: { count: 4, offline: [] },
  hz: 1000,
  reliableStacktrace: true,
  dynamicDebug: ['file kernel/livepatch/* +p', 'func klp_try_switch_task -p'],
  ftraceEnabled: true,
  walk: { checkUsPerTask: DEFAULT_CONFIG.walkCheckUsPerTask, debugPrintUs: DEFAULT_CONFIG.walkDebugPrintUs },
  watchdogThresh: DEFAULT_CONFIG.watchdogThresh,
  policy: 'upstream',
};

export const CATALOG_NAMES: readonly string[] = SELFTEST_MODULES.map((m) => m.name);

const VERSION_RULE = /^(\d+)\.(\d+)$/;
const VERSION_EXPECTED = 'a kernel version profile: "6.1", "6.4" to "6.15", or "6.16" and later (e.g. "6.19")';

function validateVersion(v: unknown, path: string, p: Problems): string {
  const m = typeof v === 'string' ? VERSION_RULE.exec(v) : null;
  const n = m ? Number(m[1]) * 100 + Number(m[2]) : 0;
  // 6.2 and 6.3 differ from 6.1 in nothing the model covers: the profiles are the ones users run.
  if (!m || !(n === 601 || (n >= 604 && Number(m[2]) < 100)) || Number(m[1]) > 9) {
    p.add(path, `expected ${VERSION_EXPECTED}, ${got(v)}`);
    return DEFAULT_KERNEL.version;
  }
  return v as string;
}

function validateKernel(v: unknown, path: string, p: Problems): KernelSpec {
  const o = object(v, path, p, 'the kernel settings', KERNEL_FIELDS);
  const k: KernelSpec = structuredClone(DEFAULT_KERNEL);
  if (!o) return k;
  if (present(o, 'version')) k.version = validateVersion(get(o, 'version'), field(path, 'version'), p);
  if (present(o, 'cpus')) {
    const cp = field(path, 'cpus');
    const c = object(get(o, 'cpus'), cp, p, 'the CPUs ({ count, offline })', ['count', 'offline'], ['count']);
    if (c) {
      k.cpus.count = integer(get(c, 'count'), field(cp, 'count'), p, 1, MAX_CPUS, DEFAULT_KERNEL.cpus.count);
      if (present(c, 'offline')) {
        const op = field(cp, 'offline');
        const seen = new Set<number>();
        k.cpus.offline = array(get(c, 'offline'), op, p, 'CPU numbers', MAX_CPUS).map((x, i) => {
          const n = integer(x, item(op, i), p, 1, k.cpus.count - 1, 1);
          if (seen.has(n)) p.add(item(op, i), `CPU ${n} is listed twice`);
          seen.add(n);
          return n;
        });
      }
    }
  }
  if (present(o, 'hz')) k.hz = oneOf(get(o, 'hz'), field(path, 'hz'), p, HZ_VALUES, DEFAULT_KERNEL.hz);
  if (present(o, 'reliableStacktrace')) k.reliableStacktrace = boolean(get(o, 'reliableStacktrace'), field(path, 'reliableStacktrace'), p, true);
  if (present(o, 'ftraceEnabled')) k.ftraceEnabled = boolean(get(o, 'ftraceEnabled'), field(path, 'ftraceEnabled'), p, true);
  if (present(o, 'dynamicDebug')) {
    const dp = field(path, 'dynamicDebug');
    const dd = new DynamicDebug();
    k.dynamicDebug = strings(get(o, 'dynamicDebug'), dp, p, 'control lines', 1000, { max: 1000 });
    k.dynamicDebug.forEach((line, i) => {
      if (dd.write(line) !== 0) p.add(item(dp, i), `expected a dynamic debug control line such as "func klp_try_switch_task +p", ${got(line)}`);
    });
  }
  if (present(o, 'walk')) {
    const wp = field(path, 'walk');
    const w = object(get(o, 'walk'), wp, p, 'the walk cost model ({ checkUsPerTask, debugPrintUs })', WALK_FIELDS);
    const d = DEFAULT_KERNEL.walk;
    if (w && present(w, 'checkUsPerTask')) k.walk.checkUsPerTask = number(get(w, 'checkUsPerTask'), field(wp, 'checkUsPerTask'), p, 'positive', 1000, d.checkUsPerTask);
    // 0 is allowed: a console that costs nothing (no serial console, or printk deferred).
    if (w && present(w, 'debugPrintUs')) k.walk.debugPrintUs = number(get(w, 'debugPrintUs'), field(wp, 'debugPrintUs'), p, 'non-negative', MAX_DEBUG_PRINT_US, d.debugPrintUs);
  }
  if (present(o, 'policy')) k.policy = validatePolicy(get(o, 'policy'), field(path, 'policy'), p);
  if (present(o, 'watchdogThresh')) k.watchdogThresh = integer(get(o, 'watchdogThresh'), field(path, 'watchdogThresh'), p, 0, MAX_WATCHDOG_THRESH_S, DEFAULT_KERNEL.watchdogThresh);
  return k;
}

/** Longest script line (what the console accepts too). */
export const MAX_SCRIPT_LINE_CHARS = 4096;
const SCRIPT_LINE: StringRule = { max: MAX_SCRIPT_LINE_CHARS, pattern: { re: /^[^\n\r]*$/, what: 'one line of the script language (no newline)' } };

function validateScript(v: unknown, path: string, p: Problems): string[] {
  const lines = strings(v, path, p, 'script lines', MAX_SCRIPT_LINES, SCRIPT_LINE);
  if (!p.ok) return lines;
  const parsed = parseScript(lines);
  if (!parsed.ok) {
    // parseScript numbers lines from 1; the document's path is the array index.
    for (const e of parsed.errors) {
      const m = /^line (\d+): /.exec(e);
      if (m) p.add(item(path, Number(m[1]) - 1), e.slice(m[0].length));
      else p.add(path, e);
    }
    return lines;
  }
  // What the run budget would stop (src/kernel/budget.ts), known before the run: a line
  // timed, or a sleep, past the virtual time a run may last.
  const hours = MAX_VIRTUAL_US / 3_600_000_000;
  for (const l of parsed.lines) {
    if (l.at !== undefined && l.at > MAX_VIRTUAL_US) p.add(item(path, l.line - 1), `'at ${formatScriptTime(l.at)}:' is past the ${hours} h of virtual time a run may last (at most 'at ${formatScriptTime(MAX_VIRTUAL_US)}:')`);
    for (const c of l.commands) {
      if (c.words[0] === 'sleep' && Number(c.words[1]) * 1e6 > MAX_VIRTUAL_US) p.add(item(path, l.line - 1), `sleep ${c.words[1]} is longer than the ${hours} h of virtual time a run may last (at most sleep ${MAX_VIRTUAL_US / 1e6})`);
    }
  }
  return lines;
}

/**
 * migrate(): bring a document of an older version to the current one. Version 1 is the
 * first, so there is nothing to convert yet; a newer version was written by a newer explorer.
 */
export function migrate(doc: Record<string, unknown>): { ok: true; doc: Record<string, unknown> } | { ok: false; error: string } {
  const v = get(doc, 'version');
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 1) return { ok: false, error: `version: expected the document version, a whole number (this explorer writes ${FORMAT_VERSION}), ${got(v)}` };
  if (v > FORMAT_VERSION) return { ok: false, error: `version: this document is version ${v}, written by a newer Livepatch Explorer; this one reads versions up to ${FORMAT_VERSION}` };
  return { ok: true, doc };
}

/** Validate any JSON value as a scenario document. Never throws. */
export function validateScenario(v: unknown): ScenarioResult {
  const p = new Problems();
  const o = object(v, '', p, 'a scenario document', TOP_FIELDS, ['format', 'version']);
  if (!o) return { ok: false, errors: p.errors };
  if (get(o, 'format') !== FORMAT) {
    p.add('format', `expected ${JSON.stringify(FORMAT)}, ${got(get(o, 'format'))}`);
    return { ok: false, errors: p.errors };
  }
  const m = migrate(o);
  if (!m.ok) return { ok: false, errors: [...p.errors, m.error] };
  const doc = m.doc;
  const modules: ModuleSpec[] = [];
  if (present(doc, 'modules')) {
    const names = new Set<string>();
    array(get(doc, 'modules'), 'modules', p, 'modules', 1000).forEach((x, i) => {
      const spec = validateModule(x, item('modules', i), p, CATALOG_NAMES);
      if (spec === undefined) return;
      const name = typeof spec === 'string' ? spec : spec.name;
      if (name && names.has(name)) p.add(item('modules', i), `module ${JSON.stringify(name)} is listed twice`);
      names.add(name);
      modules.push(spec);
    });
  }
  if (p.ok) checkCallCycles(modules, p);
  const known = new Set<string>([...CATALOG_NAMES, ...modules.map((x) => (typeof x === 'string' ? x : x.name))]);
  const scenario: Scenario = {
    title: present(doc, 'title') ? string(get(doc, 'title'), 'title', p, { max: 200 }) : '',
    description: present(doc, 'description') ? string(get(doc, 'description'), 'description', p, { max: 10_000 }) : '',
    seed: present(doc, 'seed') ? integer(get(doc, 'seed'), 'seed', p, 0, 4294967295, 1) : 1,
    kernel: present(doc, 'kernel') ? validateKernel(get(doc, 'kernel'), 'kernel', p) : structuredClone(DEFAULT_KERNEL),
    modules,
    tasks: present(doc, 'tasks') ? validateTasks(get(doc, 'tasks'), 'tasks', p, known) : { classes: [], fixed: [] },
    script: present(doc, 'script') ? validateScript(get(doc, 'script'), 'script', p) : [],
    dependencies: present(doc, 'dependencies') ? validateDependencies(get(doc, 'dependencies'), 'dependencies', p) : [],
  };
  checkPolicyFields(modules, scenario.kernel.policy, p);
  if (p.ok) checkDependencies(scenario.dependencies, modules, CATALOG_NAMES, p);
  return p.ok ? { ok: true, scenario } : { ok: false, errors: p.errors };
}

/** Validate a document given as JSON text (a file, a decoded URL): size, syntax, then fields. */
export function parseScenarioText(text: string): ScenarioResult {
  const bytes = utf8Length(text);
  if (bytes > MAX_DOCUMENT_BYTES) return { ok: false, errors: [`document: expected at most ${MAX_DOCUMENT_BYTES.toLocaleString('en-US')} bytes of JSON, got ${bytes.toLocaleString('en-US')}`] };
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (e) {
    return { ok: false, errors: [`document: not valid JSON (${(e as Error).message})`] };
  }
  return validateScenario(v);
}

/** Byte length of a string in UTF-8, without encoding it. */
export function utf8Length(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      n += 4;
      i++;
    } else n += 3;
  }
  return n;
}

function compactClass(c: TaskClassSpec): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (c.name !== c.comm) out.name = c.name;
  out.comm = c.comm;
  out.count = c.count;
  if (c.kind !== 'user') out.kind = c.kind;
  if (c.phases.length) out.phases = c.phases.map((ph) => (ph.weight === 1 ? { frames: ph.frames, dwellUs: ph.dwellUs, sched: ph.sched } : ph));
  if (c.syscallRatePerS) out.syscallRatePerS = c.syscallRatePerS;
  if (c.cpuBound) out.cpuBound = c.cpuBound;
  if (c.forkRatePerS) out.forkRatePerS = c.forkRatePerS;
  if (c.exitRatePerS) out.exitRatePerS = c.exitRatePerS;
  if (c.exitListedUs !== undefined) out.exitListedUs = c.exitListedUs;
  if (c.exitUnhashedUs !== undefined) out.exitUnhashedUs = c.exitUnhashedUs;
  if (!c.reliableStack) out.reliableStack = false;
  return out;
}

function compactKernel(k: KernelSpec): Record<string, unknown> | undefined {
  const d = DEFAULT_KERNEL;
  const out: Record<string, unknown> = {};
  if (k.version !== d.version) out.version = k.version;
  if (k.cpus.count !== d.cpus.count || k.cpus.offline.length) out.cpus = k.cpus.offline.length ? k.cpus : { count: k.cpus.count };
  if (k.hz !== d.hz) out.hz = k.hz;
  if (k.reliableStacktrace !== d.reliableStacktrace) out.reliableStacktrace = k.reliableStacktrace;
  if (JSON.stringify(k.dynamicDebug) !== JSON.stringify(d.dynamicDebug)) out.dynamicDebug = k.dynamicDebug;
  if (k.ftraceEnabled !== d.ftraceEnabled) out.ftraceEnabled = k.ftraceEnabled;
  const walk: Record<string, number> = {};
  if (k.walk.checkUsPerTask !== d.walk.checkUsPerTask) walk.checkUsPerTask = k.walk.checkUsPerTask;
  if (k.walk.debugPrintUs !== d.walk.debugPrintUs) walk.debugPrintUs = k.walk.debugPrintUs;
  if (Object.keys(walk).length) out.walk = walk;
  if (k.watchdogThresh !== d.watchdogThresh) out.watchdogThresh = k.watchdogThresh;
  if (k.policy !== d.policy) out.policy = k.policy;
  return Object.keys(out).length ? out : undefined;
}

/**
 * The document of a scenario. `compact` leaves out every field that has its default (for
 * URLs); either form validates back to the same scenario.
 */
export function toDocument(s: Scenario, compact = false): Record<string, unknown> {
  // Modules are written with their kind's fields only (a target module has no `replace`).
  if (!compact) return { format: FORMAT, version: FORMAT_VERSION, ...structuredClone({ ...s, modules: s.modules.map(compactModule) }) };
  const out: Record<string, unknown> = { format: FORMAT, version: FORMAT_VERSION };
  if (s.title) out.title = s.title;
  if (s.description) out.description = s.description;
  if (s.seed !== 1) out.seed = s.seed;
  const k = compactKernel(s.kernel);
  if (k) out.kernel = k;
  if (s.modules.length) out.modules = s.modules.map(compactModule);
  if (s.tasks.classes.length || s.tasks.fixed.length) {
    const t: Record<string, unknown> = {};
    if (s.tasks.classes.length) t.classes = s.tasks.classes.map(compactClass);
    if (s.tasks.fixed.length) t.fixed = s.tasks.fixed;
    out.tasks = t;
  }
  if (s.script.length) out.script = s.script;
  if (s.dependencies.length) out.dependencies = s.dependencies;
  return structuredClone(out);
}
