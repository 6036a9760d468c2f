// The tasks of a scenario document: task classes and fixed tasks, validated here once, with
// the document's paths in every message (the kernel's installWorkload only asserts).

import type { FixedTaskSpec, PhaseSched, StackPhase, TaskClassSpec, WorkloadSpec } from '../kernel/workload';
import { VMLINUX_SYMBOLS } from '../kernel/vmlinux';
import { MAX_STACK_ENTRIES } from '../kernel/constants';
import { LIMIT_CLASSES, NO_STATE, statesNeeded } from '../kernel/workloadModel';
import { array, boolean, field, get, got, integer, item, number, object, oneOf, present, Problems, string, strings } from './check';
import { COMM_MAX, FUNC_NAME, MODULE_NAME } from './moduleSpec';

const MAX_TASKS = 1_000_000;
const MAX_RATE_PER_S = 1_000_000;
const MAX_DWELL_US = 86_400_000_000;
const CLASS_FIELDS = ['name', 'comm', 'count', 'kind', 'phases', 'syscallRatePerS', 'cpuBound', 'forkRatePerS', 'exitRatePerS', 'exitListedUs', 'exitUnhashedUs', 'reliableStack'] as const;
const FIXED_FIELDS = ['comm', 'kind', 'frames', 'sched', 'reliableStack'] as const;
const PHASE_SCHED: readonly PhaseSched[] = ['running', 'interruptible', 'uninterruptible', 'freezable', 'uninterruptible-freezable'];
const KINDS = ['user', 'kthread'] as const;

/**
 * Frames of a task's stack, outermost first: vmlinux functions, written `name` or
 * `vmlinux:name`. The workload is installed when the machine boots, before any module is
 * loaded, so a module's function cannot be on a task's stack yet (installWorkload would
 * refuse it: the validator says so first, with the document's path).
 */
function frames(v: unknown, path: string, p: Problems, modules: ReadonlySet<string>): string[] {
  const out = strings(v, path, p, 'frames', MAX_STACK_ENTRIES, { min: 1, max: MODULE_NAME.max + 1 + FUNC_NAME.max });
  if (Array.isArray(v) && v.length === 0) p.add(path, 'expected at least one frame (outermost first)');
  out.forEach((f, i) => {
    if (!f) return;
    const colon = f.indexOf(':');
    const owner = colon < 0 ? 'vmlinux' : f.slice(0, colon);
    const name = colon < 0 ? f : f.slice(colon + 1);
    if (!FUNC_NAME.pattern!.re.test(name)) p.add(item(path, i), `expected a function name or vmlinux:name, ${got(f)}`);
    else if (owner !== 'vmlinux') {
      p.add(item(path, i), modules.has(owner)
        ? `module ${JSON.stringify(owner)} is not loaded when the tasks are created (at boot): a frame names a vmlinux function`
        : `no module ${JSON.stringify(owner)} in this scenario or the catalog, and a frame names a vmlinux function`);
    } else if (!VMLINUX_FUNCTIONS.has(name)) p.add(item(path, i), `no function ${JSON.stringify(name)} in vmlinux (a frame names a vmlinux function, e.g. "schedule")`);
  });
  return out;
}

const VMLINUX_FUNCTIONS: ReadonlySet<string> = new Set(VMLINUX_SYMBOLS.map((s) => s.name));

/** comm with its largest index in place of %d: at most TASK_COMM_LEN - 1 characters. */
function validateComm(v: unknown, path: string, p: Problems, count: number | null): string {
  const comm = string(v, path, p, { min: 1, max: 64 });
  if (!comm) return comm;
  const placeholders = comm.split('%').length - 1;
  const withD = comm.split('%d').length - 1;
  if (count === null ? placeholders > 0 : placeholders !== withD || withD > 1) {
    p.add(path, count === null ? `expected a task name without %, ${got(comm)}` : `expected a comm pattern with at most one %d (replaced by the task's index), ${got(comm)}`);
    return comm;
  }
  // Tasks are numbered from 0 (TaskTable.commPattern), so the widest name has count - 1.
  const longest = count === null ? comm : comm.replace('%d', String(count - 1));
  if (longest.length > COMM_MAX) p.add(path, `expected at most ${COMM_MAX} characters after expansion (TASK_COMM_LEN - 1), ${JSON.stringify(longest)} has ${longest.length}`);
  return comm;
}

