// The Scenario editor's logic, without React: a draft is the JSON text the user sees and the
// document the form shows. Both stay in sync: a form edit rewrites the text from the form's
// document; a text edit that validates becomes the form's document; a text edit that does not
// leaves the form alone (locked, so a form edit cannot overwrite what was typed) and lists
// validateScenario's errors. Nothing typed is ever thrown away.

import { kernelFeatures } from '../kernel/version';
import { DynamicDebug } from '../kernel/printk';
import { CATALOG_NAMES, DEFAULT_KERNEL, parseScenarioText, toDocument, type Scenario, type ScenarioResult } from '../scenario/document';
import type { TaskClassSpec } from '../kernel/workload';

/** A scenario document as plain JSON: what the form reads and writes. */
export type Doc = Record<string, unknown>;

export interface Draft {
  /** The JSON textarea, exactly as typed. */
  text: string;
  /** The document the form shows: the last one that validated, or the form's own edits. */
  formDoc: Doc;
  /** The text holds edits the form cannot show (it does not validate): form edits are refused. */
  locked: boolean;
  /** validateScenario() of the text. */
  result: ScenarioResult;
}

function docText(doc: Doc): string {
  return `${JSON.stringify(doc, null, 2)}\n`;
}

/** A fresh draft of a scenario: its whole document, every default written out. */
export function draftOf(s: Scenario): Draft {
  const formDoc = toDocument(s);
  const text = docText(formDoc);
  return { text, formDoc, locked: false, result: parseScenarioText(text) };
}

/** The user typed in the JSON textarea. */
export function editText(d: Draft, text: string): Draft {
  const result = parseScenarioText(text);
  // The form shows the validated scenario's whole document (defaults filled in); the text stays as typed.
  if (result.ok) return { text, formDoc: toDocument(result.scenario), locked: false, result };
  return { ...d, text, locked: true, result };
}

/**
 * A form edit: applied to the form's document, which rewrites the text. Refused (the draft
 * returned unchanged) while the text holds JSON edits that do not validate.
 */
export function editForm(d: Draft, edit: (doc: Doc) => void): Draft {
  if (d.locked) return d;
  const formDoc = structuredClone(d.formDoc);
  edit(formDoc);
  const text = docText(formDoc);
  return { text, formDoc, locked: false, result: parseScenarioText(text) };
}

// ------------------------------------------------------------------ reading the form's document

function obj(v: unknown): Doc {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Doc) : {};
}

function arr(v: unknown): unknown[] {
  return Array.isArray(v) ? v : [];
}

/** An object at a path, created (replacing anything that is not an object) when missing. */
function objAt(doc: Doc, path: readonly string[]): Doc {
  let o = doc;
  for (const key of path) {
    if (typeof o[key] !== 'object' || o[key] === null || Array.isArray(o[key])) o[key] = {};
    o = o[key] as Doc;
  }
  return o;
}

/** A text field's value shown in an input: numbers and strings as they are, anything else empty. */
function shown(v: unknown): string {
  return typeof v === 'number' || typeof v === 'string' ? String(v) : '';
}

/** What a number input writes: the number, or the text itself when it is not one (validation names it). */
export function numberOrText(raw: string): number | string {
  const t = raw.trim();
  return t !== '' && Number.isFinite(Number(t)) ? Number(t) : raw;
}

interface ClassRow {
  name: string;
  comm: string;
  count: string;
  kind: string;
}

interface FormView {
  title: string;
  description: string;
  seed: string;
  version: string;
  cpus: string;
  reliableStacktrace: boolean;
  ftraceEnabled: boolean;
  perTaskDebug: boolean;
  checkUsPerTask: string;
  /** Catalog modules the document lists. */
  catalogModules: string[];
  /** Modules the document defines itself (shown, not edited by the form). */
  customModules: { name: string; livepatch: boolean }[];
  classes: ClassRow[];
  fixedTasks: number;
  totalTasks: number;
  script: string;
}

