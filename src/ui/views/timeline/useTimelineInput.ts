// Pointer, wheel and keyboard on the timeline: drag to scrub (each move a SEEK, at most one
// per frame), wheel to zoom around the pointer (shift or a sideways swipe pans), arrow keys
// to the previous / next marker (shift skips attempts), Home / End, + / - / 0 to zoom.

import type { ScaleLinear } from 'd3';
import { useEffect, useRef, type KeyboardEvent, type PointerEvent, type RefObject } from 'react';
import { sendPlayback } from '../../engine';
import { useView } from '../../store';
import { pageFrames } from '../../frameScheduler';
import { neighbourTime, panBy, zoomAround, type TimelineData, type Window } from '../../../engine/select/timeline';

interface TimelineInput {
  onPointerDown(e: PointerEvent<SVGSVGElement>): void;
  onPointerMove(e: PointerEvent<SVGSVGElement>): void;
  onPointerUp(e: PointerEvent<SVGSVGElement>): void;
  onPointerLeave(): void;
  onKeyDown(e: KeyboardEvent<SVGSVGElement>): void;
}

export function seekTo(time: number): void {
  sendPlayback({ type: 'SEEK', time: Math.round(time) });
}

export function useTimelineInput(svg: RefObject<SVGSVGElement | null>, x: ScaleLinear<number, number>, data: TimelineData, win: Window): TimelineInput {
  const setHover = useView((v) => v.setTimelineHover);
  const setWindow = useView((v) => v.setTimelineWindow);
  const drag = useRef<{ pending: number | null; frame: () => void }>({ pending: null, frame: () => undefined });
  const latest = useRef({ x, data, win });
  latest.current = { x, data, win };

  useEffect(() => {
    const el = svg.current;
    if (!el) return;
    const onWheel = (e: WheelEvent) => {
      e.preventDefault();
      const { x: sx, data: d, win: w } = latest.current;
      const px = e.clientX - el.getBoundingClientRect().left;
      const sideways = e.shiftKey || Math.abs(e.deltaX) > Math.abs(e.deltaY);
      if (sideways) {
        const dpx = e.shiftKey ? e.deltaY : e.deltaX;
        setWindow(panBy(w, sx.invert(dpx) - sx.invert(0), d.start, d.end));
      } else setWindow(zoomAround(w, sx.invert(px), 2 ** (e.deltaY / 300), d.start, d.end));
    };
    el.addEventListener('wheel', onWheel, { passive: false });
    return () => el.removeEventListener('wheel', onWheel);
  }, [svg, setWindow]);

  useEffect(() => () => pageFrames.cancel(drag.current.frame), []);

  const timeAt = (e: PointerEvent<SVGSVGElement>) => {
    const px = e.clientX - e.currentTarget.getBoundingClientRect().left;
    const [t0, t1] = x.domain();
    return Math.min(t1, Math.max(t0, x.invert(px)));
  };
  const scheduleSeek = (t: number) => {
    const d = drag.current;
    if (d.pending === null) {
      d.frame = () => {
        if (d.pending !== null) seekTo(d.pending);
        d.pending = null;
      };
      pageFrames.request(d.frame);
    }
    d.pending = t;
  };

  return {
    onPointerDown(e) {
      if (e.button !== 0) return;
      e.currentTarget.setPointerCapture(e.pointerId);
      e.currentTarget.focus();
      seekTo(timeAt(e));
    },
    onPointerMove(e) {
      const t = timeAt(e);
      setHover(t);
      if (e.currentTarget.hasPointerCapture(e.pointerId)) scheduleSeek(t);
    },
    onPointerUp(e) {
      if (e.currentTarget.hasPointerCapture(e.pointerId)) e.currentTarget.releasePointerCapture(e.pointerId);
    },
    onPointerLeave() {
      setHover(null);
    },
    onKeyDown(e) {
      const { now, start, end, head, markers } = data;
      const anchor = now >= win.t0 && now <= win.t1 ? now : (win.t0 + win.t1) / 2;
      let target: number | undefined;
      switch (e.key) {
        case 'ArrowLeft':
        case 'ArrowRight':
          target = neighbourTime(markers, now, e.key === 'ArrowRight' ? 1 : -1, e.shiftKey);
          break;
        case 'Home':
          target = start;
          break;
        case 'End':
          target = Math.max(head, now);
          break;
        case '+':
        case '=':
          setWindow(zoomAround(win, anchor, 0.5, start, end));
          break;
        case '-':
          setWindow(zoomAround(win, anchor, 2, start, end));
          break;
        case '0':
          setWindow(null);
          break;
        default:
          return;
      }
      e.preventDefault();
      e.stopPropagation();
      if (target !== undefined) seekTo(target);
    },
  };
}
