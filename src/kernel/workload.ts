// Shared interface between the scenario document (src/scenario/document.ts validates JSON into
// these types) and the workload model (installWorkload, which creates the tasks in the typed
// arrays and schedules their behaviour on the virtual clock with the kernel's seeded PRNG).

export type PhaseSched = 'running' | 'interruptible' | 'uninterruptible' | 'freezable';
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
}
/** A single named task with a fixed stack (e.g. the kworker stuck in busymod_work_func). */
export interface FixedTaskSpec { comm: string; kind: 'user' | 'kthread'; frames: string[]; sched: PhaseSched; reliableStack?: boolean }
export interface WorkloadSpec { classes: TaskClassSpec[]; fixed: FixedTaskSpec[] }
