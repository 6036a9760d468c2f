// The Tasks canvas: a static layer of cells (an ImageData buffer, redrawn only when the
// simulation, the zoom, the size or the theme changed) under an interactive layer (group
// labels, hover and selection outlines) that is cheap to redraw on every pointer move, as
// Excalidraw splits its static and interactive canvases.

import { layoutTasks, cellBox, cellAt, type GroupSize, type TasksLayout } from './tasksLayout';
import type { TasksModel } from '../../engine/select/tasksModel';
import { blockedOnly } from './tasksFilter';
import { makePalette, type TasksPalette } from './tasksPalette';
import { countsLabel } from '../../engine/select/tasksSummary';
import { newFrame, rasterize, type Frame, type ZoomTransform } from './tasksRaster';

export interface Overlay {
  hoverSlot: number | null;
  selectedSlot: number | null;
  /** Search matches to ring (slots). */
  matches?: readonly number[];
}

/** Where the cells' model comes from: built from the Session on the page, or the worker's snapshot. */
export interface TasksSource {
  /** Changes when the simulation moved. */
  version(): number;
  /** The model at that version (`prev` may be reused). */
  model(prev?: TasksModel): TasksModel;
  /** Subscribe to changes. */
  subscribe(fn: () => void): () => void;
}

/**
 * How far (CSS px) outside the cells a pointer still picks the nearest one: the browser reports
 * whole pixels (truncated), and at a million tasks a row of cells is a quarter of a pixel.
 */
const HIT_SLOP_PX = 1;

const sizesKey = (groups: readonly GroupSize[]) => groups.map((g) => `${g.name}:${g.count}:${g.blockers ? 1 : 0}`).join();

export class TasksRenderer {
  /** The whole model (the table and the summary read it). */
  model?: TasksModel;
  /** What is drawn: the model, or only its blocked cells. */
  shown?: TasksModel;
  layout?: TasksLayout;
  private blockedOnly = false;
  private sizes: GroupSize[] = [];
  private sizesSeen = '';
  /** Wall milliseconds of the last cell redraw (rasterize + putImageData). */
  lastDrawMs = 0;
  /** Cell redraws so far (the bench checks that playing redraws). */
  drawCount = 0;
  /** Wall milliseconds of recent frames that redrew cells (model sync included), oldest first. */
  readonly frameCosts: number[] = [];
  private frame?: Frame;
  private image?: ImageData;
  private palette?: TasksPalette;
  private width = 0;
  private height = 0;
  private dpr = 1;
  private drawnKey = '';
  private themeKey = '';

  constructor(
    readonly source: TasksSource,
    private readonly cells: HTMLCanvasElement,
    private readonly overlay: HTMLCanvasElement,
  ) {}

  /** CSS-pixel size of the canvases. */
  resize(width: number, height: number, dpr: number): void {
    this.width = Math.max(1, Math.floor(width));
    this.height = Math.max(1, Math.floor(height));
    this.dpr = dpr;
    for (const c of [this.cells, this.overlay]) {
      c.width = Math.floor(this.width * dpr);
      c.height = Math.floor(this.height * dpr);
      c.style.width = `${this.width}px`;
      c.style.height = `${this.height}px`;
    }
    this.frame = newFrame(this.cells.width, this.cells.height);
    this.image = new ImageData(new Uint8ClampedArray(this.frame.pixels.buffer as ArrayBuffer), this.frame.width, this.frame.height);
    this.layout = undefined;
    // Assigning a canvas's width or height clears it, even to the same size.
    this.drawnKey = '';
  }

  /** Show only the blocked cells (true) or every cell. */
  setBlockedOnly(on: boolean): void {
    if (on === this.blockedOnly) return;
    this.blockedOnly = on;
    this.shown = undefined;
    this.layout = undefined;
    this.drawnKey = '';
  }

  /** Bring the model and layout up to the session's moment. */
  sync(): void {
    if (!this.model || this.model.version !== this.source.version()) {
      this.model = this.source.model(this.model);
      this.shown = undefined;
    }
    if (!this.shown) {
      this.shown = this.blockedOnly ? blockedOnly(this.model) : this.model;
      const shown = this.shown;
      this.sizes = shown.groups.map((g, i) => ({ name: g.name, count: g.slots.length, blockers: shown.counts[i].total > shown.counts[i].mark[0] }));
      const key = sizesKey(this.sizes);
      if (key !== this.sizesSeen) this.layout = undefined;
      this.sizesSeen = key;
    }
    if (!this.layout) this.layout = layoutTasks(this.sizes, this.width, this.height);
  }

