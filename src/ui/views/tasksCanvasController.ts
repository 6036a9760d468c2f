// The Tasks view's canvases as a controller the component mounts (Perfetto's shape: the
// component owns the DOM elements, the controller owns what is drawn on them). attach() wires
// session changes, zoom, resize, theme, hover and selection to one thing - render(), which
// asks the app-wide frame scheduler (src/ui/frameScheduler.ts) for a frame; the frame draws
// once, however many requests came in between. dispose() undoes every subscription.

import type { EnginePort } from '../../engine/port';
import type { TasksModel } from '../../engine/select/tasksModel';
import { pageFrames, type FrameScheduler } from '../frameScheduler';
import { useView, type ViewState } from '../store';
import { installTasksHook } from './tasksHook';
import { MAX_CELL_PX } from './tasksLayout';
import type { ZoomTransform } from './tasksRaster';
import { TasksRenderer, type Overlay, type TasksSource } from './tasksRenderer';
import { attachTasksZoom, type TasksZoom } from './tasksZoom';

export interface PointerInfo {
  slot: number;
  /** Viewport (client) coordinates of the pointer. */
  x: number;
  y: number;
}

/** What the controller tells its component; read at call time, so the component may swap them. */
interface TasksCanvasEvents {
  onPointer(p: PointerInfo | null): void;
  onModel(m: TasksModel): void;
}

/** The elements the component renders: a box, the cells canvas, the overlay canvas on top (it takes the input). */
interface TasksCanvasElements {
  box: HTMLElement;
  cells: HTMLCanvasElement;
  overlay: HTMLCanvasElement;
}

function overlayOf(v: ViewState): Overlay {
  return { hoverSlot: v.hoveredSlot, selectedSlot: v.selection?.kind === 'task' ? v.selection.slot : null, matches: v.tasksSearch?.slots };
}

export class TasksCanvasController {
  private renderer: TasksRenderer | null = null;
  private zoom: TasksZoom | null = null;
  private t: ZoomTransform = useView.getState().tasksZoom;
  private layoutSeen: TasksRenderer['layout'];
  private modelSeen: TasksRenderer['model'];
  private box: HTMLElement | null = null;
  private readonly undo: (() => void)[] = [];
  /** The frame's work: one function object, so requests between two frames coalesce. */
  private readonly draw = () => this.drawNow();

  constructor(
    private readonly port: EnginePort,
    private readonly events: () => TasksCanvasEvents,
    private readonly frames: FrameScheduler = pageFrames,
  ) {}

  /** Wire the canvases: returns the zoom (the view's zoom buttons drive it). Once per controller. */
  attach({ box, cells, overlay }: TasksCanvasElements): TasksZoom {
    if (this.renderer) throw new Error('TasksCanvasController.attach: already attached (one controller per mount)');
    const p = this.port;
    const source: TasksSource = {
      version: () => p.tasks()?.version ?? -1,
      model: () => {
        const m = p.tasks();
        if (!m) throw new Error('no snapshot yet');
        return m;
      },
      subscribe: (fn) => p.subscribe(fn),
    };
    const renderer = (this.renderer = new TasksRenderer(source, cells, overlay));
    this.box = box;
    this.layoutSeen = renderer.layout;
    this.modelSeen = renderer.model;
    const zoom = (this.zoom = attachTasksZoom(overlay, (nt) => {
      this.t = nt;
      overlay.dataset.zoom = String(+nt.k.toFixed(3));
      useView.getState().setTasksZoom(nt);
      this.render();
    }));
    this.undo.push(() => zoom.destroy());
    const resize = () => {
      renderer.resize(box.clientWidth, box.clientHeight, window.devicePixelRatio || 1);
      this.render();
    };
    resize();
    overlay.dataset.zoom = String(+this.t.k.toFixed(3));
    zoom.set(this.t);
    const ro = new ResizeObserver(resize);
    ro.observe(box);
    this.undo.push(() => ro.disconnect());
    this.undo.push(source.subscribe(() => this.render()));
    this.undo.push(
      useView.subscribe((v, prev) => {
        if (v.hoveredSlot !== prev.hoveredSlot || v.selection !== prev.selection || v.tasksBlockedOnly !== prev.tasksBlockedOnly || v.tasksSearch !== prev.tasksSearch) this.render();
      }),
    );
    const themeWatch = new MutationObserver(() => this.render());
    themeWatch.observe(document.documentElement, { attributes: true, attributeFilter: ['data-theme'] });
    this.undo.push(() => themeWatch.disconnect());
    const rebuild = p.rebuildTasks ? () => p.rebuildTasks?.() : undefined;
    this.undo.push(installTasksHook({ renderer, overlay, transform: () => this.t, rebuild }));
    this.listen(overlay, renderer, zoom);
    return zoom;
  }

  /** Redraw on the next frame (coalesced with every other request before it). */
  render(): void {
    if (this.renderer) this.frames.request(this.draw);
  }

  dispose(): void {
    this.frames.cancel(this.draw);
    for (const u of this.undo.splice(0).reverse()) u();
    this.renderer = null;
    this.zoom = null;
    this.box = null;
  }

  private drawNow(): void {
    const renderer = this.renderer;
    if (!renderer || !this.zoom || !this.box) return;
    const v = useView.getState();
    renderer.setBlockedOnly(v.tasksBlockedOnly);
    renderer.draw(this.t, overlayOf(v));
    if (renderer.layout && renderer.layout !== this.layoutSeen) {
      this.layoutSeen = renderer.layout;
      this.zoom.setExtent(this.box.clientWidth, this.box.clientHeight, Math.max(4, (2 * MAX_CELL_PX) / renderer.layout.cell));
    }
    if (renderer.model && renderer.model !== this.modelSeen) {
      this.modelSeen = renderer.model;
      this.events().onModel(renderer.model);
    }
  }

  /** Hover, leave, click and the zoom keys on the overlay canvas. */
  private listen(overlay: HTMLCanvasElement, renderer: TasksRenderer, zoom: TasksZoom): void {
    const pointAt = (e: MouseEvent) => {
      const r = overlay.getBoundingClientRect();
      return { x: e.clientX, y: e.clientY, slot: renderer.slotAt(this.t, e.clientX - r.left, e.clientY - r.top) };
    };
    const on = <K extends keyof HTMLElementEventMap>(type: K, fn: (e: HTMLElementEventMap[K]) => void) => {
      overlay.addEventListener(type, fn);
      this.undo.push(() => overlay.removeEventListener(type, fn));
    };
    on('mousemove', (e) => {
      const p = pointAt(e);
      if (useView.getState().hoveredSlot !== p.slot) useView.getState().hover(p.slot);
      this.events().onPointer(p.slot === null ? null : { slot: p.slot, x: p.x, y: p.y });
    });
    on('mouseleave', () => {
      useView.getState().hover(null);
      this.events().onPointer(null);
    });
    on('click', (e) => {
      const p = pointAt(e);
      if (p.slot !== null) useView.getState().select({ kind: 'task', slot: p.slot });
    });
    on('keydown', (e) => {
      if (e.ctrlKey || e.metaKey || e.altKey) return;
      if (zoom.key(e.key)) {
        e.preventDefault();
        e.stopPropagation();
      }
    });
  }
}
