// The search's state of a machine (what SearchModel's moves read and write; model.ts says
// what each field means to the kernel), and its two copies: clone(), a state of its own,
// and copyInto(), into the model's reused scratch state.

export interface Listed {
  p: number;
  enabled: boolean;
  /** Bit f: a nop for function f. */
  nops: number;
}

export interface TaskState {
  alive: boolean;
  ps: number;
  /** code, step, code, step, ... from the outermost frame; the innermost frame's step is a sleep. */
  stack: number[];
}

export interface State {
  pc: number;
  /** A helper (load_lp, disable_lp) waits for the transition to end. */
  waiting: boolean;
  /** The script ended: its last line ran, or a helper died. */
  ended: boolean;
  targets: number;
  lpLoaded: number;
  forced: number;
  list: Listed[];
  trans: number;
  target: number;
  bgPs: number;
  /**
   * The idle tasks' patch_state. An idle task that runs on its CPU fails the attempt's
   * check ("is running") and switches itself just after it (wake_up_if_idle(), do_idle()),
   * so an attempt that finds one pending cannot complete the transition.
   */
  idlePs: number;
  tasks: TaskState[];
  /** Ids of the universes shipped so far, sorted. */
  shipped: number[];
}

/**
 * A copy that may be changed: klp_patches entries and tasks are copied, a task's stack is
 * copied when it runs. Field by field: cheaper than spreads on the search's hot path.
 */
export function clone(s: State): State {
  const list: Listed[] = new Array(s.list.length);
  for (let i = 0; i < list.length; i++) {
    const l = s.list[i];
    list[i] = { p: l.p, enabled: l.enabled, nops: l.nops };
  }
  const tasks: TaskState[] = new Array(s.tasks.length);
  for (let i = 0; i < tasks.length; i++) {
    const t = s.tasks[i];
    tasks[i] = { alive: t.alive, ps: t.ps, stack: t.stack };
  }
  return { pc: s.pc, waiting: s.waiting, ended: s.ended, targets: s.targets, lpLoaded: s.lpLoaded, forced: s.forced, list, trans: s.trans, target: s.target, bgPs: s.bgPs, idlePs: s.idlePs, tasks, shipped: s.shipped };
}

/**
 * `src` copied into `dst`, reusing dst's klp_patches entries and task objects (never shared
 * with a kept state: keep() copies them); stacks and the shipped list are shared, as clone()
 * shares them (a move replaces them, never changes them in place).
 */
export function copyInto(dst: State, src: State): State {
  if (dst === src) return dst;
  dst.pc = src.pc;
  dst.waiting = src.waiting;
  dst.ended = src.ended;
  dst.targets = src.targets;
  dst.lpLoaded = src.lpLoaded;
  dst.forced = src.forced;
  dst.trans = src.trans;
  dst.target = src.target;
  dst.bgPs = src.bgPs;
  dst.idlePs = src.idlePs;
  dst.shipped = src.shipped;
  const list = dst.list;
  list.length = src.list.length;
  for (let i = 0; i < list.length; i++) {
    const l = src.list[i];
    const d = list[i];
    if (d) {
      d.p = l.p;
      d.enabled = l.enabled;
      d.nops = l.nops;
    } else list[i] = { p: l.p, enabled: l.enabled, nops: l.nops };
  }
  const tasks = dst.tasks;
  tasks.length = src.tasks.length;
  for (let i = 0; i < tasks.length; i++) {
    const t = src.tasks[i];
    const d = tasks[i];
    if (d) {
      d.alive = t.alive;
      d.ps = t.ps;
      d.stack = t.stack;
    } else tasks[i] = { alive: t.alive, ps: t.ps, stack: t.stack };
  }
  return dst;
}
