// The run budget: one set of limits for every run of the model, in the CLI, on the page and
// in the simulation worker. A scenario may ask for a run without end (a 1 µs sleep loop, a
// fork storm, a function that prints a billion lines); the budget stops it instead, with one
// message that names the budget and what reached it. The transcript up to that point stays,
// and nothing is thrown past the machine: the event queue catches RunStopped and halts
// (EventQueue.stopped), and every driver of the clock (the Session, played or headless) reads it.
//
// The limits that can be checked before a run (a script line past 24 h, a call cycle, a class
// too large) are checked by the document validator with the same constants (document.ts,
// moduleSpec.ts import them from here).

/** The limits of one run. */
export interface RunLimits {
  /** Virtual time from the script's start, µs. */
  virtualUs: number;
  /** Events run on the virtual clock (timers, task wake-ups, each step of every task). */
  events: number;
  /** Bytes of kernel log text printed (each record's text and its newline). */
  logBytes: number;
  /** Frames on one task's kernel stack (call steps of scenario functions nest). */
  callDepth: number;
  /** Tasks created after the script started (forks, kthreads, shell commands). */
  tasksSpawned: number;
  /** Steps of the workload's tasks (a syscall, a return, a wake-up, a fork, an exit): one clock
   *  event of the workload moves many tasks, so these are counted apart from the events. */
  taskSteps: number;
}

/** 24 hours of virtual time: what a script may last, and where a run stops. */
export const MAX_VIRTUAL_US = 24 * 3600 * 1_000_000;

/**
 * The budget of every run. Measured with `npm run bench` (budget_* figures): the events and
 * log limits each take a few seconds of wall time to reach on the reference machine.
 */
export const RUN_BUDGET: Readonly<RunLimits> = {
  virtualUs: MAX_VIRTUAL_US,
  events: 1_000_000,
  logBytes: 16 * 1024 * 1024,
  callDepth: 256,
  tasksSpawned: 200_000,
  taskSteps: 50_000_000,
};

/** Each budget's name in messages, and its limit in words. */
const BUDGETS: Record<keyof RunLimits, { name: string; limit: (n: number) => string }> = {
  virtualUs: { name: 'virtual time', limit: (n) => (n % 3_600_000_000 === 0 ? `${n / 3_600_000_000} h` : `${n / 1e6} s`) },
  events: { name: 'events', limit: (n) => `${n.toLocaleString('en-US')} events` },
  logBytes: { name: 'kernel log', limit: (n) => `${(n / 1024 / 1024).toLocaleString('en-US')} MiB` },
  callDepth: { name: 'call depth', limit: (n) => `${n} frames` },
  tasksSpawned: { name: 'tasks spawned', limit: (n) => `${n.toLocaleString('en-US')} tasks` },
  taskSteps: { name: 'task steps', limit: (n) => `${n.toLocaleString('en-US')} steps` },
};

/** Thrown inside the machine when a budget runs out; caught by the event queue, never further. */
export class RunStopped extends Error {
  constructor(
    readonly budget: keyof RunLimits,
    readonly limit: number,
    readonly by: string,
    /** Virtual time of the stop, µs since boot. */
    readonly time: number,
  ) {
    super(`run stopped at ${(time / 1e6).toFixed(6)}s: the ${BUDGETS[budget].name} budget (${BUDGETS[budget].limit(limit)}) was reached by ${by}`);
  }
}

/** What the budget reads of the machine (structural, so that the kernel need not import it). */
interface BudgetedMachine {
  readonly clock: { readonly now: number };
  readonly tasks: { readonly n: number; commOf(slot: number): string };
}

/** The counters of one run against its limits. */
export class RunBudget {
  events = 0;
  logBytes = 0;
  taskSteps = 0;
  /** Virtual time at which the run stops (the script's start + virtualUs). */
  endTime: number;
  private tasksAtStart: number;

  constructor(
    private readonly machine: BudgetedMachine,
    readonly limits: Readonly<RunLimits> = RUN_BUDGET,
  ) {
    this.endTime = machine.clock.now + limits.virtualUs;
    this.tasksAtStart = machine.tasks.n;
  }

  /** The script starts now: virtual time (at most `virtualUs`) and spawned tasks count from here. */
  begin(virtualUs = this.limits.virtualUs): void {
    this.endTime = this.machine.clock.now + Math.min(virtualUs, this.limits.virtualUs);
    this.tasksAtStart = this.machine.tasks.n;
  }

  /** Before each event of the clock (its label says what it is). */
  event(label: string): void {
    if (++this.events > this.limits.events) throw new RunStopped('events', this.limits.events, label ? `'${label}'` : 'the next event', this.machine.clock.now);
    const spawned = this.machine.tasks.n - this.tasksAtStart;
    if (spawned > this.limits.tasksSpawned) throw new RunStopped('tasksSpawned', this.limits.tasksSpawned, `'${this.machine.tasks.commOf(this.machine.tasks.n - 1)}'`, this.machine.clock.now);
  }

  /** The workload is about to move `n` of its tasks in the event `label` (each move one step). */
  steps(n: number, label: string): void {
    this.taskSteps += n;
    if (this.taskSteps > this.limits.taskSteps) throw new RunStopped('taskSteps', this.limits.taskSteps, `'${label}'`, this.machine.clock.now);
  }

  /** The stop for an event (or a clock move) past the end of virtual time. */
  timeUp(label: string): RunStopped {
    return new RunStopped('virtualUs', this.limits.virtualUs, label ? `'${label}'` : 'the clock', this.endTime);
  }

  /** A kernel log record was printed. */
  log(text: string): void {
    this.logBytes += text.length + 1;
    if (this.logBytes > this.limits.logBytes) throw new RunStopped('logBytes', this.limits.logBytes, `the line '${text.length > 60 ? `${text.slice(0, 60)}...` : text}'`, this.machine.clock.now);
  }

  /** A call is about to push a frame on `slot`'s stack, which already has `depth`. */
  call(depth: number, slot: number, name: string): void {
    if (depth + 1 > this.limits.callDepth) throw new RunStopped('callDepth', this.limits.callDepth, `${this.machine.tasks.commOf(slot)} calling ${name}()`, this.machine.clock.now);
  }
}