function validateClass(v: unknown, path: string, p: Problems, modules: ReadonlySet<string>): TaskClassSpec | undefined {
  const o = object(v, path, p, 'a task class', CLASS_FIELDS, ['comm', 'count']);
  if (!o) return undefined;
  const count = integer(get(o, 'count'), field(path, 'count'), p, 1, MAX_TASKS, 1);
  const comm = validateComm(get(o, 'comm'), field(path, 'comm'), p, count);
  const rate = (key: 'syscallRatePerS' | 'forkRatePerS' | 'exitRatePerS') => (present(o, key) ? number(get(o, key), field(path, key), p, 'non-negative', MAX_RATE_PER_S) : 0);
  const phases: StackPhase[] = [];
  if (present(o, 'phases')) {
    const pp = field(path, 'phases');
    array(get(o, 'phases'), pp, p, 'phases', 100).forEach((ph, i) => {
      const at = item(pp, i);
      const po = object(ph, at, p, 'a phase ({ frames, weight, dwellUs, sched })', ['frames', 'weight', 'dwellUs', 'sched'], ['frames', 'dwellUs', 'sched']);
      if (!po) return;
      phases.push({
        frames: frames(get(po, 'frames'), field(at, 'frames'), p, modules),
        weight: present(po, 'weight') ? number(get(po, 'weight'), field(at, 'weight'), p, 'positive', 1e9, 1) : 1,
        dwellUs: number(get(po, 'dwellUs'), field(at, 'dwellUs'), p, 'positive', MAX_DWELL_US, 1),
        sched: oneOf(get(po, 'sched'), field(at, 'sched'), p, PHASE_SCHED, 'interruptible'),
      });
    });
  }
  const spec: TaskClassSpec = {
    name: present(o, 'name') ? string(get(o, 'name'), field(path, 'name'), p, { min: 1, max: 100 }) : comm,
    comm,
    count,
    kind: present(o, 'kind') ? oneOf(get(o, 'kind'), field(path, 'kind'), p, KINDS, 'user') : 'user',
    phases,
    syscallRatePerS: rate('syscallRatePerS'),
    forkRatePerS: rate('forkRatePerS'),
    exitRatePerS: rate('exitRatePerS'),
    reliableStack: present(o, 'reliableStack') ? boolean(get(o, 'reliableStack'), field(path, 'reliableStack'), p, true) : true,
  };
  // The two steps of an exit (the do_exit crash needs a long tail after release_task()).
  for (const key of ['exitListedUs', 'exitUnhashedUs'] as const) {
    if (present(o, key)) spec[key] = number(get(o, key), field(path, key), p, 'positive', MAX_DWELL_US, 1);
  }
  if (present(o, 'cpuBound')) {
    const cp = field(path, 'cpuBound');
    const c = object(get(o, 'cpuBound'), cp, p, 'a CPU-bound loop ({ frames, condResched })', ['frames', 'condResched'], ['frames', 'condResched']);
    if (c) spec.cpuBound = { frames: frames(get(c, 'frames'), field(cp, 'frames'), p, modules), condResched: boolean(get(c, 'condResched'), field(cp, 'condResched'), p, false) };
    if (phases.length) p.add(cp, 'a CPU-bound loop never sleeps, so the class has no phases; expected phases: []');
  }
  // A kthread runs in the kernel from its first instruction (kthread() -> threadfn).
  if (spec.kind === 'kthread') {
    if (spec.syscallRatePerS !== 0) p.add(field(path, 'syscallRatePerS'), 'kthreads never enter from user space; expected 0');
    if (!phases.length && !present(o, 'cpuBound')) p.add(path, 'a kthread class needs phases (where it sleeps) or a cpuBound loop');
  }
  return spec;
}

function validateFixed(v: unknown, path: string, p: Problems, modules: ReadonlySet<string>): FixedTaskSpec | undefined {
  const o = object(v, path, p, 'a fixed task ({ comm, kind, frames, sched, reliableStack })', FIXED_FIELDS, ['comm', 'frames', 'sched']);
  if (!o) return undefined;
  const spec: FixedTaskSpec = {
    comm: validateComm(get(o, 'comm'), field(path, 'comm'), p, null),
    kind: present(o, 'kind') ? oneOf(get(o, 'kind'), field(path, 'kind'), p, KINDS, 'user') : 'user',
    frames: frames(get(o, 'frames'), field(path, 'frames'), p, modules),
    sched: oneOf(get(o, 'sched'), field(path, 'sched'), p, PHASE_SCHED, 'interruptible'),
  };
  if (present(o, 'reliableStack')) spec.reliableStack = boolean(get(o, 'reliableStack'), field(path, 'reliableStack'), p, true);
  return spec;
}

export function validateTasks(v: unknown, path: string, p: Problems, modules: ReadonlySet<string>): WorkloadSpec {
  const w: WorkloadSpec = { classes: [], fixed: [] };
  const o = object(v, path, p, 'the tasks ({ classes, fixed })', ['classes', 'fixed']);
  if (!o) return w;
  if (present(o, 'classes')) {
    const cp = field(path, 'classes');
    array(get(o, 'classes'), cp, p, 'task classes', 255).forEach((c, i) => {
      const spec = validateClass(c, item(cp, i), p, modules);
      if (spec) w.classes.push(spec);
    });
  }
  if (present(o, 'fixed')) {
    const fp = field(path, 'fixed');
    array(get(o, 'fixed'), fp, p, 'fixed tasks', 10_000).forEach((f, i) => {
      const spec = validateFixed(f, item(fp, i), p, modules);
      if (spec) w.fixed.push(spec);
    });
  }
  const total = w.classes.reduce((n, c) => n + c.count, 0) + w.fixed.length;
  if (total > MAX_TASKS) p.add(path, `expected at most ${MAX_TASKS.toLocaleString('en-US')} tasks in all, the classes and fixed tasks add up to ${total.toLocaleString('en-US')}`);
  const states = statesNeeded(w);
  if (w.classes.length + w.fixed.length > LIMIT_CLASSES) p.add(path, `expected at most ${LIMIT_CLASSES} task classes and fixed tasks in all (each is a class of the workload), got ${w.classes.length + w.fixed.length}`);
  else if (states > NO_STATE) p.add(path, `expected at most ${NO_STATE} task states in all (one per phase, user space, CPU-bound loop and the two exit steps of each class, one per fixed task), these tasks need ${states}`);
  return w;
}
