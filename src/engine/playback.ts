// The playback machine: play, pause, step, seek, speed, and "run to the next interesting
// event", over a Session. Virtual time only moves through it; the wall clock enters only as
// the animation frames that pace playing (the model itself never sees wall time).

import { assign, fromCallback, setup } from 'xstate';
import type { Session } from './session';

/** Speed is 10^(exp/4) virtual seconds per wall second: quarter decades, 0.01x to 1000x. */
export const SPEED_MIN_EXP = -8;
export const SPEED_MAX_EXP = 12;
export function speedOf(exp: number): number {
  return 10 ** (exp / 4);
}
export function speedLabel(exp: number): string {
  const s = speedOf(exp);
  return `${s >= 10 ? Math.round(s) : s >= 1 ? s.toFixed(1).replace(/\.0$/, '') : s.toPrecision(2)}×`;
}

interface PlaybackContext {
  session: Session;
  speedExp: number;
  /** Cursor times before each step forward, so Step back retraces them. */
  trail: number[];
  /** The last frame could not simulate as far as the speed asked (the model is the bottleneck). */
  limited: boolean;
}

export type PlaybackEvent =
  | { type: 'PLAY' }
  | { type: 'PAUSE' }
  | { type: 'TOGGLE' }
  | { type: 'STEP_FORWARD' }
  | { type: 'STEP_BACK' }
  | { type: 'NEXT_INTERESTING' }
  | { type: 'NEXT_MARKER' }
  /** Move the cursor; with `shouldYield` a long replay continues over the next frames. */
  | { type: 'SEEK'; time: number; shouldYield?: () => boolean }
  | { type: 'SPEED'; exp: number }
  | { type: 'FASTER' }
  | { type: 'SLOWER' }
  /** An animation frame: `wallMs` since the last one; `shouldYield` says the frame's budget is spent. */
  | { type: 'TICK'; wallMs: number; shouldYield?: () => boolean };

/** Longest wall gap one frame may account for (a background tab must not jump minutes). */
export const MAX_FRAME_MS = 100;
/** Wall time one frame may spend simulating, leaving the rest of a 60 Hz frame to drawing. */
export const FRAME_BUDGET_MS = 8;

const clampExp = (e: number) => Math.min(SPEED_MAX_EXP, Math.max(SPEED_MIN_EXP, Math.round(e)));

export const playbackMachine = setup({
  types: {
    context: {} as PlaybackContext,
    events: {} as PlaybackEvent,
    input: {} as { session: Session; speedExp?: number },
  },
  actors: {
    'animation frames': fromCallback<PlaybackEvent>(({ sendBack }) => {
      let last: number | undefined;
      let id = 0;
      const frame = (t: number) => {
        if (last !== undefined) {
          const deadline = performance.now() + FRAME_BUDGET_MS;
          sendBack({ type: 'TICK', wallMs: Math.min(MAX_FRAME_MS, t - last), shouldYield: () => performance.now() > deadline });
        }
        last = t;
        id = requestAnimationFrame(frame);
      };
      id = requestAnimationFrame(frame);
      return () => cancelAnimationFrame(id);
    }),
  },
  guards: {
    'seek finished': ({ context }) => context.session.seekTarget === null,
  },
  actions: {
    'cancel the seek': ({ context }) => {
      context.session.cancelSeek();
    },
    'advance virtual time': assign({
      limited: ({ context, event }) => {
        if (event.type !== 'TICK') return context.limited;
        const s = context.session;
        return !s.advanceTo(s.now + Math.max(1, Math.round(event.wallMs * 1000 * speedOf(context.speedExp))), event.shouldYield);
      },
    }),
    'run the next event': assign({
      trail: ({ context }) => {
        const before = context.session.now;
        context.session.stepEvent();
        return [...context.trail.slice(-999), before];
      },
    }),
    'retrace one step': assign({
      trail: ({ context }) => {
        const s = context.session;
        const trail = context.trail.slice();
        let back = trail.pop();
        if (back === undefined) back = [...s.markers].reverse().find((m) => m.time < s.now)?.time ?? s.start;
        s.seek(back);
        return trail;
      },
    }),
    'run to the next interesting event': ({ context }) => {
      context.session.runToInteresting();
    },
    'run to the next marker': ({ context }) => {
      context.session.runToMarker();
    },
    seek: assign({
      trail: ({ context, event }) => {
        if (event.type === 'SEEK') context.session.seek(event.time, event.shouldYield);
        return [];
      },
    }),
    'continue the seek': ({ context, event }) => {
      if (event.type === 'TICK') context.session.continueSeek(event.shouldYield);
    },
    'set speed': assign({
      speedExp: ({ context, event }) => {
        if (event.type === 'SPEED') return clampExp(event.exp);
        if (event.type === 'FASTER') return clampExp(context.speedExp + 1);
        if (event.type === 'SLOWER') return clampExp(context.speedExp - 1);
        return context.speedExp;
      },
    }),
  },
}).createMachine({
  id: 'playback',
  context: ({ input }) => ({ session: input.session, speedExp: clampExp(input.speedExp ?? 0), trail: [], limited: false }),
  initial: 'paused',
  on: {
    SEEK: { target: '.seeking', actions: 'seek' },
    SPEED: { actions: 'set speed' },
    FASTER: { actions: 'set speed' },
    SLOWER: { actions: 'set speed' },
  },
  states: {
    seeking: {
      // A backward seek replays from boot; long replays go on over animation frames so
      // the page keeps responding. Pauses when the cursor arrives.
      always: { guard: 'seek finished', target: 'paused' },
      invoke: { src: 'animation frames' },
      on: {
        TICK: { actions: 'continue the seek' },
        PAUSE: { actions: 'cancel the seek', target: 'paused' },
      },
    },
    paused: {
      on: {
        PLAY: 'playing',
        TOGGLE: 'playing',
        STEP_FORWARD: { actions: 'run the next event' },
        STEP_BACK: { actions: 'retrace one step' },
        NEXT_INTERESTING: { actions: 'run to the next interesting event' },
        NEXT_MARKER: { actions: 'run to the next marker' },
      },
    },
    playing: {
      invoke: { src: 'animation frames' },
      on: {
        PAUSE: 'paused',
        TOGGLE: 'paused',
        TICK: { actions: 'advance virtual time' },
        STEP_FORWARD: { target: 'paused', actions: 'run the next event' },
        STEP_BACK: { target: 'paused', actions: 'retrace one step' },
        NEXT_INTERESTING: { target: 'paused', actions: 'run to the next interesting event' },
        NEXT_MARKER: { target: 'paused', actions: 'run to the next marker' },
      },
    },
  },
});
