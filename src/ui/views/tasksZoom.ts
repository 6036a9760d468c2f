// d3-zoom on the Tasks canvas: wheel, drag and pinch from d3, plus the keys and buttons
// (Perfetto's WASD: W/S zoom in and out at the centre, A/D pan left and right, Q/E up and
// down). d3 owns the transform; every change is reported through `onZoom`.

import { select, zoom, zoomIdentity, zoomTransform, type D3ZoomEvent, type Selection, type ZoomBehavior } from 'd3';
import type { ZoomTransform } from './tasksRaster';

export interface TasksZoom {
  zoomBy(factor: number): void;
  panBy(dx: number, dy: number): void;
  reset(): void;
  set(t: ZoomTransform): void;
  /** Allowed zoom: up to `maxK`, content in [0, w] x [0, h] base pixels. */
  setExtent(w: number, h: number, maxK: number): void;
  /** Handle a key; returns true when it was a zoom or pan key. */
  key(key: string): boolean;
  destroy(): void;
}

export const ZOOM_STEP = 1.5;
const PAN_FRACTION = 0.2;

export function attachTasksZoom(el: HTMLElement, onZoom: (t: ZoomTransform) => void): TasksZoom {
  const sel: Selection<HTMLElement, unknown, null, undefined> = select(el);
  let width = el.clientWidth;
  let height = el.clientHeight;
  const behavior: ZoomBehavior<HTMLElement, unknown> = zoom<HTMLElement, unknown>()
    .scaleExtent([1, 64])
    .on('zoom', (e: D3ZoomEvent<HTMLElement, unknown>) => onZoom({ k: e.transform.k, x: e.transform.x, y: e.transform.y }));
  sel.call(behavior);
  const centre = (): [number, number] => [width / 2, height / 2];
  const api: TasksZoom = {
    zoomBy: (factor) => behavior.scaleBy(sel, factor, centre()),
    // translateBy() works in base units: divide screen pixels by the current scale.
    panBy: (dx, dy) => {
      const k = zoomTransform(el).k;
      behavior.translateBy(sel, dx / k, dy / k);
    },
    reset: () => behavior.transform(sel, zoomIdentity),
    set: (t) => behavior.transform(sel, zoomIdentity.translate(t.x, t.y).scale(t.k)),
    setExtent: (w, h, maxK) => {
      width = w;
      height = h;
      behavior.scaleExtent([1, Math.max(1, maxK)]).translateExtent([[0, 0], [w, h]]).extent([[0, 0], [w, h]]);
      behavior.translateBy(sel, 0, 0);
    },
    key: (key) => {
      switch (key.toLowerCase()) {
        case 'w': api.zoomBy(ZOOM_STEP); return true;
        case 's': api.zoomBy(1 / ZOOM_STEP); return true;
        case 'a': api.panBy(width * PAN_FRACTION, 0); return true;
        case 'd': api.panBy(-width * PAN_FRACTION, 0); return true;
        case 'q': api.panBy(0, height * PAN_FRACTION); return true;
        case 'e': api.panBy(0, -height * PAN_FRACTION); return true;
        case '0': api.reset(); return true;
        default: return false;
      }
    },
    destroy: () => {
      sel.on('.zoom', null);
    },
  };
  return api;
}
