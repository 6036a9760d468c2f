// Virtual time and the event queue. Every timer in the model (the livepatch delayed work,
// a kthread's msleep, the shell's `sleep`) is an event here; events at the same instant run
// in the order they were scheduled, so a run never depends on wall time or host scheduling.

import { RunStopped, type RunBudget } from './budget';

type EventFn = () => void;

interface Entry {
  time: number;
  seq: number;
  fn: EventFn;
  label: string;
  cancelled: boolean;
}

export interface TimerHandle {
  readonly id: number;
}

export class EventQueue {
  /** Current virtual time in microseconds since boot. */
  now = 0;
  private heap: Entry[] = [];
  private seq = 0;
  private byId = new Map<number, Entry>();
  /** The run budget (budget.ts): it counts events and ends virtual time. */
  budget?: RunBudget;
  /** Set when the budget stopped the run: nothing more runs and time stands still. */
  stopped: RunStopped | null = null;

  /** Run fn at virtual time `at` (never earlier than now). */
  at(at: number, fn: EventFn, label = ''): TimerHandle {
    const e: Entry = { time: Math.max(at, this.now), seq: ++this.seq, fn, label, cancelled: false };
    this.push(e);
    this.byId.set(e.seq, e);
    return { id: e.seq };
  }

  /** Run fn `delay` microseconds from now. */
  after(delay: number, fn: EventFn, label = ''): TimerHandle {
    return this.at(this.now + Math.max(0, delay), fn, label);
  }

  cancel(h: TimerHandle | undefined): void {
    if (!h) return;
    const e = this.byId.get(h.id);
    if (e) {
      e.cancelled = true;
      this.byId.delete(h.id);
    }
  }

  /** Time of the next pending event, or Infinity. */
  nextTime(): number {
    if (this.stopped) return Infinity;
    this.dropCancelled();
    return this.heap.length ? this.heap[0].time : Infinity;
  }

  pendingCount(): number {
    return this.byId.size;
  }

  /** Run every event due at or before `t`, then set the clock to `t` (or stop at the budget's end). */
  runUntil(t: number): void {
    for (;;) {
      if (this.stopped) return;
      this.dropCancelled();
      const top = this.heap[0];
      if (!top || top.time > t) break;
      this.fire(top);
    }
    if (this.budget && t > this.budget.endTime) {
      if (this.budget.endTime > this.now) this.now = this.budget.endTime;
      this.stopped = this.budget.timeUp('');
      return;
    }
    if (t > this.now) this.now = t;
  }

  /** Run exactly the next event (if any); returns false when the queue is empty or the run stopped. */
  step(): boolean {
    if (this.stopped) return false;
    this.dropCancelled();
    const top = this.heap[0];
    if (!top) return false;
    this.fire(top);
    return true;
  }

  /** Pop the head event and run it; a RunStopped from it (or past the budget's end) halts the queue. */
  private fire(top: Entry): void {
    if (this.budget && top.time > this.budget.endTime) {
      this.now = Math.max(this.now, this.budget.endTime);
      this.stopped = this.budget.timeUp(top.label);
      return;
    }
    this.pop();
    this.byId.delete(top.seq);
    this.now = Math.max(this.now, top.time);
    try {
      this.budget?.event(top.label);
      top.fn();
    } catch (e) {
      if (!(e instanceof RunStopped)) throw e;
      this.stopped = e;
    }
  }

  private dropCancelled(): void {
    while (this.heap.length && this.heap[0].cancelled) this.pop();
  }

  private less(a: Entry, b: Entry): boolean {
    return a.time < b.time || (a.time === b.time && a.seq < b.seq);
  }

  private push(e: Entry): void {
    const h = this.heap;
    h.push(e);
    let i = h.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!this.less(h[i], h[p])) break;
      [h[i], h[p]] = [h[p], h[i]];
      i = p;
    }
  }

  private pop(): Entry | undefined {
    const h = this.heap;
    const top = h[0];
    const last = h.pop();
    if (h.length && last) {
      h[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < h.length && this.less(h[l], h[m])) m = l;
        if (r < h.length && this.less(h[r], h[m])) m = r;
        if (m === i) break;
        [h[i], h[m]] = [h[m], h[i]];
        i = m;
      }
    }
    return top;
  }
}