/** The dynamic debug site of the per-task `klp_try_switch_task: ...` lines. */
const SWITCH_SITE = { file: 'kernel/livepatch/transition.c', func: 'klp_try_switch_task', module: 'livepatch' };
const PER_TASK_DEBUG_ON = 'func klp_try_switch_task +p';
const PER_TASK_DEBUG_OFF = 'func klp_try_switch_task -p';

/** Whether these control lines print the per-task debug lines (the last matching rule wins). */
export function perTaskDebugOn(lines: readonly unknown[]): boolean {
  const dd = new DynamicDebug();
  for (const l of lines) if (typeof l === 'string') dd.write(l);
  return dd.isEnabled(SWITCH_SITE);
}

/** Tasks the workload starts with: every class's count (those that are numbers) and the fixed tasks. */
export function taskTotal(doc: Doc): number {
  const tasks = obj(doc.tasks);
  const classes = arr(tasks.classes).reduce<number>((n, c) => {
    const count = obj(c).count;
    return n + (typeof count === 'number' && Number.isFinite(count) && count > 0 ? count : 0);
  }, 0);
  return classes + arr(tasks.fixed).length;
}

export function formView(doc: Doc): FormView {
  const k = obj(doc.kernel);
  const tasks = obj(doc.tasks);
  const modules = arr(doc.modules);
  return {
    title: shown(doc.title),
    description: shown(doc.description),
    seed: shown(doc.seed),
    version: shown(k.version),
    cpus: shown(obj(k.cpus).count),
    reliableStacktrace: k.reliableStacktrace !== false,
    ftraceEnabled: k.ftraceEnabled !== false,
    perTaskDebug: perTaskDebugOn(arr(k.dynamicDebug)),
    checkUsPerTask: shown(obj(k.walk).checkUsPerTask),
    catalogModules: modules.filter((m): m is string => typeof m === 'string'),
    customModules: modules.filter((m) => typeof m === 'object' && m !== null).map((m) => ({ name: shown(obj(m).name), livepatch: obj(m).livepatch === true })),
    classes: arr(tasks.classes).map((c) => {
      const o = obj(c);
      return { name: shown(o.name ?? o.comm), comm: shown(o.comm), count: shown(o.count), kind: o.kind === 'kthread' ? 'kthread' : 'user' };
    }),
    fixedTasks: arr(tasks.fixed).length,
    totalTasks: taskTotal(doc),
    script: arr(doc.script).map(shown).join('\n'),
  };
}

// ------------------------------------------------------------------ form edits (each mutates its copy)

type TopField = 'title' | 'description' | 'seed';

export const setTop = (key: TopField, value: string | number) => (doc: Doc) => {
  doc[key] = value;
};

export const setVersion = (version: string) => (doc: Doc) => {
  objAt(doc, ['kernel']).version = version;
};

export const setCpus = (raw: string) => (doc: Doc) => {
  objAt(doc, ['kernel', 'cpus']).count = numberOrText(raw);
};

export const setKernelFlag = (key: 'reliableStacktrace' | 'ftraceEnabled', on: boolean) => (doc: Doc) => {
  objAt(doc, ['kernel'])[key] = on;
};

export const setCheckUsPerTask = (raw: string) => (doc: Doc) => {
  objAt(doc, ['kernel', 'walk']).checkUsPerTask = numberOrText(raw);
};

/**
 * Per-task debug lines on: `func klp_try_switch_task +p` is added (replacing any other line
 * about that function). Off: those lines go, and `-p` is added only when a broader line
 * (`file kernel/livepatch/* +p`) would still print them.
 */
export const setPerTaskDebug = (on: boolean) => (doc: Doc) => {
  const k = objAt(doc, ['kernel']);
  const about = (l: unknown) => typeof l === 'string' && /^\s*func\s+klp_try_switch_task\s+[+\-=]/.test(l);
  const kept = arr(k.dynamicDebug).filter((l) => !about(l));
  if (on) kept.push(PER_TASK_DEBUG_ON);
  else if (perTaskDebugOn(kept)) kept.push(PER_TASK_DEBUG_OFF);
  k.dynamicDebug = kept;
};

