// The page's one frame scheduler (src/ui/frameScheduler.ts), driven by a fake
// requestAnimationFrame: the simulation advances before the views draw, requests coalesce,
// and the playback's ticks come from its frames.

import { describe, expect, it } from 'vitest';
import { createActor, setup } from 'xstate';
import { FrameScheduler, frameTicks } from '../../../src/ui/frameScheduler';
import type { PlaybackEvent } from '../../../src/engine/playback';

/** A fake browser: frames run only when the test says so. */
function fakeFrames() {
  let next: FrameRequestCallback | undefined;
  let requests = 0;
  const frames = new FrameScheduler(
    (cb) => {
      next = cb;
      requests++;
      return requests;
    },
    () => {
      next = undefined;
    },
  );
  return {
    frames,
    requests: () => requests,
    run(t: number): boolean {
      const cb = next;
      next = undefined;
      cb?.(t);
      return cb !== undefined;
    },
  };
}

describe('FrameScheduler', () => {
  it('runs the advance phase before draws and draws before the after phase, once per request', () => {
    const f = fakeFrames();
    const order: string[] = [];
    const draw = () => order.push('draw');
    f.frames.request(() => order.push('ack'), 'after');
    f.frames.request(draw);
    f.frames.request(draw);
    const stop = f.frames.everyFrame(() => order.push('advance'));
    expect(f.requests()).toBe(1);
    f.run(16);
    expect(order).toEqual(['advance', 'draw', 'ack']);
    // Advancing goes on while subscribed; a one-shot request does not repeat.
    f.run(32);
    expect(order).toEqual(['advance', 'draw', 'ack', 'advance']);
    stop();
    expect(f.run(48)).toBe(false);
  });

  it('a request made during a frame runs in the next one; a cancelled one never', () => {
    const f = fakeFrames();
    const seen: number[] = [];
    const again = () => seen.push(2);
    f.frames.request(() => {
      seen.push(1);
      f.frames.request(again);
    });
    f.run(0);
    expect(seen).toEqual([1]);
    f.run(16);
    expect(seen).toEqual([1, 2]);
    const never = () => seen.push(3);
    f.frames.request(never);
    f.frames.cancel(never);
    expect(f.frames.pending).toBe(false);
    expect(f.run(32)).toBe(false);
    expect(seen).toEqual([1, 2]);
  });

  it('paces the playback machine: a TICK per frame after the first, with the wall time between them', () => {
    const f = fakeFrames();
    const ticks: number[] = [];
    const machine = setup({ types: { events: {} as PlaybackEvent }, actors: { frames: frameTicks(f.frames) } }).createMachine({
      invoke: { src: 'frames' },
      on: { TICK: { actions: ({ event }) => ticks.push(event.wallMs) } },
    });
    const actor = createActor(machine).start();
    f.run(100);
    f.run(116);
    f.run(400);
    expect(ticks).toEqual([16, 100]);
    actor.stop();
    expect(f.frames.pending).toBe(false);
  });
});
