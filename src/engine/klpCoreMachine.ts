// The livepatch core's lifecycle as a statechart (docs/kernel-model.md §16.2): one transition at
// a time, patching or unpatching, reversible, forcible; and klp_transition_work, the delayed
// work whose timer (an XState delay on the simulated clock) drives every retry attempt.
//
// The machine decides. The kernel model (src/kernel/transition.ts) keeps the per-task
// mechanics: it walks the tasks and tells the machine the result (klp.attempt); the guards
// `all tasks switched` and `signals due` choose what follows, and the actions call the kernel
// functions they are named after: `try complete` (the end of klp_try_complete_transition()),
// `send fake signals` (klp_send_signals()), `rearm work` (schedule_delayed_work()),
// `reverse` (klp_reverse_transition(), on a write to `enabled` of the transition patch) and
// `force` (klp_force_transition(), on a write to `force`).

import { assign, setup } from 'xstate';
import type { Kernel } from '../kernel/kernel';
import type { KlpCoreEvent } from '../kernel/events';
import { KLP_TRANSITION_PATCHED } from '../kernel/constants';
import {
  klpFinishTransition,
  klpForceTransition,
  klpRearmTransitionWork,
  klpReverseTransition,
  klpSendSignals,
  klpSignalsDue,
  klpTryCompleteTransition,
} from '../kernel/transition';

export type { KlpCoreEvent } from '../kernel/events';

interface KlpCoreContext {
  kernel: Kernel;
  /** Delay of the armed klp_transition_work, in ms (round_jiffies_relative(HZ)); read by the delay. */
  workDelayMs: number;
  /** The patch in transition (klp_transition_patch), by name; shown by the Statechart view. */
  transitionPatch: string | null;
}

/** klp_transition_work_fn(): runs on a kworker; retries if a transition still exists. */
function queueTransitionWork(k: Kernel): void {
  const work = k.newWork('klp_transition_work_fn', (x) => {
    k.pushFrame(x.slot, k.codeOf('vmlinux', 'klp_transition_work_fn'));
    if (k.klpTransitionPatch) klpTryCompleteTransition(k);
  });
  k.queueWork(work, 0);
}

/** The transitions of a state with a transition in progress, patching or unpatching. */
function inTransition(reversed: 'patching' | 'unpatching') {
  return {
    on: {
      'klp.attempt': [
        { guard: 'all tasks switched', actions: 'try complete' },
        { guard: 'signals due', actions: ['send fake signals', 'rearm work'] },
        { actions: 'rearm work' },
      ],
      'write enabled': { target: reversed, actions: 'reverse' },
      'write force': { actions: 'force' },
      'klp.complete': { target: 'no transition', actions: 'forget transition patch' },
    },
  } as const;
}

export const klpCoreMachine = setup({
  types: {
    context: {} as KlpCoreContext,
    events: {} as KlpCoreEvent,
    input: {} as { kernel: Kernel },
  },
  actions: {
    'remember transition patch': assign({ transitionPatch: ({ event }) => (event.type === 'klp.init' ? event.patch : null) }),
    'forget transition patch': assign({ transitionPatch: null }),
    'try complete': ({ context }) => klpFinishTransition(context.kernel),
    'send fake signals': ({ context }) => klpSendSignals(context.kernel),
    'rearm work': ({ context, event }) => klpRearmTransitionWork(context.kernel, event.type === 'klp.attempt' ? event.holdUs : 0),
    'reverse': ({ context }) => klpReverseTransition(context.kernel),
    'force': ({ context }) => klpForceTransition(context.kernel),
    'schedule_delayed_work': assign({ workDelayMs: ({ event }) => (event.type === 'klp.queueWork' ? event.delayUs / 1000 : 1000) }),
    'klp_transition_work_fn': ({ context }) => queueTransitionWork(context.kernel),
  },
  guards: {
    'target is patched': ({ event }) => event.type === 'klp.init' && event.target === KLP_TRANSITION_PATCHED,
    /** The walk of klp_try_complete_transition() left no task pending. */
    'all tasks switched': ({ event }) => event.type === 'klp.attempt' && event.pending === 0,
    /** The attempt's klp_signals_cnt is a non-zero multiple of SIGNALS_TIMEOUT. */
    'signals due': ({ event }) => event.type === 'klp.attempt' && klpSignalsDue(event.signalsCnt),
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
  }),
  states: {
    core: {
      initial: 'no transition',
      states: {
        'no transition': {
          on: {
            'klp.init': [
              { guard: 'target is patched', target: 'patching', actions: 'remember transition patch' },
              { target: 'unpatching', actions: 'remember transition patch' },
            ],
          },
        },
        patching: inTransition('unpatching'),
        unpatching: inTransition('patching'),
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
