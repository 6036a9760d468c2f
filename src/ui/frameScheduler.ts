// The page's one requestAnimationFrame owner (Perfetto's raf scheduler in miniature). Each
// frame runs its phases in order: 'advance' (the playback machine's tick moves the
// simulation), then 'draw' (views redraw from the moved simulation), then 'after' (the worker's
// snapshot is acknowledged once drawn). Any number of requests between two frames cost one
// frame; nothing in src/ui calls requestAnimationFrame but this file.

import { fromCallback } from 'xstate';
import { FRAME_BUDGET_MS, MAX_FRAME_MS, type PlaybackEvent } from '../engine/playback';

type FramePhase = 'advance' | 'draw' | 'after';
const PHASES: readonly FramePhase[] = ['advance', 'draw', 'after'];

export class FrameScheduler {
  private id = 0;
  /** Called on every frame while subscribed, in the advance phase. */
  private every = new Set<(t: number) => void>();
  /** One-shot callbacks of the next frame, per phase (a Set: asking twice is asking once). */
  private once = new Map<FramePhase, Set<() => void>>(PHASES.map((p) => [p, new Set()]));

  constructor(
    private readonly raf: (cb: FrameRequestCallback) => number = (cb) => requestAnimationFrame(cb),
    private readonly cancelRaf: (id: number) => void = (id) => cancelAnimationFrame(id),
  ) {}

  /** Run `fn` once in the next frame's `phase`. */
  request(fn: () => void, phase: FramePhase = 'draw'): void {
    this.once.get(phase)?.add(fn);
    this.schedule();
  }

  /** Forget a request not yet run. */
  cancel(fn: () => void): void {
    for (const set of this.once.values()) set.delete(fn);
    this.settle();
  }

  /** Call `fn(frameTime)` in the advance phase of every frame until the returned function is called. */
  everyFrame(fn: (t: number) => void): () => void {
    this.every.add(fn);
    this.schedule();
    return () => {
      this.every.delete(fn);
      this.settle();
    };
  }

  /** A frame is requested from the browser. */
  get pending(): boolean {
    return this.id !== 0;
  }

  private schedule(): void {
    if (!this.id) this.id = this.raf((t) => this.frame(t));
  }

  /** Nothing left to run: give the browser its frame back. */
  private settle(): void {
    if (this.id && !this.every.size && [...this.once.values()].every((s) => !s.size)) {
      this.cancelRaf(this.id);
      this.id = 0;
    }
  }

  private frame(t: number): void {
    this.id = 0;
    for (const fn of [...this.every]) fn(t);
    for (const phase of PHASES) {
      const set = this.once.get(phase) as Set<() => void>;
      // What this phase asks for the next frame runs then, not in this loop.
      const run = [...set];
      set.clear();
      for (const fn of run) fn();
    }
    if (this.every.size) this.schedule();
  }
}

/** The page's scheduler. */
export const pageFrames = new FrameScheduler();

/**
 * The playback machine's ticks paced by a scheduler's frames (the page's host gets these in
 * place of the machine's own animation frames): `wallMs` since the last frame, and a budget
 * of FRAME_BUDGET_MS from the frame's start for simulating.
 */
export function frameTicks(frames: FrameScheduler = pageFrames) {
  return fromCallback<PlaybackEvent>(({ sendBack }) => {
    let last: number | undefined;
    return frames.everyFrame((t) => {
      if (last !== undefined) {
        const deadline = performance.now() + FRAME_BUDGET_MS;
        sendBack({ type: 'TICK', wallMs: Math.min(MAX_FRAME_MS, t - last), shouldYield: () => performance.now() > deadline });
      }
      last = t;
    });
  });
}
