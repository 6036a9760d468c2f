// The task list as a structure of arrays: one slot per task, 16 bytes each, so that the
// model holds a million tasks. Slots 0..nr_cpu_ids-1 are the per-CPU idle tasks (not on
// the task list, as in the kernel); every other slot is a thread, in task-list order
// (new tasks are appended, so for_each_process_thread() order is slot order).

import { KLP_TRANSITION_IDLE, type PatchState } from './constants';

/** Scheduling state of a task (task->__state plus "on a CPU right now"). */
export const Sched = {
  /** Executing on a CPU (task_curr()): its stack cannot be checked by another task. */
  RUNNING: 0,
  /** Runnable, waiting for a CPU: stack is frozen and can be checked. */
  RUNNABLE: 1,
  /** TASK_INTERRUPTIBLE: a (fake) signal wakes it. */
  INTERRUPTIBLE: 2,
  /** TASK_UNINTERRUPTIBLE (D state, incl. TASK_IDLE): signals do not wake it. */
  UNINTERRUPTIBLE: 3,
  /** TASK_INTERRUPTIBLE | TASK_FREEZABLE: the v6.16+ scheduler hook switches it here. */
  FREEZABLE: 4,
  /** Exited, waiting to be reaped: still on the task list. */
  ZOMBIE: 5,
  /** Gone. */
  DEAD: 6,
  /**
   * TASK_UNINTERRUPTIBLE | TASK_FREEZABLE: a D-state sleeper the freezer may take. The v6.16+
   * scheduler hook tests `__state & TASK_FREEZABLE` (include/linux/livepatch_sched.h), so it
   * switches there like FREEZABLE, but a fake signal's wake_up_state(TASK_INTERRUPTIBLE)
   * does not match its state: it stays asleep.
   */
  FREEZABLE_UNINTERRUPTIBLE: 7,
} as const;
export type SchedState = (typeof Sched)[keyof typeof Sched];

export const SCHED_NAMES = ['running', 'runnable', 'interruptible sleep', 'uninterruptible sleep', 'freezable sleep', 'zombie', 'dead', 'uninterruptible freezable sleep'] as const;
/** The one-letter state of /proc/<pid>/stat and ps. */
export const SCHED_LETTER = ['R', 'R', 'S', 'D', 'S', 'Z', 'X', 'D'] as const;
/** The word of /proc/<pid>/status after the letter (fs/proc/array.c task_state_array). */
export const SCHED_STATUS_WORD = ['running', 'running', 'sleeping', 'disk sleep', 'sleeping', 'zombie', 'dead', 'disk sleep'] as const;

/** The sleep has TASK_FREEZABLE: the v6.16+ scheduler hook runs for it (klp_sched_try_switch()). */
export function isFreezableSleep(st: number): boolean {
  return st === Sched.FREEZABLE || st === Sched.FREEZABLE_UNINTERRUPTIBLE;
}

/** A D-state sleep (TASK_UNINTERRUPTIBLE, freezable or not): no signal wakes it. */
export function isUninterruptibleSleep(st: number): boolean {
  return st === Sched.UNINTERRUPTIBLE || st === Sched.FREEZABLE_UNINTERRUPTIBLE;
}

/** wake_up_state(task, TASK_INTERRUPTIBLE) matches the task's state (kernel/sched/core.c ttwu_state_match()). */
export function wakesOnSignal(st: number): boolean {
  return st === Sched.INTERRUPTIBLE || st === Sched.FREEZABLE;
}

/** Bits of the per-task flags byte. */
export const TF = {
  /** TIF_PATCH_PENDING */
  PATCH_PENDING: 1,
  /** TIF_NOTIFY_SIGNAL: set by klp_send_signals() for user tasks. */
  NOTIFY_SIGNAL: 2,
  /** On the task list (for_each_process_thread sees it); cleared by __unhash_process(). */
  LISTED: 4,
  /** PF_KTHREAD */
  KTHREAD: 8,
  /** A per-CPU idle task (swapper/N). */
  IDLE: 16,
  /** The task's stack is currently unreliable whatever its frames (e.g. interrupted in entry code). */
  UNRELIABLE: 32,
  /** Executing (or preempted) in user mode: no kernel frames of its own. */
  USER_MODE: 64,
  /** PF_EXITING: in do_exit(). */
  EXITING: 128,
} as const;

interface NewTask {
  pid: number;
  comm: string;
  flags: number;
  sched: SchedState;
  stack: number;
  patchState?: PatchState;
  cls?: number;
}

export class TaskTable {
  /** Number of slots in use (including dead ones not yet compacted). */
  n = 0;
  pid: Int32Array;
  patchState: Int8Array;
  flags: Uint8Array;
  sched: Uint8Array;
  stack: Int32Array;
  comm: Uint16Array;
  cls: Uint8Array;
  private commNames: string[] = [];
  /** Per comm id: -1 for a plain name, else the slot numbering base of a '%d' pattern. */
  private commBase: number[] = [];
  private commIds = new Map<string, number>();

