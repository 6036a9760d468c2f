// The workload model (issue 13 split of workload.ts): what a scenario's task classes and
// fixed tasks are, the limits a machine keeps to, and the assertion the kernel makes on a spec
// before sampling it (user input is validated once, in the document layer,
// src/scenario/documentTasks.ts, with the document's paths in its messages). The sampler is
// workloadSampler.ts, the layout of a spec workloadPlan.ts, the task steps workload.ts; the
// default data workloadDefaults.ts.

import { MAX_STACK_ENTRIES } from './constants';

export type PhaseSched = 'running' | 'interruptible' | 'uninterruptible' | 'freezable' | 'uninterruptible-freezable';
/** One place a task of the class spends time: a kernel stack (function names, outermost first, e.g.
 *  ['entry_SYSCALL_64', 'do_syscall_64', '__x64_sys_read', 'ksys_read', 'pipe_read']; `owner:name`
 *  selects a module's function), how long it stays there and in which scheduling state. */
export interface StackPhase { frames: string[]; weight: number; dwellUs: number; sched: PhaseSched }
export interface TaskClassSpec {
  name: string;                 // class name shown in views, e.g. 'nginx workers'
  comm: string;                 // comm pattern, '%d' replaced by the index: 'nginx-%d' (max 15 chars after expansion)
  count: number;                // 1 .. 1_000_000
  kind: 'user' | 'kthread';
  phases: StackPhase[];         // where it sleeps/runs in the kernel; empty = lives in user space
  syscallRatePerS: number;      // user tasks: kernel entries per second (each returns to user space => klp_update_patch_state)
  cpuBound?: { frames: string[]; condResched: boolean }; // a loop that never sleeps (kthreads), with or without cond_resched()
  forkRatePerS: number;         // per task; child inherits patch state + pending flag (klp_copy_process)
  exitRatePerS: number;         // per task; exit = unhash from the task list, then run do_exit code, then reap
  reliableStack: boolean;       // false => stack check says 'has an unreliable stack'
  /** Mean time in do_exit() while still on the task list, µs (default 2000). */
  exitListedUs?: number;
  /** Mean time in the tail of do_exit() after release_task() unhashed the task, µs (default 500). */
  exitUnhashedUs?: number;
}
/** A single named task with a fixed stack (e.g. the kworker stuck in busymod_work_func). */
export interface FixedTaskSpec { comm: string; kind: 'user' | 'kthread'; frames: string[]; sched: PhaseSched; reliableStack?: boolean }
export interface WorkloadSpec { classes: TaskClassSpec[]; fixed: FixedTaskSpec[] }

/** Where a workload task is, besides its phases (phaseOf() returns a phase index or one of these). */
export const Place = {
  USER: -1,
  CPU_BOUND: -2,
  /** In do_exit(), still on the task list. */
  EXITING: -3,
  /** In do_exit() after release_task(): invisible to the transition walk. */
  EXITING_UNHASHED: -4,
  /** Not a workload task, or gone. */
  NONE: -5,
} as const;

/** A class as the views see it. Fixed tasks are classes of one task each. */
export interface WorkloadClassInfo {
  readonly name: string;
  readonly kind: 'user' | 'kthread';
  /** TaskTable.cls value of its tasks. */
  readonly cls: number;
  /** Its tasks were created in slots firstSlot .. firstSlot+initialCount-1; forked children are appended later. */
  readonly firstSlot: number;
  readonly initialCount: number;
  /** Innermost frame name of each phase (a short label for views). */
  readonly phaseLabels: readonly string[];
}


const LIMIT_TASKS = 1_000_000;
/** All classes together: the bound that keeps a machine's memory in reach of a browser tab. */
const LIMIT_TOTAL = 2_000_000;
export const LIMIT_CLASSES = 254;
export const NO_STATE = 255;
export const DEFAULT_EXIT_LISTED_US = 2000;
export const DEFAULT_EXIT_UNHASHED_US = 500;

/** A spec the kernel cannot run reached it: the document layer should have refused it first. */
export function modelBug(msg: string): never {
  throw new Error(`model bug: ${msg}`);
}

/** Task states a spec lays out (workloadPlan.ts): per class its phases, user space (user
 *  tasks), the CPU-bound loop (if any) and the two exit steps; one per fixed task. */