/** List or unlist a catalog module (a new one goes last; the others keep their order). */
export const setCatalogModule = (name: string, on: boolean) => (doc: Doc) => {
  const modules = arr(doc.modules).filter((m) => m !== name);
  if (on) modules.push(name);
  doc.modules = modules;
};

export const CATALOG_MODULES: readonly string[] = CATALOG_NAMES;

type ClassField = 'name' | 'comm' | 'count' | 'kind';

export const setClassField = (i: number, key: ClassField, raw: string) => (doc: Doc) => {
  const classes = arr(objAt(doc, ['tasks']).classes);
  const c = classes[i];
  if (typeof c !== 'object' || c === null) return;
  const o = c as Doc;
  if (key === 'count') o.count = numberOrText(raw);
  else if (key === 'kind') {
    o.kind = raw;
    // kthreads never enter the kernel from user space (installWorkload insists).
    if (raw === 'kthread') o.syscallRatePerS = 0;
  } else o[key] = raw;
};

export const removeClass = (i: number) => (doc: Doc) => {
  const t = objAt(doc, ['tasks']);
  t.classes = arr(t.classes).filter((_, j) => j !== i);
};

export const setScript = (text: string) => (doc: Doc) => {
  doc.script = text.split(/\r?\n/);
};

// ------------------------------------------------------------------ task class templates

const SYSCALL = ['entry_SYSCALL_64_after_hwframe', 'do_syscall_64'];
const KTHREAD = ['ret_from_fork_asm', 'ret_from_fork', 'kthread'];

interface ClassTemplate {
  id: string;
  label: string;
  /** A class as validateScenario returns it (every field written out). */
  spec: TaskClassSpec;
}

export const CLASS_TEMPLATES: readonly ClassTemplate[] = [
  {
    id: 'idle',
    label: 'idle user threads',
    spec: {
      name: 'idle threads', comm: 'idle-%d', count: 100, kind: 'user',
      phases: [{ frames: [...SYSCALL, '__x64_sys_epoll_wait', 'do_epoll_wait', 'ep_poll', 'schedule_hrtimeout_range', 'schedule'], weight: 1, dwellUs: 5_000_000, sched: 'interruptible' }],
      syscallRatePerS: 1, forkRatePerS: 0, exitRatePerS: 0, reliableStack: true,
    },
  },
  {
    id: 'dstate',
    label: 'threads sleeping in a patched function (D state)',
    // do_iter_readv_writev is one of the functions livepatch_61_release12 patches.
    spec: {
      name: 'D-state readers', comm: 'reader-%d', count: 10, kind: 'user',
      phases: [{ frames: [...SYSCALL, '__x64_sys_read', 'ksys_read', 'vfs_read', 'do_iter_readv_writev', 'schedule'], weight: 1, dwellUs: 600_000_000, sched: 'uninterruptible' }],
      syscallRatePerS: 1, forkRatePerS: 0, exitRatePerS: 0, reliableStack: true,
    },
  },
  {
    id: 'forking',
    label: 'forking workers',
    spec: {
      name: 'forking workers', comm: 'job-%d', count: 200, kind: 'user',
      phases: [{ frames: [...SYSCALL, '__x64_sys_futex', 'do_futex', 'futex_wait', 'futex_wait_queue', 'schedule'], weight: 1, dwellUs: 200_000, sched: 'interruptible' }],
      syscallRatePerS: 20, forkRatePerS: 1, exitRatePerS: 1, reliableStack: true,
    },
  },
  {
    id: 'kworkers',
    label: 'idle kworkers',
    spec: {
      name: 'kworkers', comm: 'kworker/u8:%d', count: 8, kind: 'kthread',
      phases: [{ frames: [...KTHREAD, 'worker_thread', 'schedule'], weight: 1, dwellUs: 1_000_000, sched: 'interruptible' }],
      syscallRatePerS: 0, forkRatePerS: 0, exitRatePerS: 0, reliableStack: true,
    },
  },
  {
    id: 'cpubound',
    label: 'CPU-bound kthread',
    spec: {
      name: 'CPU-bound kthread', comm: 'spin/%d', count: 1, kind: 'kthread', phases: [],
      cpuBound: { frames: [...KTHREAD, 'kcompactd'], condResched: true },
      syscallRatePerS: 0, forkRatePerS: 0, exitRatePerS: 0, reliableStack: true,
    },
  },
];

