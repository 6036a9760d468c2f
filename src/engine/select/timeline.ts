// The timeline's view model, free of React and the DOM: what to draw over virtual time
// (the run so far plus the recorded future after a seek back), the stacked pending counts,
// the visible window under zoom and pan, attempt markers thinned to the pixel, lock-hold
// intervals merged to the pixel, and marker-to-marker keyboard navigation.

import { stack } from 'd3';
import { BLOCKING_REASONS, type ReasonCode } from '../blockers';
import type { Marker, Sample } from '../session';

export interface Window {
  t0: number;
  t1: number;
}

/** Narrowest window the zoom allows (µs of virtual time). */
export const MIN_SPAN = 2_000;

interface TimelineSource {
  /** Markers read from the kernel log (logMarkers()): they replace the session's 'warn' markers. */
  logMarkers?: readonly Marker[];
  start: number;
  now: number;
  head: number;
  markers: readonly Marker[];
  samples: readonly Sample[];
  /** The recording beyond the cursor; its `logMarkers` replace its 'warn' markers, as above. */
  recorded?: { markers: readonly Marker[]; samples: readonly Sample[]; logMarkers?: readonly Marker[] };
}

export interface TimelineData {
  start: number;
  /** Right end of the run: max(head, now), at least a second after the start. */
  end: number;
  now: number;
  head: number;
  /** Markers in time order; `future` ones come from the recording beyond the cursor. */
  markers: (Marker & { future: boolean })[];
  samples: Sample[];
}

/** The run as drawn: the simulated part, then what the timeline recorded beyond the cursor. */
export function timelineData(s: TimelineSource): TimelineData {
  const later = <T extends { time: number }>(xs: readonly T[] | undefined) => (xs ?? []).filter((x) => x.time > s.now);
  const own = s.logMarkers ? [...s.markers.filter((m) => m.kind !== 'warn'), ...s.logMarkers] : s.markers;
  const rec = s.recorded;
  const recorded = rec?.logMarkers ? [...later(rec.markers).filter((m) => m.kind !== 'warn'), ...later(rec.logMarkers)] : later(rec?.markers);
  const markers = [...own.map((m) => ({ ...m, future: false })), ...recorded.map((m) => ({ ...m, future: true }))];
  markers.sort((a, b) => a.time - b.time);
  return {
    start: s.start,
    end: Math.max(s.head, s.now, s.start + 1_000_000),
    now: s.now,
    head: s.head,
    markers,
    samples: [...s.samples, ...later(s.recorded?.samples)],
  };
}

interface StackPoint {
  time: number;
  /** Lower and upper edge of the band. */
  y0: number;
  y1: number;
}

export interface Band {
  reason: ReasonCode;
  points: StackPoint[];
}

/** Pending tasks stacked by blocker reason, as step bands held until `end`. */
export function stackBands(samples: readonly Sample[], end: number): { bands: Band[]; max: number } {
  if (samples.length === 0) return { bands: [], max: 0 };
  const rows = [...samples, { time: Math.max(end, samples[samples.length - 1].time), counts: samples[samples.length - 1].counts }];
  const series = stack<Sample, ReasonCode>()
    .keys(BLOCKING_REASONS)
    .value((d, key) => d.counts[key] ?? 0)(rows);
  let max = 0;
  const bands = series.map((s) => ({
    reason: s.key,
    points: s.map((p) => {
      max = Math.max(max, p[1]);
      return { time: p.data.time, y0: p[0], y1: p[1] };
    }),
  }));
  return { bands, max };
}

/** Pending counts (by reason) in force at `t`: the last sample at or before it. */
export function countsAt(samples: readonly Sample[], t: number): number[] | undefined {
  let lo = 0;
  let hi = samples.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (samples[mid].time <= t) lo = mid + 1;
    else hi = mid;
  }
  return lo === 0 ? undefined : samples[lo - 1].counts;
}

/** Keep a window inside [start, end] and no narrower than MIN_SPAN; null when it is all. */
export function clampWindow(w: Window, start: number, end: number): Window | null {
  const full = end - start;
  const span = Math.min(full, Math.max(MIN_SPAN, w.t1 - w.t0));
  if (span >= full) return null;
  const t0 = Math.min(end - span, Math.max(start, w.t0));
  return { t0, t1: t0 + span };
}

/** Zoom by `factor` (< 1 zooms in) keeping `anchor` where it is on screen. */
export function zoomAround(w: Window, anchor: number, factor: number, start: number, end: number): Window | null {
  return clampWindow({ t0: anchor - (anchor - w.t0) * factor, t1: anchor + (w.t1 - anchor) * factor }, start, end);
}

/** Slide the window by `dt` µs. */
export function panBy(w: Window, dt: number, start: number, end: number): Window | null {
  return clampWindow({ t0: w.t0 + dt, t1: w.t1 + dt }, start, end);
}

/** While playing, a zoomed window slides so the cursor stays in view. */
export function follow(w: Window, now: number, start: number, end: number): Window | null {
  if (now <= w.t1 && now >= w.t0) return w;
  const span = w.t1 - w.t0;
  return clampWindow(now > w.t1 ? { t0: now - span * 0.9, t1: now + span * 0.1 } : { t0: now - span * 0.1, t1: now + span * 0.9 }, start, end);
}

export interface MarkerMark {
  marker: Marker & { future: boolean };
  /** Markers of the same kind folded into this one at this zoom (1 = itself). */
  count: number;
}

/**
 * Attempts can come every second for hours: keep one attempt mark per `minPx` pixels (the
 * first of each run), counting the ones it stands for. Other markers are always drawn.
 */
export function thinMarkers(markers: readonly (Marker & { future: boolean })[], x: (t: number) => number, minPx: number): MarkerMark[] {
  const out: MarkerMark[] = [];
  let lastAttempt: MarkerMark | undefined;
  let lastPx = -Infinity;
  for (const m of markers) {
    if (m.kind !== 'attempt') {
      out.push({ marker: m, count: 1 });
      continue;
    }
    const px = x(m.time);
    if (lastAttempt && px - lastPx < minPx) {
      lastAttempt.count++;
      continue;
    }
    lastAttempt = { marker: m, count: 1 };
    lastPx = px;
    out.push(lastAttempt);
  }
  return out;
}

export interface Interval {
  start: number;
  end: number;
  tasks: number;
}

/** Merge intervals closer than `gapPx` on screen (the summed tasks and the count kept). */
export function mergeIntervals(xs: readonly Interval[], x: (t: number) => number, gapPx: number): (Interval & { count: number })[] {
  const out: (Interval & { count: number })[] = [];
  for (const i of [...xs].sort((a, b) => a.start - b.start)) {
    const last = out[out.length - 1];
    if (last && x(i.start) - x(last.end) < gapPx) {
      last.end = Math.max(last.end, i.end);
      last.tasks += i.tasks;
      last.count++;
    } else out.push({ ...i, count: 1 });
  }
  return out;
}

/** The marker time to move to from `now` in direction `dir` (attempts skipped if asked). */
export function neighbourTime(markers: readonly Marker[], now: number, dir: 1 | -1, skipAttempts: boolean): number | undefined {
  let best: number | undefined;
  for (const m of markers) {
    if (skipAttempts && m.kind === 'attempt') continue;
    if (dir > 0 ? m.time > now && (best === undefined || m.time < best) : m.time < now && (best === undefined || m.time > best)) best = m.time;
  }
  return best;
}
