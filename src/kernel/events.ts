// How the kernel model talks to the world outside it: observers subscribe to the livepatch
// lifecycle (views, summaries, tests), and the klp core statechart (src/engine/klpCoreMachine.ts)
// is told what it must decide on through one port. The kernel keeps the per-task mechanics;
// what follows an attempt, a reverse or a force is the machine's decision.

import type { PatchState } from './constants';

/** Lifecycle events of the livepatch core, as observers see them. */
export type KlpEvent =
  | { type: 'klp.init'; patch: string; target: PatchState }
  | { type: 'klp.start'; patch: string; target: PatchState }
  | {
      type: 'klp.attempt';
      patch: string;
      complete: boolean;
      /** Tasks the walk left unswitched (threads and idle tasks). */
      pending: number;
      /** How long the walk held tasklist_lock (µs): the retry is armed after it. */
      holdUs: number;
      /** klp_signals_cnt when the walk ended: failed attempts since the transition (re)started. */
      signalsCnt: number;
    }
  | { type: 'klp.signal'; patch: string; round: number; tasks: number }
  | { type: 'klp.reverse'; patch: string; target: PatchState }
  | { type: 'klp.force'; patch: string }
  | { type: 'klp.complete'; patch: string; target: PatchState }
  | { type: 'klp.warn'; text: string }
  /** klp_patch_object() / klp_unpatch_object() changed the func_stacks (patch.c). */
  | { type: 'klp.object'; patch: string; object: string; patched: boolean };

/**
 * What the klp core machine is told: the lifecycle events it follows (init, attempt, complete),
 * the sysfs writes it decides on (`write enabled` on the transition patch reverses it, `write
 * force` forces it) and schedule_delayed_work(&klp_transition_work).
 */
export type KlpCoreEvent =
  | Extract<KlpEvent, { type: 'klp.init' | 'klp.attempt' | 'klp.complete' }>
  | { type: 'write enabled'; patch: string }
  | { type: 'write force'; patch: string }
  | { type: 'klp.queueWork'; delayUs: number };

/** The port to the klp core machine. */
export interface KlpCorePort {
  send(e: KlpCoreEvent): void;
}

/** A kernel with no machine attached cannot decide a transition: say so rather than stall. */
export const DETACHED_CORE: KlpCorePort = {
  send(e) {
    throw new Error(`no klp core machine is attached to this kernel (it was told '${e.type}')`);
  },
};

/** Subscribers in subscription order; each subscribe returns its own unsubscribe. */
export class EventBus<E> {
  private subscribers: ((e: E) => void)[] = [];

  subscribe(fn: (e: E) => void): () => void {
    const entry = (e: E) => fn(e);
    this.subscribers = [...this.subscribers, entry];
    return () => {
      this.subscribers = this.subscribers.filter((s) => s !== entry);
    };
  }

  publish(e: E): void {
    // A subscriber added or removed during a publish takes effect from the next one.
    for (const s of this.subscribers) s(e);
  }
}
