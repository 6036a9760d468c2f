import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Reason } from '../../../../src/engine/blockers';
import { Session, type Marker } from '../../../../src/engine/session';
import { sessionSourceOf } from '../../../../src/scenario/build';
import { defaultScenario } from '../../../../src/scenario/defaultScenario';
import { parseScenarioText } from '../../../../src/scenario/document';
import { PIECES } from '../../../../src/engine/select/viewData';
import { clampWindow, countsAt, follow, mergeIntervals, MIN_SPAN, neighbourTime, panBy, stackBands, thinMarkers, timelineData, zoomAround } from '../../../../src/engine/select/timeline';

const counts = (by: Partial<Record<number, number>>) => [0, 1, 2, 3, 4, 5, 6].map((r) => by[r] ?? 0);
const m = (time: number, kind: Marker['kind']) => ({ time, kind, label: kind, future: false });

describe('timeline view model', () => {
  it('keeps drawing the recorded future after a seek back, and drops it on a fork', () => {
    const s = new Session(sessionSourceOf(defaultScenario()));
    s.advanceTo(s.start + 30_000_000);
    const full = timelineData(s);
    s.seek(s.start + 5_000_000);
    const back = timelineData(s);
    expect(back.markers.map((x) => [x.time, x.kind])).toEqual(full.markers.map((x) => [x.time, x.kind]));
    expect(back.markers.filter((x) => x.future).every((x) => x.time > s.now)).toBe(true);
    expect(back.markers.some((x) => x.future && x.kind === 'complete')).toBe(true);
    expect(back.samples.map((x) => x.time)).toEqual(full.samples.map((x) => x.time));
    expect(back.end).toBe(full.end);
    s.command('echo 1 > /sys/kernel/livepatch/test_klp_callbacks_demo/force');
    expect(timelineData(s).markers.some((x) => x.future)).toBe(false);
  });

  it('keeps the recorded future’s warning markers (read from its kernel log) after a plain seek back; a fork drops them', () => {
    const r = parseScenarioText(readFileSync(join(__dirname, '..', '..', '..', '..', 'public', 'scenarios', 'do-exit-crash.json'), 'utf8'));
    if (!r.ok) throw new Error(r.errors.join('\n'));
    const s = new Session(sessionSourceOf(r.scenario));
    s.advanceTo(s.start + 20_000_000);
    const trouble = <T extends { kind: string }>(xs: readonly T[]) => xs.filter((x) => x.kind === 'warn' || x.kind === 'oops');
    const full = PIECES.timeline(s);
    expect(trouble(full.markers).length).toBeGreaterThan(10);
    s.seek(s.start + 2_000_000);
    const back = PIECES.timeline(s);
    expect(back.markers.map((x) => [x.time, x.kind, x.label])).toEqual(full.markers.map((x) => [x.time, x.kind, x.label]));
    expect(trouble(back.markers).every((x) => x.future)).toBe(true);
    // Forward again, part of the way: the markers up to the cursor are the run's own, the rest still recorded.
    s.seek(s.start + 7_000_000);
    const mid = PIECES.timeline(s);
    expect(mid.markers.map((x) => [x.time, x.kind])).toEqual(full.markers.map((x) => [x.time, x.kind]));
    expect(mid.markers.filter((x) => x.kind === 'warn').map((x) => x.future)).toEqual([false]);
    s.command('lsmod');
    expect(trouble(PIECES.timeline(s).markers)).toHaveLength(1);
  });

  it('stacks pending counts by reason and holds the last step until the end', () => {
    const samples = [
      { time: 10, counts: counts({ [Reason.NONE]: 5, [Reason.RUNNING]: 2, [Reason.UNINTERRUPTIBLE]: 1 }) },
      { time: 20, counts: counts({ [Reason.NONE]: 7, [Reason.UNINTERRUPTIBLE]: 1 }) },
    ];
    const { bands, max } = stackBands(samples, 50);
    expect(bands).toHaveLength(6);
    expect(max).toBe(3);
    const top = bands[bands.length - 1].points;
    expect(top.map((p) => [p.time, p.y1])).toEqual([[10, 3], [20, 1], [50, 1]]);
    expect(countsAt(samples, 5)).toBeUndefined();
    expect(countsAt(samples, 15)?.[Reason.RUNNING]).toBe(2);
    expect(countsAt(samples, 20)?.[Reason.RUNNING]).toBe(0);
  });

  it('zooms around an anchor, pans and stays inside the run', () => {
    const w = zoomAround({ t0: 0, t1: 1000_000 }, 250_000, 0.5, 0, 1000_000)!;
    expect(w).toEqual({ t0: 125_000, t1: 625_000 });
    expect(panBy(w, -500_000, 0, 1000_000)).toEqual({ t0: 0, t1: 500_000 });
    expect(panBy(w, 900_000, 0, 1000_000)).toEqual({ t0: 500_000, t1: 1000_000 });
    expect(zoomAround(w, 300_000, 4, 0, 1000_000)).toBeNull();
    expect(clampWindow({ t0: 10, t1: 11 }, 0, 1000_000)!.t1 - 10).toBe(MIN_SPAN);
    expect(follow({ t0: 0, t1: 100_000 }, 150_000, 0, 1000_000)).toEqual({ t0: 60_000, t1: 160_000 });
    expect(follow({ t0: 0, t1: 100_000 }, 50_000, 0, 1000_000)).toEqual({ t0: 0, t1: 100_000 });
  });

  it('thins crowded attempt markers and keeps every other marker', () => {
    const ms = [m(0, 'attempt'), m(1, 'attempt'), m(2, 'signal'), m(3, 'attempt'), m(10, 'attempt')];
    const marks = thinMarkers(ms, (t) => t, 4);
    expect(marks.map((x) => [x.marker.time, x.marker.kind, x.count])).toEqual([[0, 'attempt', 3], [2, 'signal', 1], [10, 'attempt', 1]]);
    expect(thinMarkers(ms, (t) => t * 10, 4)).toHaveLength(5);
  });

  it('merges lock holds that touch on screen', () => {
    const merged = mergeIntervals([{ start: 10, end: 12, tasks: 5 }, { start: 0, end: 2, tasks: 3 }, { start: 2.5, end: 3, tasks: 4 }], (t) => t, 1);
    expect(merged).toEqual([{ start: 0, end: 3, tasks: 7, count: 2 }, { start: 10, end: 12, tasks: 5, count: 1 }]);
  });

  it('steps from marker to marker, optionally over attempts', () => {
    const ms = [m(0, 'command'), m(5, 'attempt'), m(9, 'signal'), m(12, 'attempt')];
    expect(neighbourTime(ms, 0, 1, false)).toBe(5);
    expect(neighbourTime(ms, 0, 1, true)).toBe(9);
    expect(neighbourTime(ms, 9, -1, false)).toBe(5);
    expect(neighbourTime(ms, 12, 1, false)).toBeUndefined();
  });
});
