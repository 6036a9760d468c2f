// The workload model (issue 13 split of workload.ts): what a scenario's task classes and
// fixed tasks are, the limits a machine keeps to, and the check the kernel asserts on a spec
// before sampling it (the document layer, src/scenario/document.ts, validates user input
// with its own messages first). The sampler is workloadSampler.ts, the layout of a spec
// workloadPlan.ts, the task steps workload.ts; the default data workloadDefaults.ts.

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

/** A workload the kernel cannot run: the message names the field. */
export function fail(msg: string): never {
  throw new Error(msg);
}

const SCHEDS: readonly string[] = ['running', 'interruptible', 'uninterruptible', 'freezable', 'uninterruptible-freezable'];

/** Types, ranges and limits; function names are checked against kallsyms afterwards. */
export function validateShape(spec: WorkloadSpec): void {
  const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
  if (!isObj(spec) || !Array.isArray(spec.classes) || !Array.isArray(spec.fixed)) fail('workload: expected an object { classes: TaskClassSpec[], fixed: FixedTaskSpec[] }');
  const rate = (v: unknown, where: string) => {
    if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) fail(`${where}: expected a rate per second >= 0, got ${JSON.stringify(v)}`);
  };
  const positive = (v: unknown, where: string, what: string) => {
    if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0) fail(`${where}: expected ${what} > 0, got ${JSON.stringify(v)}`);
  };
  const frames = (v: unknown, where: string) => {
    if (!Array.isArray(v) || v.length === 0 || v.some((f) => typeof f !== 'string' || f.length === 0)) fail(`${where}: expected a non-empty array of function names, outermost first`);
    if (v.length > MAX_STACK_ENTRIES) fail(`${where}: ${v.length} frames; at most ${MAX_STACK_ENTRIES} (MAX_STACK_ENTRIES)`);
  };
  const sched = (v: unknown, where: string) => {
    if (typeof v !== 'string' || !SCHEDS.includes(v)) fail(`${where}: expected one of ${SCHEDS.join(', ')}, got ${JSON.stringify(v)}`);
  };
  const kind = (v: unknown, where: string) => {
    if (v !== 'user' && v !== 'kthread') fail(`${where}: expected 'user' or 'kthread', got ${JSON.stringify(v)}`);
  };
  let total = spec.fixed.length;
  spec.classes.forEach((c, i) => {
    const w = `workload.classes[${i}]`;
    if (!isObj(c)) fail(`${w}: expected a task class object`);
    if (typeof c.name !== 'string' || c.name.length === 0) fail(`${w}.name: expected a non-empty string`);
    kind(c.kind, `${w}.kind`);
    if (!Number.isInteger(c.count) || c.count < 1 || c.count > LIMIT_TASKS) fail(`${w}.count: expected an integer from 1 to ${LIMIT_TASKS}, got ${JSON.stringify(c.count)}`);
    total += c.count;
    if (typeof c.comm !== 'string' || c.comm.length === 0) fail(`${w}.comm: expected a non-empty task name pattern such as 'nginx-%d'`);
    if (c.comm.split('%d').length > 2) fail(`${w}.comm: '${c.comm}' has more than one '%d'`);
    const widest = c.comm.replace('%d', String(c.count - 1));
    if (widest.length > 15) fail(`${w}.comm: '${c.comm}' expands to '${widest}' (${widest.length} characters); a task name has at most 15`);
    if (!Array.isArray(c.phases)) fail(`${w}.phases: expected an array of stack phases (empty: the task lives in user space)`);
    c.phases.forEach((p, j) => {
      const pw = `${w}.phases[${j}]`;
      if (!isObj(p)) fail(`${pw}: expected { frames, weight, dwellUs, sched }`);
      frames(p.frames, `${pw}.frames`);
      positive(p.weight, `${pw}.weight`, 'a weight');
      positive(p.dwellUs, `${pw}.dwellUs`, 'a mean dwell time in microseconds');
      sched(p.sched, `${pw}.sched`);
    });
    rate(c.syscallRatePerS, `${w}.syscallRatePerS`);
    rate(c.forkRatePerS, `${w}.forkRatePerS`);
    rate(c.exitRatePerS, `${w}.exitRatePerS`);
    if (typeof c.reliableStack !== 'boolean') fail(`${w}.reliableStack: expected true or false`);
    if (c.exitListedUs !== undefined) positive(c.exitListedUs, `${w}.exitListedUs`, 'a mean time in microseconds');
    if (c.exitUnhashedUs !== undefined) positive(c.exitUnhashedUs, `${w}.exitUnhashedUs`, 'a mean time in microseconds');
    if (c.cpuBound !== undefined) {
      if (!isObj(c.cpuBound) || typeof c.cpuBound.condResched !== 'boolean') fail(`${w}.cpuBound: expected { frames, condResched: boolean }`);
      frames(c.cpuBound.frames, `${w}.cpuBound.frames`);
      if (c.phases.length) fail(`${w}.cpuBound: a CPU-bound loop never sleeps, so the class has no phases; expected phases: []`);
    }
    if (c.kind === 'kthread') {
      if (c.syscallRatePerS !== 0) fail(`${w}.syscallRatePerS: kthreads never enter from user space; expected 0`);
      if (!c.phases.length && !c.cpuBound) fail(`${w}: a kthread class needs phases or a cpuBound loop`);
    }
  });
  spec.fixed.forEach((f, i) => {
    const w = `workload.fixed[${i}]`;
    if (!isObj(f)) fail(`${w}: expected { comm, kind, frames, sched, reliableStack? }`);
    if (typeof f.comm !== 'string' || f.comm.length === 0 || f.comm.length > 15) fail(`${w}.comm: expected a task name of 1 to 15 characters, got ${JSON.stringify(f.comm)}`);
    kind(f.kind, `${w}.kind`);
    frames(f.frames, `${w}.frames`);
    sched(f.sched, `${w}.sched`);
    if (f.reliableStack !== undefined && typeof f.reliableStack !== 'boolean') fail(`${w}.reliableStack: expected true or false`);
  });
  if (total > LIMIT_TOTAL) fail(`workload: ${total} tasks in all; at most ${LIMIT_TOTAL}`);
}
