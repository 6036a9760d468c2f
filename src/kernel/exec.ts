// Running kernel code on behalf of a task. Function bodies are generators: a body that
// sleeps yields a Wait, and the task's coroutine resumes when the wait ends. Every call goes
// through the livepatch ftrace handler (Kernel.resolveCall), so each frame records the
// version of the function the task really entered.

import type { Kernel } from './kernel';
import type { SchedState } from './tasks';

export type Wait =
  /** Sleep for `us` microseconds in the given state (msleep, schedule_timeout). */
  | { kind: 'sleep'; us: number; state: SchedState; until?: () => boolean }
  /** Block until `until()` holds (checked when woken); `wq` names the wait queue. */
  | { kind: 'block'; state: SchedState; wq: WaitQueue; until: () => boolean }
  /** Stay on the CPU for `us` microseconds. */
  | { kind: 'run'; us: number };

export type Step<R = unknown> = Generator<Wait, R, unknown>;
export type CodeBody = (x: Exec, arg?: unknown) => Step<unknown> | Step<void> | unknown;

/** A wait queue: tasks blocked on it are woken by wake(). */
export class WaitQueue {
  private waiters = new Set<number>();
  constructor(readonly name: string) {}
  add(slot: number): void {
    this.waiters.add(slot);
  }
  remove(slot: number): void {
    this.waiters.delete(slot);
  }
  take(): number[] {
    const w = [...this.waiters];
    this.waiters.clear();
    return w;
  }
  get size(): number {
    return this.waiters.size;
  }
}

export function isStep(v: unknown): v is Step<unknown> {
  return typeof v === 'object' && v !== null && typeof (v as Step).next === 'function' && typeof (v as Step).throw === 'function';
}

/** Execution context: the task whose stack the calls go on. */
export class Exec {
  constructor(
    readonly k: Kernel,
    readonly slot: number,
  ) {}

  /** Call `name` in `owner` (vmlinux or a module) through the ftrace handler. */
  *call(owner: string, name: string, arg?: unknown): Step {
    const code = this.k.resolveCallByName(this.slot, owner, name);
    return yield* this.enter(code, arg);
  }

  /** Call a code id (already resolved as the original function) through the handler. */
  *callCode(origCode: number, arg?: unknown): Step {
    const code = this.k.resolveCall(this.slot, origCode);
    return yield* this.enter(code, arg);
  }

  /** A call that must not sleep (e.g. a seq_file show routine). */
  callSync(owner: string, name: string, arg?: unknown): unknown {
    return runToEnd(this.call(owner, name, arg));
  }

  /** Push frames of functions that are not hooked (scenery), run `inner`, pop them. */
  *within(owner: string, names: readonly string[], inner: () => Step): Step {
    const k = this.k;
    const saved = k.tasks.stack[this.slot];
    for (const n of names) k.pushFrame(this.slot, k.codeOf(owner, n));
    try {
      return yield* inner();
    } finally {
      k.tasks.stack[this.slot] = saved;
    }
  }

  /** cond_resched(): v6.4-v6.15 let a pending task try to switch here. */
  condResched(): void {
    this.k.klpSchedHook(this.slot, false);
  }

  /** Sleep inside `frames` (e.g. msleep -> schedule_timeout -> schedule). */
  *sleep(us: number, state: SchedState, frames: readonly string[] = ['schedule']): Step {
    return yield* this.within('vmlinux', frames, function* () {
      yield { kind: 'sleep', us, state };
    });
  }

  private *enter(code: number, arg: unknown): Step {
    const k = this.k;
    const saved = k.tasks.stack[this.slot];
    k.pushFrame(this.slot, code);
    try {
      const body = k.syms.codes[code].body;
      if (k.syms.codes[code].freed) k.oopsFreedText(this.slot, code);
      const r = body ? body(this, arg) : undefined;
      return isStep(r) ? yield* r : r;
    } finally {
      k.tasks.stack[this.slot] = saved;
    }
  }
}

/** Drive a generator that is not allowed to sleep. */
export function runToEnd(s: Step): unknown {
  const r = s.next();
  if (!r.done) throw new Error('a non-sleeping context tried to sleep');
  return r.value;
}
