// window.livepatchTasksView: what the end-to-end tests and the browser bench ask the Tasks
// canvas (where a task's cell is on screen, how long a redraw takes). Reading only: it
// draws, but never changes the simulation or the view state.

import type { ZoomTransform } from './tasksRaster';
import type { TasksRenderer } from './tasksRenderer';

interface TasksHook {
  /** Viewport (client) coordinates of the centre of the slot's cell, or null. */
  centreOf(slot: number): { x: number; y: number } | null;
  /** Milliseconds of each of `n` forced cell redraws at the current zoom. */
  redraws(n: number): number[];
  /** Milliseconds of each of `n` model rebuilds after a simulation step: classification, grouping, cell codes. */
  rebuilds(n: number): number[];
  /** Cells in the view now. */
  cells(): number;
  /** Cell redraws since the view mounted. */
  draws(): number;
  /** Milliseconds of the view's recent redrawing frames (model sync + cells + overlay), then forgets them. */
  takeFrameCosts(): number[];
}

declare global {
  interface Window {
    livepatchTasksView?: TasksHook;
  }
}

export function installTasksHook(o: { renderer: TasksRenderer; overlay: HTMLCanvasElement; transform(): ZoomTransform; rebuild?: () => void }): () => void {
  const { renderer, overlay } = o;
  const hook: TasksHook = {
    centreOf(slot) {
      const p = renderer.centreOf(o.transform(), slot);
      if (!p) return null;
      const r = overlay.getBoundingClientRect();
      return { x: r.left + p.x, y: r.top + p.y };
    },
    redraws(n) {
      const out: number[] = [];
      for (let i = 0; i < n; i++) {
        renderer.draw(o.transform(), { hoverSlot: null, selectedSlot: null }, true);
        out.push(renderer.lastDrawMs);
      }
      return out;
    },
    rebuilds(n) {
      const out: number[] = [];
      // In worker mode the model is built in the worker: nothing to time here.
      for (let i = 0; i < n && o.rebuild; i++) {
        const t0 = performance.now();
        o.rebuild();
        out.push(performance.now() - t0);
      }
      return out;
    },
    cells: () => renderer.model?.slotOfCell.length ?? 0,
    draws: () => renderer.drawCount,
    takeFrameCosts: () => renderer.frameCosts.splice(0),
  };
  window.livepatchTasksView = hook;
  return () => {
    if (window.livepatchTasksView === hook) delete window.livepatchTasksView;
  };
}
