// The livepatch core's lifecycle as a statechart (KERNEL-MODEL.md §16.2): one transition at
// a time, patching or unpatching, reversible, forcible; and klp_transition_work, the delayed
// work whose timer (an XState delay on the simulated clock) drives every retry attempt.
// The kernel model reports its lifecycle events here; the machine's timer calls back into
// the kernel (klp_transition_work_fn) when it fires.

import { assign, setup } from 'xstate';
import type { Kernel, KlpEvent } from '../kernel/kernel';
import { KLP_TRANSITION_PATCHED } from '../kernel/constants';
import { klpTryCompleteTransition } from '../kernel/transition';

export interface KlpCoreContext {
  kernel: Kernel;
  /** Delay of the armed klp_transition_work, in ms (round_jiffies_relative(HZ)). */
  workDelayMs: number;
  /** The patch in transition (klp_transition_patch), by name. */
  transitionPatch: string | null;
  attempts: number;
  signalRounds: number;
  forced: boolean;
  reversals: number;
}

export type KlpCoreEvent = KlpEvent;

/** klp_transition_work_fn(): runs on a kworker; retries if a transition still exists. */
export function queueTransitionWork(k: Kernel): void {
  const work = k.newWork('klp_transition_work_fn', (x) => {
    k.pushFrame(x.slot, k.codeOf('vmlinux', 'klp_transition_work_fn'));
    if (k.klpTransitionPatch) klpTryCompleteTransition(k);
  });
  k.queueWork(work, 0);
}

export const klpCoreMachine = setup({
  types: {
    context: {} as KlpCoreContext,
    events: {} as KlpCoreEvent,
    input: {} as { kernel: Kernel },
  },
  actions: {
    'klp_init_transition': assign({
      transitionPatch: ({ event }) => (event.type === 'klp.init' ? event.patch : null),
      attempts: 0,
      signalRounds: 0,
      forced: false,
      reversals: 0,
    }),
    'count attempt': assign({ attempts: ({ context }) => context.attempts + 1 }),
    'klp_send_signals': assign({ signalRounds: ({ context }) => context.signalRounds + 1 }),
    'klp_reverse_transition': assign({ reversals: ({ context }) => context.reversals + 1 }),
    'klp_force_transition': assign({ forced: true }),
    'klp_complete_transition': assign({ transitionPatch: null }),
    'schedule_delayed_work': assign({ workDelayMs: ({ event }) => (event.type === 'klp.queueWork' ? event.delayUs / 1000 : 1000) }),
    'klp_transition_work_fn': ({ context }) => queueTransitionWork(context.kernel),
  },
  guards: {
    'target is patched': ({ event }) => event.type === 'klp.init' && event.target === KLP_TRANSITION_PATCHED,
  },
  delays: {
    'round_jiffies_relative(HZ)': ({ context }) => context.workDelayMs,
  },
}).createMachine({
  id: 'klp',
  type: 'parallel',
  context: ({ input }) => ({
    kernel: input.kernel,
    workDelayMs: 1000,
    transitionPatch: null,
    attempts: 0,
    signalRounds: 0,
    forced: false,
    reversals: 0,
  }),
  states: {
    core: {
      initial: 'no transition',
      states: {
        'no transition': {
          on: {
            'klp.init': [
              { guard: 'target is patched', target: 'patching', actions: 'klp_init_transition' },
              { target: 'unpatching', actions: 'klp_init_transition' },
            ],
          },
        },
        patching: {
          on: {
            'klp.attempt': { actions: 'count attempt' },
            'klp.signal': { actions: 'klp_send_signals' },
            'klp.reverse': { target: 'unpatching', actions: 'klp_reverse_transition' },
            'klp.force': { actions: 'klp_force_transition' },
            'klp.complete': { target: 'no transition', actions: 'klp_complete_transition' },
          },
        },
        unpatching: {
          on: {
            'klp.attempt': { actions: 'count attempt' },
            'klp.signal': { actions: 'klp_send_signals' },
            'klp.reverse': { target: 'patching', actions: 'klp_reverse_transition' },
            'klp.force': { actions: 'klp_force_transition' },
            'klp.complete': { target: 'no transition', actions: 'klp_complete_transition' },
          },
        },
      },
    },
    klp_transition_work: {
      initial: 'idle',
      states: {
        idle: {
          on: { 'klp.queueWork': { target: 'pending', actions: 'schedule_delayed_work' } },
        },
        pending: {
          // schedule_delayed_work() on a pending work does nothing.
          after: { 'round_jiffies_relative(HZ)': { target: 'idle', actions: 'klp_transition_work_fn' } },
        },
      },
    },
  },
});