export function statesNeeded(spec: WorkloadSpec): number {
  let n = spec.fixed.length;
  for (const c of spec.classes) n += c.phases.length + (c.kind === 'user' ? 1 : 0) + (c.cpuBound ? 1 : 0) + 2;
  return n;
}

const SCHEDS: readonly string[] = ['running', 'interruptible', 'uninterruptible', 'freezable', 'uninterruptible-freezable'];

/**
 * The kernel's assertion on a spec before it changes anything. User input is validated once,
 * in the document layer (src/scenario/documentTasks.ts), with the document's paths and what
 * was expected; a spec that gets here unvalidated and breaks a rule the sampler relies on
 * is a model bug, named by its path and the rule.
 */
export function assertShape(spec: WorkloadSpec): void {
  const bug = (where: string, rule: string): never => modelBug(`installWorkload got an unvalidated spec: workload${where} breaks "${rule}"`);
  const num = (v: unknown, min: number, open: boolean) => typeof v === 'number' && Number.isFinite(v) && (open ? v > min : v >= min);
  const frames = (v: unknown) => Array.isArray(v) && v.length > 0 && v.length <= MAX_STACK_ENTRIES && v.every((f) => typeof f === 'string' && f.length > 0);
  const comm = (v: unknown, count: number) => typeof v === 'string' && v.length > 0 && v.split('%d').length <= 2 && v.replace('%d', String(count - 1)).length <= 15;
  if (!Array.isArray(spec?.classes) || !Array.isArray(spec.fixed)) bug('', 'classes and fixed are arrays');
  let total = spec.fixed.length;
  spec.classes.forEach((c, i) => {
    const w = `.classes[${i}]`;
    if (!Number.isInteger(c?.count) || c.count < 1 || c.count > LIMIT_TASKS) bug(`${w}.count`, `an integer from 1 to ${LIMIT_TASKS}`);
    total += c.count;
    if (typeof c.name !== 'string' || !comm(c.comm, c.count)) bug(w, 'a name, and a comm of at most 15 characters with at most one %d');
    if (c.kind !== 'user' && c.kind !== 'kthread') bug(`${w}.kind`, 'user or kthread');
    if (!Array.isArray(c.phases)) bug(`${w}.phases`, 'an array');
    c.phases.forEach((p, j) => {
      if (!frames(p?.frames) || !num(p.weight, 0, true) || !num(p.dwellUs, 0, true) || !SCHEDS.includes(p.sched)) bug(`${w}.phases[${j}]`, 'frames, weight > 0, dwellUs > 0, a sched');
    });
    if (![c.syscallRatePerS, c.forkRatePerS, c.exitRatePerS].every((r) => num(r, 0, false))) bug(w, 'rates per second >= 0');
    if (typeof c.reliableStack !== 'boolean') bug(`${w}.reliableStack`, 'a boolean');
    if ((c.exitListedUs !== undefined && !num(c.exitListedUs, 0, true)) || (c.exitUnhashedUs !== undefined && !num(c.exitUnhashedUs, 0, true))) bug(w, 'exit times > 0');
    if (c.cpuBound !== undefined && (!frames(c.cpuBound?.frames) || typeof c.cpuBound.condResched !== 'boolean' || c.phases.length > 0)) bug(`${w}.cpuBound`, 'frames and condResched, and no phases');
    if (c.kind === 'kthread' && (c.syscallRatePerS !== 0 || (!c.phases.length && !c.cpuBound))) bug(w, 'a kthread has no syscalls, and phases or a cpuBound loop');
  });
  spec.fixed.forEach((f, i) => {
    if (!comm(f?.comm, 1) || f.comm.includes('%') || (f.kind !== 'user' && f.kind !== 'kthread') || !frames(f.frames) || !SCHEDS.includes(f.sched)) bug(`.fixed[${i}]`, 'comm, kind, frames and sched');
    if (f.reliableStack !== undefined && typeof f.reliableStack !== 'boolean') bug(`.fixed[${i}].reliableStack`, 'a boolean');
  });
  if (total > LIMIT_TOTAL) bug('', `at most ${LIMIT_TOTAL} tasks`);
  if (spec.classes.length + spec.fixed.length > LIMIT_CLASSES) bug('', `at most ${LIMIT_CLASSES} classes and fixed tasks`);
  if (statesNeeded(spec) > NO_STATE) bug('', `at most ${NO_STATE} task states`);
}
