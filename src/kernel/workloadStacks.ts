// The workload's stacks (workload.ts): how a moving task's stack is built down a template
// through klp_ftrace_handler(), shared between the tasks of one clock event when that is
// exact, and whether a task returning up its stack lands in freed module text (the §14.5
// Oops of KERNEL-MODEL.md).

import { KLP_TRANSITION_IDLE } from './constants';
import type { Kernel } from './kernel';

const PS_IDLE = KLP_TRANSITION_IDLE;

export class WorkloadStacks {
  /** Within one clock event: the node a (base, template, patch_state) descent ends at. */
  private readonly memo = new Map<number, number>();
  /** A clock event that moves tasks is running (memo entries hold until it ends). */
  private memoLive = false;
  /** The handler records nothing (the function tracer is off), so a descent is a pure function. */
  private pureCalls = true;
  /** Some module text has been freed. */
  private anyFreed = false;

  constructor(
    private readonly k: Kernel,
    /** The plan's stack templates (workloadPlan.ts), each a list of function codes, outermost first. */
    private readonly templates: readonly (readonly number[])[],
  ) {}

  /** Start of a clock event that moves tasks: func_stacks cannot change until it ends. */
  beginEvent(): void {
    const k = this.k;
    this.memo.clear();
    this.memoLive = true;
    this.pureCalls = k.ftrace.currentTracer !== 'function' || !k.ftrace.tracingOn;
    this.refreshFreed();
  }

  /** The event ended: nothing learnt in it holds any longer. */
  endEvent(): void {
    this.memoLive = false;
  }

  /** Whether any module text has been freed (only then can a return land in freed text). */
  refreshFreed(): void {
    this.anyFreed = this.k.syms.codes.some((s) => s.freed);
  }

  /**
   * Call down the frames of template `tid` from depth `from`, on top of `base`; every call
   * goes through klp_ftrace_handler (Kernel.resolveCall), so each frame is the version the
   * task really enters. Within one tick the handler is a pure function of the task's
   * patch_state (no WARN can fire, no tracer records) unless the state is IDLE during a
   * transition or the function tracer is on, so its result is shared by every such task.
   */
  descend(slot: number, base: number, tid: number, from: number): number {
    const k = this.k;
    const ps = k.tasks.patchState[slot];
    const shared = this.memoLive && this.pureCalls && (ps !== PS_IDLE || k.klpTransitionPatch === null);
    const key = (base * this.templates.length + tid) * 3 + ps + 1;
    if (shared) {
      const hit = this.memo.get(key);
      if (hit !== undefined) return hit;
    }
    const frames = this.templates[tid];
    let node = base;
    for (let i = from; i < frames.length; i++) {
      k.tasks.stack[slot] = node;
      node = k.trie.push(node, k.resolveCall(slot, frames[i]));
    }
    if (shared) this.memo.set(key, node);
    return node;
  }

  /**
   * The task returns through (or continues in) the frames deeper than `keepDepth`: if one of
   * them is text of an unloaded module, it executes freed memory (the §14.5 Oops).
   */
  checkFreed(slot: number, node: number, keepDepth: number): void {
    if (!this.anyFreed) return;
    const k = this.k;
    for (let n = node; n > 0 && k.trie.depth(n) > keepDepth; n = k.trie.parent(n)) {
      const code = k.trie.code(n);
      if (k.syms.codes[code].freed) {
        k.tasks.stack[slot] = n;
        k.oopsFreedText(slot, code);
      }
    }
  }
}
