// Cells into an RGBA buffer, with a per-pixel level of detail. Below a few device pixels per
// cell, every cell raises its pixels to its code (max = most urgent) in a byte buffer that one
// pass then colours: a million cells cost one write each, however many share a pixel. From a
// few pixels up, each visible cell is painted with its fill and its blocker mark's shape.
// Only the cells inside the viewport are visited in either mode.

import { Mark, fillOfCode, markOfCode, strayOfCode } from '../../engine/select/taskCells';
import type { GroupBox, TasksLayout } from './tasksLayout';
import type { TasksPalette } from './tasksPalette';

export interface ZoomTransform {
  k: number;
  x: number;
  y: number;
}

export interface Frame {
  /** Device-pixel size of the buffer. */
  width: number;
  height: number;
  pixels: Uint32Array;
  /** Scratch byte per pixel for the aggregate mode. */
  agg: Uint8Array;
}

export function newFrame(width: number, height: number): Frame {
  const w = Math.max(1, Math.floor(width));
  const h = Math.max(1, Math.floor(height));
  return { width: w, height: h, pixels: new Uint32Array(w * h), agg: new Uint8Array(w * h) };
}

/** Below this many device pixels per cell, cells are aggregated per pixel. */
const DETAIL_PX = 4;

interface Span {
  first: number;
  last: number;
  /** Device-pixel start of each visible column / row, and one past the end. */
  at: Int32Array;
}

/** Visible columns (or rows) of `count` cells of size `step` from `origin`, clipped to [0, limit). */
function span(origin: number, step: number, count: number, limit: number): Span | null {
  const first = Math.max(0, Math.floor(-origin / step));
  const last = Math.min(count - 1, Math.floor((limit - origin) / step));
  if (last < first) return null;
  const at = new Int32Array(last - first + 2);
  for (let i = first; i <= last + 1; i++) {
    const p = Math.floor(origin + i * step);
    at[i - first] = p < 0 ? 0 : p > limit ? limit : p;
  }
  return { first, last, at };
}

/** Draw every visible cell of `codes` (cell order of `l`) into `f` under zoom `t`, scaled by `dpr`. */
export function rasterize(f: Frame, l: TasksLayout, codes: Uint8Array, t: ZoomTransform, dpr: number, pal: TasksPalette): void {
  const ox = (l.pad * t.k + t.x) * dpr;
  const { agg, pixels } = f;
  const n = f.width * f.height;
  agg.fill(0);
  // Groups of blockers may have bigger cells than the rest: each group at its own level of
  // detail. Detailed groups paint pixels directly; aggregated ones raise `agg`, coloured last.
  const detailedAny = l.groups.some((g) => g.cell * t.k * dpr >= DETAIL_PX);
  if (detailedAny) pixels.fill(pal.bg);
  for (const g of l.groups) {
    const step = g.cell * t.k * dpr;
    const cols = span(ox, step, g.cols, f.width);
    if (!cols) continue;
    if (step < DETAIL_PX) aggregate(f, g, codes, t, dpr, step, cols);
    else detailed(f, g, codes, t, dpr, step, cols, pal);
  }
  const lut = pal.byCode;
  if (detailedAny) {
    for (let p = 0; p < n; p++) if (agg[p]) pixels[p] = lut[agg[p]];
  } else for (let p = 0; p < n; p++) pixels[p] = lut[agg[p]];
}

function aggregate(f: Frame, g: GroupBox, codes: Uint8Array, t: ZoomTransform, dpr: number, step: number, cols: Span): void {
  const { agg, width: W, height: H } = f;
  const cx = cols.at;
  const rows = span((g.top * t.k + t.y) * dpr, step, g.rows, H);
  if (!rows) return;
  const ry = rows.at;
  for (let r = rows.first; r <= rows.last; r++) {
    const y0 = ry[r - rows.first];
    let y1 = ry[r - rows.first + 1];
    if (y0 >= H) break;
    if (y1 <= y0) y1 = y0 + 1;
    const rowBase = g.offset + r * g.cols;
    const end = Math.min(cols.last, g.count - 1 - r * g.cols);
    for (let c = cols.first; c <= end; c++) {
      const code = codes[rowBase + c];
      const x0 = cx[c - cols.first];
      if (x0 >= W) break;
      let x1 = cx[c - cols.first + 1];
      if (x1 <= x0) x1 = x0 + 1;
      for (let y = y0; y < y1; y++) {
        const line = y * W;
        for (let x = x0; x < x1; x++) if (code > agg[line + x]) agg[line + x] = code;
      }
    }
  }
}

function detailed(f: Frame, g: GroupBox, codes: Uint8Array, t: ZoomTransform, dpr: number, step: number, cols: Span, pal: TasksPalette): void {
  const { pixels, width: W, height: H } = f;
  const gap = step >= 6 ? Math.max(1, Math.round(dpr)) : 0;
  const rows = span((g.top * t.k + t.y) * dpr, step, g.rows, H);
  if (!rows) return;
  for (let r = rows.first; r <= rows.last; r++) {
    const y0 = rows.at[r - rows.first];
    const y1 = rows.at[r - rows.first + 1] - gap;
    const rowBase = g.offset + r * g.cols;
    const end = Math.min(cols.last, g.count - 1 - r * g.cols);
    for (let c = cols.first; c <= end; c++) {
      const x0 = cols.at[c - cols.first];
      const x1 = cols.at[c - cols.first + 1] - gap;
      if (x1 > x0 && y1 > y0) paintCell(pixels, W, x0, y0, x1, y1, Math.floor(step) - gap, codes[rowBase + c], pal);
    }
  }
}

/**
 * One cell: the fill, then the mark's shape, then (a task in a never-shipped universe) a frame
 * in the stray colour, in coordinates local to the unclipped cell of edge `size` whose visible
 * part is [x0, x1) x [y0, y1).
 */
function paintCell(px: Uint32Array, W: number, x0: number, y0: number, x1: number, y1: number, size: number, code: number, pal: TasksPalette): void {
  const fill = pal.fill[fillOfCode(code)];
  const mark = markOfCode(code);
  const ink = pal.mark[mark];
  const s = Math.max(1, size);
  const q = Math.max(1, Math.floor(s / 4));
  const ring = Math.max(1, Math.floor(s / 6));
  const frame = strayOfCode(code) ? Math.max(1, Math.floor(s / 8)) : 0;
  const strayInk = pal.stray;
  for (let y = y0; y < y1; y++) {
    const v = (y - y0) + (y1 - y0 < s && y0 === 0 ? s - (y1 - y0) : 0);
    const line = y * W;
    for (let x = x0; x < x1; x++) {
      const u = (x - x0) + (x1 - x0 < s && x0 === 0 ? s - (x1 - x0) : 0);
      let on = false;
      switch (mark) {
        case Mark.RUNNING:
          on = u >= s / 3 && u < (2 * s) / 3 && v >= s / 3 && v < (2 * s) / 3;
          break;
        case Mark.UNRELIABLE:
          on = ((u - v) & 3) === 0;
          break;
        case Mark.SLEEPING:
          on = u >= q && u < s - q && v >= q && v < s - q;
          break;
        case Mark.UNINTERRUPTIBLE:
          on = u >= q && u < s - q && v >= q && v < s - q && ((u + v) & 3) < 2;
          break;
        case Mark.EXITING:
          on = u < ring || v < ring || u >= s - ring || v >= s - ring;
          break;
      }
      if (frame && (u < frame || v < frame || u >= s - frame || v >= s - frame)) px[line + x] = strayInk;
      else px[line + x] = on ? ink : fill;
    }
  }
}