/** Append a class from a template; its name is made unique among the classes. */
export const addClass = (templateId: string) => (doc: Doc) => {
  const tpl = CLASS_TEMPLATES.find((t) => t.id === templateId);
  if (!tpl) throw new Error(`no task class template ${JSON.stringify(templateId)}`);
  const t = objAt(doc, ['tasks']);
  const classes = arr(t.classes);
  const names = new Set(classes.map((c) => obj(c).name ?? obj(c).comm));
  const spec = structuredClone(tpl.spec) as unknown as Doc;
  for (let n = 2; names.has(spec.name); n++) spec.name = `${tpl.spec.name} ${n}`;
  // A kthread's frames start as copy_thread() starts it on the scenario's kernel (ret_from_fork_asm from v6.6).
  if (!startsAtRetFromForkAsm(obj(doc.kernel).version)) {
    const strip = (frames: unknown) => (Array.isArray(frames) ? frames.filter((f) => f !== 'ret_from_fork_asm') : frames);
    for (const ph of arr(spec.phases)) obj(ph).frames = strip(obj(ph).frames);
    if (spec.cpuBound) obj(spec.cpuBound).frames = strip(obj(spec.cpuBound).frames);
  }
  t.classes = [...classes, spec];
  if (!Array.isArray(t.fixed)) t.fixed = [];
};

// ------------------------------------------------------------------ kernel versions

/** Whether the document's kernel (the default when it names none) starts new tasks at ret_from_fork_asm. */
function startsAtRetFromForkAsm(version: unknown): boolean {
  try {
    return kernelFeatures(typeof version === 'string' ? version : DEFAULT_KERNEL.version).retFromForkAsm;
  } catch {
    return true;
  }
}

/** The versions the select offers: 6.1, then 6.4 to 6.19 (6.2 and 6.3 behave as 6.1). */
export const KERNEL_VERSIONS: readonly string[] = ['6.1', ...Array.from({ length: 16 }, (_, i) => `6.${i + 4}`)];

/** The select's options: the offered versions, and the document's own when it is another one. */
export function versionOptions(current: string): string[] {
  return KERNEL_VERSIONS.includes(current) || !/^\d+\.\d+$/.test(current) ? [...KERNEL_VERSIONS] : [...KERNEL_VERSIONS, current];
}

/** One line on what a version profile changes (src/kernel/version.ts). */
export function versionSummary(version: string): string {
  let f;
  try {
    f = kernelFeatures(version);
  } catch (e) {
    return (e as Error).message;
  }
  const hook = { none: 'No scheduler hook: CPU-bound kthreads never switch', cond_resched: 'cond_resched() switches CPU-bound kthreads', freezable_schedule: 'The scheduler hook runs only for freezable sleeps' }[f.schedHook];
  const attrs = [f.replaceAttr && 'replace', f.stackOrderAttr && 'stack_order'].filter(Boolean);
  return [
    hook,
    f.transitionStateNames ? 'KLP_TRANSITION_* state names' : 'KLP_UNDEFINED / KLP_UNPATCHED / KLP_PATCHED state names',
    attrs.length ? `sysfs ${attrs.join(' and ')} attributes` : 'no replace or stack_order attribute in sysfs',
    ...(f.sympos01 ? ['old_sympos 0 and 1 match'] : []),
  ].join('; ') + '.';
}

// ------------------------------------------------------------------ applying

/** Why Apply is disabled, or undefined when the draft can be applied. */
export function applyBlocker(d: Draft): string | undefined {
  if (d.result.ok) return undefined;
  const n = d.result.errors.length;
  return `The document has ${n} error${n === 1 ? '' : 's'} (listed below); fix ${n === 1 ? 'it' : 'them'} to apply.`;
}
