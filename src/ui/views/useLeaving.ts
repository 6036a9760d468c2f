// Keyed lists whose removed items stay on screen a moment so they can fade out: React drops
// an element the moment its key leaves the list, which would make a replaced patch vanish
// without a trace. Entering items need nothing here (a CSS animation runs on mount).

import { useEffect, useReducer, useRef } from 'react';

export interface Shown<T> {
  item: T;
  key: string;
  /** Set while the item fades out; the wall time (ms) it is dropped at. */
  leavingUntil?: number;
}

/**
 * The list to draw: `next` in its order, with items of `prev` that left kept at their old
 * place (after the item that preceded them), marked as leaving until `until`. Items that
 * finished leaving by `now` are dropped; an item that comes back stops leaving.
 */
export function mergeLeaving<T>(prev: readonly Shown<T>[], next: readonly T[], keyOf: (t: T) => string, now: number, until: number): Shown<T>[] {
  const out: Shown<T>[] = next.map((item) => ({ item, key: keyOf(item) }));
  let at = 0;
  for (const p of prev) {
    const idx = out.findIndex((s) => s.key === p.key);
    if (idx >= 0) {
      at = idx + 1;
      continue;
    }
    const keep = p.leavingUntil ?? until;
    if (keep <= now) continue;
    out.splice(at, 0, { item: p.item, key: p.key, leavingUntil: keep });
    at++;
  }
  return out;
}

/** `items` with recently removed ones fading out for `ms` milliseconds. */
export function useLeaving<T>(items: readonly T[], keyOf: (t: T) => string, ms: number): Shown<T>[] {
  const shown = useRef<Shown<T>[]>([]);
  const [, redraw] = useReducer((n: number) => n + 1, 0);
  const now = performance.now();
  const merged = mergeLeaving(shown.current, items, keyOf, now, now + ms);
  const firstDrop = Math.min(...merged.map((s) => s.leavingUntil ?? Infinity));
  useEffect(() => {
    shown.current = merged;
  });
  // After every render with a fading item: a timer that fires early only causes another render,
  // which sets the next one.
  useEffect(() => {
    if (firstDrop === Infinity) return;
    const id = setTimeout(redraw, Math.max(0, firstDrop - performance.now()) + 1);
    return () => clearTimeout(id);
  });
  return merged;
}
