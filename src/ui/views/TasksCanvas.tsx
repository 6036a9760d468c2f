import { useEffect, useRef, type RefObject } from 'react';
import { port } from '../engine';
import { useView, type ViewState } from '../store';
import { pageFrames } from '../frameScheduler';
import { MAX_CELL_PX } from './tasksLayout';
import { installTasksHook } from './tasksHook';
import type { TasksModel } from '../../engine/select/tasksModel';
import type { ZoomTransform } from './tasksRaster';
import { TasksRenderer, type Overlay, type TasksSource } from './tasksRenderer';
import { attachTasksZoom, type TasksZoom } from './tasksZoom';

export interface PointerInfo {
  slot: number;
  /** Viewport (client) coordinates of the pointer. */
  x: number;
  y: number;
}

interface Props {
  zoomRef: RefObject<TasksZoom | null>;
  label: string;
  onPointer(p: PointerInfo | null): void;
  onModel(m: TasksModel): void;
}

function overlayOf(v: ViewState): Overlay {
  return { hoverSlot: v.hoveredSlot, selectedSlot: v.selection?.kind === 'task' ? v.selection.slot : null, matches: v.tasksSearch?.slots };
}

/**
 * The two canvases of the Tasks view and their wiring: session changes, zoom, resize, theme
 * and hover/selection all just request a frame; the frame scheduler redraws once.
 */
export function TasksCanvas({ zoomRef, label, onPointer, onModel }: Props) {
  const boxRef = useRef<HTMLDivElement>(null);
  const cellsRef = useRef<HTMLCanvasElement>(null);
  const overlayRef = useRef<HTMLCanvasElement>(null);
  const callbacks = useRef({ onPointer, onModel });
  callbacks.current = { onPointer, onModel };

  useEffect(() => {
    const box = boxRef.current;
    const cells = cellsRef.current;
    const overlay = overlayRef.current;
    if (!box || !cells || !overlay) return;
    const p = port();
    const source: TasksSource = {
      version: () => p.tasks()?.version ?? -1,
      model: () => {
        const m = p.tasks();
        if (!m) throw new Error('no snapshot yet');
        return m;
      },
      subscribe: (fn) => p.subscribe(fn),
    };
    const rebuild = p.rebuildTasks ? () => p.rebuildTasks?.() : undefined;
    const renderer = new TasksRenderer(source, cells, overlay);
    let t: ZoomTransform = useView.getState().tasksZoom;
    let layoutSeen = renderer.layout;
    let modelSeen = renderer.model;
    const zoom = attachTasksZoom(overlay, (nt) => {
      t = nt;
      overlay.dataset.zoom = String(+nt.k.toFixed(3));
      useView.getState().setTasksZoom(nt);
      scheduler.request();
    });
    const draw = () => {
      renderer.setBlockedOnly(useView.getState().tasksBlockedOnly);
      renderer.draw(t, overlayOf(useView.getState()));
      if (renderer.layout && renderer.layout !== layoutSeen) {
        layoutSeen = renderer.layout;
        zoom.setExtent(box.clientWidth, box.clientHeight, Math.max(4, (2 * MAX_CELL_PX) / renderer.layout.cell));
      }
      if (renderer.model && renderer.model !== modelSeen) {
        modelSeen = renderer.model;
        callbacks.current.onModel(renderer.model);
      }
    };
    const scheduler = { request: () => pageFrames.request(draw), stop: () => pageFrames.cancel(draw) };
    zoomRef.current = zoom;
    const resize = () => {
      renderer.resize(box.clientWidth, box.clientHeight, window.devicePixelRatio || 1);
      scheduler.request();
    };
    resize();
    overlay.dataset.zoom = String(+t.k.toFixed(3));
    zoom.set(t);
    const ro = new ResizeObserver(resize);
    ro.observe(box);
    const unsubSession = source.subscribe(() => scheduler.request());
    const unsubView = useView.subscribe((v, p) => {
      if (v.hoveredSlot !== p.hoveredSlot || v.selection !== p.selection || v.tasksBlockedOnly !== p.tasksBlockedOnly || v.tasksSearch !== p.tasksSearch) scheduler.request();
    });
    const themeWatch = new MutationObserver(() => scheduler.request());
    themeWatch.observe(document.documentElement, { attributes: true, attributeFilter: ['data-theme'] });
    const uninstall = installTasksHook({ renderer, overlay, transform: () => t, rebuild });

    const pointAt = (e: MouseEvent) => {
      const r = overlay.getBoundingClientRect();
      const x = e.clientX - r.left;
      const y = e.clientY - r.top;
      return { x: e.clientX, y: e.clientY, slot: renderer.slotAt(t, x, y) };
    };
    const move = (e: MouseEvent) => {
      const p = pointAt(e);
      if (useView.getState().hoveredSlot !== p.slot) useView.getState().hover(p.slot);
      callbacks.current.onPointer(p.slot === null ? null : { slot: p.slot, x: p.x, y: p.y });
    };
    const leave = () => {
      useView.getState().hover(null);
      callbacks.current.onPointer(null);
    };
    const click = (e: MouseEvent) => {
      const p = pointAt(e);
      if (p.slot !== null) useView.getState().select({ kind: 'task', slot: p.slot });
    };
    const key = (e: KeyboardEvent) => {
      if (e.ctrlKey || e.metaKey || e.altKey) return;
      if (zoom.key(e.key)) {
        e.preventDefault();
        e.stopPropagation();
      }
    };
    overlay.addEventListener('mousemove', move);
    overlay.addEventListener('mouseleave', leave);
    overlay.addEventListener('click', click);
    overlay.addEventListener('keydown', key);
    return () => {
      overlay.removeEventListener('mousemove', move);
      overlay.removeEventListener('mouseleave', leave);
      overlay.removeEventListener('click', click);
      overlay.removeEventListener('keydown', key);
      uninstall();
      themeWatch.disconnect();
      unsubView();
      unsubSession();
      ro.disconnect();
      scheduler.stop();
      zoom.destroy();
      zoomRef.current = null;
    };
  }, [zoomRef]);

  return (
    <div className="tasks-canvas" ref={boxRef}>
      <canvas ref={cellsRef} className="tasks-cells" aria-hidden="true" />
      <canvas
        ref={overlayRef}
        className="tasks-overlay"
        role="img"
        tabIndex={0}
        aria-label={label}
        aria-keyshortcuts="W S A D Q E 0"
        data-testid="tasks-canvas"
      />
    </div>
  );
}
