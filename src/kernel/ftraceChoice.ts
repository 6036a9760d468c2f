// The decision of klp_ftrace_handler() (patch.c) as a pure query: which body a task would
// run if it called a patched function now. Kernel.resolveCall() makes the same decision but
// also raises the WARN_ON_ONCE for an IDLE task and feeds the function tracer; the explorer
// asks "what if" questions and must not change the machine by asking.

import { KLP_TRANSITION_IDLE, KLP_TRANSITION_UNPATCHED } from './constants';
import type { KlpFunc } from './klp';
import type { Kernel } from './kernel';

interface CallChoice {
  /** Code id of the body that runs. */
  code: number;
  /** Index in func_stack of the entry that answered (-1: no klp_ops, or an empty stack). */
  entry: number;
  /** The entry itself, when one answered. */
  func: KlpFunc | null;
  /** The kernel would WARN_ON_ONCE here (a transition entry seen by an IDLE task). */
  warns: boolean;
  /** Why this body, in the handler's terms. */
  why: string;
}

/**
 * klp_ftrace_handler()'s pick in a func_stack whose top entry is (or is not) in transition,
 * for a task of patch_state `ps`: 0, the top entry; 1, the entry below it (an unpatched task
 * during the transition). The one rule klpFtraceChoice(), the analysis' universes and the
 * state-space search (src/search/) share.
 */
export function ftraceEntryIndex(topInTransition: boolean, ps: number): 0 | 1 {
  return topInTransition && ps === KLP_TRANSITION_UNPATCHED ? 1 : 0;
}

/** The handler's WARN_ON_ONCE: an IDLE task meets a func_stack whose top entry is in transition. */
export function ftraceWarns(topInTransition: boolean, ps: number): boolean {
  return topInTransition && ps === KLP_TRANSITION_IDLE;
}

/** klp_ftrace_handler() for task `slot` calling the original function `orig`, without side effects. */
export function klpFtraceChoice(k: Kernel, slot: number, orig: number): CallChoice {
  const ops = k.klpOps.get(orig);
  if (!ops) return { code: orig, entry: -1, func: null, warns: false, why: 'The function is not patched: no klp_ops, the call runs the original.' };
  const top = ops.funcStack[0];
  if (!top) return { code: orig, entry: -1, func: null, warns: true, why: 'Empty func_stack: the handler WARNs and the original runs.' };
  const ps = k.tasks.patchState[slot];
  const entry = ftraceEntryIndex(top.transition, ps);
  const warns = ftraceWarns(top.transition, ps);
  let why: string;
  if (!top.transition) {
    why = `The top entry (${top.patch.name}) is not in transition: every task runs it.`;
  } else {
    if (warns) {
      why = `The top entry is in transition but the task's patch_state is -1 (IDLE): the handler WARNs and falls through to the top entry (${top.patch.name}).`;
    } else if (entry === 1) {
      why = ops.funcStack[1]
        ? `The top entry is in transition and the task is unpatched (0): it runs the entry below (${ops.funcStack[1].patch.name}).`
        : 'The top entry is in transition and the task is unpatched (0): nothing below it, so the original runs.';
    } else {
      why = `The top entry is in transition and the task is patched (1): it runs the top entry (${top.patch.name}).`;
    }
  }
  const func = ops.funcStack[entry] ?? null;
  if (!func) return { code: orig, entry: -1, func: null, warns, why };
  if (func.nop || !func.newFunc) return { code: orig, entry, func, warns, why: `${why} That entry is a nop: the original function runs.` };
  return { code: func.newFunc.id, entry, func, warns, why };
}