  private ensurePalette(): TasksPalette {
    const theme = document.documentElement.dataset.theme ?? '';
    if (!this.palette || theme !== this.themeKey) {
      const style = getComputedStyle(this.cells);
      const ctx = this.overlay.getContext('2d');
      // Let the canvas normalise whatever colour syntax the theme uses to #rrggbb.
      const color = (v: string) => {
        const raw = style.getPropertyValue(v).trim();
        if (!ctx) return raw;
        ctx.fillStyle = '#000000';
        ctx.fillStyle = raw;
        return String(ctx.fillStyle);
      };
      this.palette = makePalette(color);
      this.themeKey = theme;
      this.drawnKey = '';
    }
    return this.palette;
  }

  /** Redraw what changed; returns true when the cell layer was redrawn. */
  draw(t: ZoomTransform, o: Overlay, force = false): boolean {
    if (!this.frame || !this.image) return false;
    const start = performance.now();
    this.sync();
    const pal = this.ensurePalette();
    const model = this.shown as TasksModel;
    const layout = this.layout as TasksLayout;
    const key = `${model.version}|${this.blockedOnly}|${this.themeKey}|${t.k}|${t.x}|${t.y}|${this.frame.width}x${this.frame.height}`;
    let redrawn = false;
    if (force || key !== this.drawnKey) {
      const t0 = performance.now();
      rasterize(this.frame, layout, model.codes, t, this.dpr, pal);
      this.cells.getContext('2d')?.putImageData(this.image, 0, 0);
      this.lastDrawMs = performance.now() - t0;
      this.drawCount++;
      this.drawnKey = key;
      redrawn = true;
    }
    this.drawOverlay(t, o, pal);
    if (redrawn) {
      this.frameCosts.push(performance.now() - start);
      if (this.frameCosts.length > 512) this.frameCosts.shift();
    }
    return redrawn;
  }

  private drawOverlay(t: ZoomTransform, o: Overlay, pal: TasksPalette): void {
    const ctx = this.overlay.getContext('2d');
    const model = this.shown;
    const layout = this.layout;
    if (!ctx || !model || !layout) return;
    ctx.setTransform(this.dpr, 0, 0, this.dpr, 0, 0);
    ctx.clearRect(0, 0, this.width, this.height);
    ctx.font = '11px system-ui, sans-serif';
    ctx.textBaseline = 'middle';
    layout.groups.forEach((g, i) => {
      const y = (g.labelTop + 8) * t.k + t.y;
      if (y < -8 || y > this.height + 8) return;
      const x = Math.max(4, layout.pad * t.k + t.x);
      ctx.fillStyle = pal.muted;
      ctx.fillText(`${g.name} · ${countsLabel(model.counts[i])}`, x, y);
    });
    const outline = (slot: number | null, color: string, width: number) => {
      if (slot === null || slot >= model.cellOfSlot.length || model.cellOfSlot[slot] < 0) return;
      const box = cellBox(layout, model.cellOfSlot[slot]);
      if (!box) return;
      const s = Math.max(4, box.size * t.k);
      const cx = (box.x + box.size / 2) * t.k + t.x;
      const cy = (box.y + box.size / 2) * t.k + t.y;
      ctx.strokeStyle = color;
      ctx.lineWidth = width;
      ctx.strokeRect(cx - s / 2 - 1, cy - s / 2 - 1, s + 2, s + 2);
    };
    for (const m of o.matches ?? []) outline(m, pal.accent, 1);
    outline(o.selectedSlot, pal.accent, 2);
    outline(o.hoverSlot, pal.hover, 1);
  }

  /** Slot under the CSS-pixel point (x, y) of the canvas, or the nearest within a pixel, or null. */
  slotAt(t: ZoomTransform, x: number, y: number): number | null {
    if (!this.shown || !this.layout) return null;
    const cell = cellAt(this.layout, (x - t.x) / t.k, (y - t.y) / t.k, HIT_SLOP_PX / t.k);
    return cell < 0 ? null : this.shown.slotOfCell[cell];
  }

  /** CSS-pixel centre of a slot's cell, or null when it has none. */
  centreOf(t: ZoomTransform, slot: number): { x: number; y: number } | null {
    if (!this.shown || !this.layout || slot >= this.shown.cellOfSlot.length || this.shown.cellOfSlot[slot] < 0) return null;
    const box = cellBox(this.layout, this.shown.cellOfSlot[slot]);
    if (!box) return null;
    return { x: (box.x + box.size / 2) * t.k + t.x, y: (box.y + box.size / 2) * t.k + t.y };
  }
}
