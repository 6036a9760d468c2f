// The chapter stepper: closed, the list of chapters, or one step of one chapter. Components
// read it with @xstate/react's useSelector and drive it with send (Continue, Back, a link).

import { assign, createActor, setup } from 'xstate';

interface StepperContext {
  chapter: string | null;
  /** 0-based step index. */
  step: number;
  /** Steps in the chapter (known once its data is loaded). */
  count: number;
}

type StepperEvent =
  | { type: 'OPEN_LIST' }
  | { type: 'CLOSE' }
  | { type: 'START'; chapter: string; step: number; count: number }
  | { type: 'NEXT' }
  | { type: 'BACK' };

export const chapterMachine = setup({
  types: { context: {} as StepperContext, events: {} as StepperEvent },
  guards: {
    hasNext: ({ context }) => context.step + 1 < context.count,
    hasPrevious: ({ context }) => context.step > 0,
  },
  actions: {
    start: assign(({ event }) => (event.type === 'START' ? { chapter: event.chapter, step: Math.min(Math.max(0, event.step), event.count - 1), count: event.count } : {})),
    next: assign({ step: ({ context }) => context.step + 1 }),
    back: assign({ step: ({ context }) => context.step - 1 }),
  },
}).createMachine({
  id: 'chapters',
  initial: 'closed',
  context: { chapter: null, step: 0, count: 0 },
  states: {
    closed: { on: { OPEN_LIST: 'list', START: { target: 'step', actions: 'start' } } },
    list: { on: { CLOSE: 'closed', START: { target: 'step', actions: 'start' } } },
    step: {
      on: {
        NEXT: { guard: 'hasNext', actions: 'next' },
        BACK: { guard: 'hasPrevious', actions: 'back' },
        START: { actions: 'start' },
        OPEN_LIST: 'list',
        CLOSE: 'closed',
      },
    },
  },
});

/** The page's one stepper. */
export const chapterStepper = createActor(chapterMachine).start();
