// One cursor over two engine hosts (Compare mode). A leads: Play, Pause, step, "next" and the
// speed go to A's playback machine, and B follows A's cursor with a forward SEEK after each
// move (a backward one replays B from boot, Session.seek). A seek (the slider, a click on the
// timeline) goes to both at once. So both readouts show one time whenever the hosts are at rest.

import type { WirePlaybackEvent } from '../../engine/host';
import type { EnginePort } from '../../engine/port';

export class LinkedCursor {
  /** The last time B was sent to (by a seek of both, or following A). */
  private sent: number | undefined;
  private readonly unsubscribe: (() => void)[];

  constructor(
    readonly a: EnginePort,
    readonly b: EnginePort,
  ) {
    const follow = () => this.follow();
    this.unsubscribe = [a.subscribe(follow), b.subscribe(follow)];
    follow();
  }

  /** A's cursor, or undefined before its first snapshot. */
  now(): number | undefined {
    return this.a.ready() ? this.a.piece('cursor').now : undefined;
  }

  /** A playback event for the pair: a SEEK moves both, the rest drive A (B follows). */
  send(e: WirePlaybackEvent): void {
    if (e.type === 'SEEK') {
      this.sent = e.time;
      this.a.playback.send(e);
      this.b.playback.send(e);
      return;
    }
    this.a.playback.send(e);
  }

  /** After a move of either host at rest: B to A's time, once per time asked. */
  private follow(): void {
    const { a, b } = this;
    if (!a.ready() || !b.ready() || a.playback.getSnapshot().seeking || b.playback.getSnapshot().seeking) return;
    const t = a.piece('cursor').now;
    if (b.piece('cursor').now === t || t === this.sent) return;
    this.sent = t;
    b.playback.send({ type: 'SEEK', time: t });
  }

  close(): void {
    for (const u of this.unsubscribe) u();
  }
}