  constructor(capacity = 256) {
    this.pid = new Int32Array(capacity);
    this.patchState = new Int8Array(capacity);
    this.flags = new Uint8Array(capacity);
    this.sched = new Uint8Array(capacity);
    this.stack = new Int32Array(capacity);
    this.comm = new Uint16Array(capacity);
    this.cls = new Uint8Array(capacity);
  }

  get capacity(): number {
    return this.pid.length;
  }

  /** Bytes of per-task state (the bytes_per_task figure divides this by the task count). */
  bytesPerSlot(): number {
    return 4 + 1 + 1 + 1 + 4 + 2 + 1;
  }

  reserve(capacity: number): void {
    if (capacity <= this.capacity) return;
    const grow = <T extends Int32Array | Int8Array | Uint8Array | Uint16Array>(a: T, ctor: new (n: number) => T): T => {
      const b = new ctor(capacity);
      b.set(a);
      return b;
    };
    this.pid = grow(this.pid, Int32Array);
    this.patchState = grow(this.patchState, Int8Array);
    this.flags = grow(this.flags, Uint8Array);
    this.sched = grow(this.sched, Uint8Array);
    this.stack = grow(this.stack, Int32Array);
    this.comm = grow(this.comm, Uint16Array);
    this.cls = grow(this.cls, Uint8Array);
  }

  add(t: NewTask): number {
    if (this.n === this.capacity) this.reserve(this.capacity * 2);
    const s = this.n++;
    this.pid[s] = t.pid;
    this.patchState[s] = t.patchState ?? KLP_TRANSITION_IDLE;
    this.flags[s] = t.flags;
    this.sched[s] = t.sched;
    this.stack[s] = t.stack;
    this.comm[s] = this.commId(t.comm);
    this.cls[s] = t.cls ?? 0;
    return s;
  }

  commId(name: string): number {
    return this.intern(name.slice(0, 15), name.slice(0, 15), -1); // TASK_COMM_LEN - 1
  }

  /**
   * One comm id for a whole class of tasks ('nginx-%d'): '%d' shows slot - base, so a
   * million distinct names cost one table entry instead of overflowing the 16-bit ids.
   */
  commPattern(pattern: string, base: number): number {
    return this.intern(`${pattern}\u0000${base}`, pattern, base);
  }

  private intern(key: string, name: string, base: number): number {
    let id = this.commIds.get(key);
    if (id === undefined) {
      if (this.commNames.length >= 65535) throw new Error('too many distinct task names (limit 65535)');
      id = this.commNames.length;
      this.commNames.push(name);
      this.commBase.push(base);
      this.commIds.set(key, id);
    }
    return id;
  }

  commOf(slot: number): string {
    const id = this.comm[slot];
    const base = this.commBase[id];
    const name = this.commNames[id];
    return base < 0 ? name : name.replace('%d', String(slot - base)).slice(0, 15);
  }

  setComm(slot: number, name: string): void {
    this.comm[slot] = this.commId(name);
  }

  has(slot: number, flag: number): boolean {
    return (this.flags[slot] & flag) !== 0;
  }

  set(slot: number, flag: number): void {
    this.flags[slot] |= flag;
  }

  clear(slot: number, flag: number): void {
    this.flags[slot] &= ~flag;
  }

  /** Slot of a listed task by pid, or -1 (pids grow along the slots after the idle tasks). */
  slotOfPid(pid: number, firstThread: number): number {
    let lo = firstThread;
    let hi = this.n - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const p = this.pid[mid];
      if (p === pid) return this.sched[mid] === Sched.DEAD ? -1 : mid;
      if (p < pid) lo = mid + 1;
      else hi = mid - 1;
    }
    return -1;
  }
}

/**
 * The slots still to switch in the current transition, ascending (so in task-list order):
 * scratch of the attempt walk, not per-task state. `all` stands for "every thread slot",
 * which is what klp_start_transition() leaves; a walk then keeps only the tasks it could not
 * switch, and klp_copy_process() appends a pending child. Tasks that switch by another path
 * (exit to user space, the scheduler hook, a signal) stay listed until the next walk drops
 * them, so the list is a superset of the pending threads, never a subset.
 */
export class PendingSlots {
  all = true;
  len = 0;
  slots = new Int32Array(64);

  /** klp_start_transition(): every thread may be pending again. */
  reset(): void {
    this.all = true;
    this.len = 0;
  }

  /** Capacity for at least `n` entries, keeping the first `keep`. */
  reserve(n: number, keep = this.len): void {
    if (n <= this.slots.length) return;
    const grown = new Int32Array(Math.max(n, this.slots.length * 2));
    grown.set(this.slots.subarray(0, keep));
    this.slots = grown;
  }

  /** A task that became pending after the last walk (a forked child). */
  append(slot: number): void {
    if (this.all) return;
    if (this.len > 0 && this.slots[this.len - 1] >= slot) {
      // Not after every listed slot: the list would lose task-list order, so walk them all.
      this.all = true;
      return;
    }
    this.reserve(this.len + 1);
    this.slots[this.len++] = slot;
  }

  /** The transition is over: drop the scratch. */
  release(): void {
    this.all = true;
    this.len = 0;
    if (this.slots.length > 64) this.slots = new Int32Array(64);
  }

  bytes(): number {
    return this.slots.byteLength;
  }
}
