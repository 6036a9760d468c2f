// The one place that reads XState internals: the inspection API's microstep events carry the
// transitions taken in `_transitions`, a field XState marks internal. Everything else (the
// Session, the Statechart view) goes through this adapter, so an XState upgrade that renames
// it is fixed here.

import type { AnyActor, AnyTransitionDefinition } from 'xstate';

/** Transitions a machine took in one microstep (for the Statechart view). */
export interface CoreStep {
  time: number;
  event: string;
  transitions: readonly AnyTransitionDefinition[];
}

/**
 * Calls `fn` with every microstep of `actor` (and the actors it spawns) that took at least one
 * transition, stamped with `now()`; returns the unsubscribe.
 */
export function observeMicrosteps(actor: AnyActor, now: () => number, fn: (step: CoreStep) => void): () => void {
  const sub = actor.system.inspect((ev: { type: string; event?: { type: string }; _transitions?: readonly AnyTransitionDefinition[] }) => {
    if (ev.type !== '@xstate.microstep' || !ev._transitions || ev._transitions.length === 0) return;
    fn({ time: now(), event: ev.event?.type ?? '', transitions: ev._transitions });
  });
  return () => sub.unsubscribe();
}

/** The top-level region a transition belongs to (its source's first path segment). */
export function regionOf(t: AnyTransitionDefinition): string {
  return t.source.path[0] ?? '';
}
