// The shell's background jobs (`CMD &`, `$!`, `wait`, `kill`): each is a forked child the
// shell did not wait for. A job keeps its exit status until `wait` collects it, as bash
// remembers the status of a finished asynchronous command. Signals: a program may handle
// some (test_klp-call_getpid handles SIGHUP and SIGINT); any other signal takes its default
// action, which for every signal modelled here ends the process (status 128 + signal).

import { WaitQueue } from '../kernel/exec';
import type { CmdResult } from './commands/registry';

export interface Job {
  pid: number;
  slot: number;
  comm: string;
  /** Set when the child has exited. */
  result?: CmdResult;
  readonly exited: WaitQueue;
  /** Signals the program installed handlers for (it polls `pending`). */
  readonly handles: Set<number>;
  /** Handled signals delivered and not yet seen by the program. */
  readonly pending: number[];
  /** The signal whose default action ended it. */
  killedBy?: number;
  /** Its program has begun (a signal before that ends it as it starts). */
  started: boolean;
}

/** Signal numbers of x86-64 Linux (signal(7)) the `kill` builtin accepts by name. */
const SIGNALS = new Map<string, number>([
  ['HUP', 1], ['INT', 2], ['QUIT', 3], ['ILL', 4], ['TRAP', 5], ['ABRT', 6], ['BUS', 7], ['FPE', 8],
  ['KILL', 9], ['USR1', 10], ['SEGV', 11], ['USR2', 12], ['PIPE', 13], ['ALRM', 14], ['TERM', 15],
]);

/** A signal as `kill` takes it (`TERM`, `SIGTERM`, `15`, `0`); null when it is not one. */
export function parseSignal(spec: string): number | null {
  if (/^[0-9]+$/.test(spec)) {
    const n = Number(spec);
    return n === 0 || [...SIGNALS.values()].includes(n) ? n : null;
  }
  const name = spec.toUpperCase().replace(/^SIG/, '');
  return SIGNALS.get(name) ?? null;
}

export class Jobs {
  private readonly byPid = new Map<number, Job>();
  private readonly bySlotMap = new Map<number, Job>();
  /** `$!`: the pid of the last background job, if any. */
  lastPid: number | undefined;

  add(pid: number, slot: number, comm: string): Job {
    const job: Job = { pid, slot, comm, exited: new WaitQueue(`wait4 ${comm}`), handles: new Set(), pending: [], started: false };
    this.byPid.set(pid, job);
    this.bySlotMap.set(slot, job);
    this.lastPid = pid;
    return job;
  }

  get(pid: number): Job | undefined {
    return this.byPid.get(pid);
  }

  /** The job a task runs, if it is one (a program asks for its signals). */
  bySlot(slot: number): Job | undefined {
    const j = this.bySlotMap.get(slot);
    return j && j.result === undefined ? j : undefined;
  }

  /** `wait` collected it: bash forgets the job. */
  forget(job: Job): void {
    this.byPid.delete(job.pid);
    if (this.bySlotMap.get(job.slot) === job) this.bySlotMap.delete(job.slot);
  }

  all(): Job[] {
    return [...this.byPid.values()];
  }
}
