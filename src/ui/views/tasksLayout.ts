// Where each cell sits, in "base" pixels (the view at zoom 1): groups stacked top to bottom,
// each a label band then its cells row-major in a grid shared by all groups. The cell size is
// the largest that fits every task in the panel, so at zoom 1 the whole machine is visible;
// zooming (d3-zoom) then scales the base coordinates.

export interface GroupBox {
  name: string;
  count: number;
  /** Index of the group's first cell among all cells. */
  offset: number;
  /** Base y of the label band. */
  labelTop: number;
  /** Base y of the first cell row. */
  top: number;
  rows: number;
}

export interface TasksLayout {
  /** Cell edge in base pixels (may be below one pixel for big machines). */
  cell: number;
  cols: number;
  pad: number;
  width: number;
  height: number;
  groups: GroupBox[];
  total: number;
}

export const LABEL_PX = 16;
export const GROUP_GAP_PX = 6;
export const MAX_CELL_PX = 22;
const PAD_PX = 4;

function stack(sizes: readonly { name: string; count: number }[], cell: number, width: number, height: number): TasksLayout {
  const cols = Math.max(1, Math.floor((width - 2 * PAD_PX) / cell));
  const groups: GroupBox[] = [];
  let y = PAD_PX;
  let offset = 0;
  for (const g of sizes) {
    const rows = Math.ceil(g.count / cols);
    groups.push({ name: g.name, count: g.count, offset, labelTop: y, top: y + LABEL_PX, rows });
    y += LABEL_PX + rows * cell + GROUP_GAP_PX;
    offset += g.count;
  }
  return { cell, cols, pad: PAD_PX, width, height: Math.max(height, y), groups, total: offset };
}

function usedHeight(l: TasksLayout): number {
  const last = l.groups[l.groups.length - 1];
  return last ? last.top + last.rows * l.cell + PAD_PX : 0;
}

/** The layout with the biggest cells (at most MAX_CELL_PX) that fits the groups in width x height. */
export function layoutTasks(sizes: readonly { name: string; count: number }[], width: number, height: number): TasksLayout {
  const w = Math.max(1, width);
  const h = Math.max(1, height);
  let lo = 1e-3;
  let hi = MAX_CELL_PX;
  if (usedHeight(stack(sizes, hi, w, h)) <= h) return stack(sizes, hi, w, h);
  for (let i = 0; i < 40; i++) {
    const mid = (lo + hi) / 2;
    if (usedHeight(stack(sizes, mid, w, h)) <= h) lo = mid;
    else hi = mid;
  }
  return stack(sizes, lo, w, h);
}

/** Index of the cell under base point (x, y), or -1. */
export function cellAt(l: TasksLayout, x: number, y: number): number {
  const col = Math.floor((x - l.pad) / l.cell);
  if (col < 0 || col >= l.cols) return -1;
  for (const g of l.groups) {
    if (y < g.top || y >= g.top + g.rows * l.cell) continue;
    const i = Math.floor((y - g.top) / l.cell) * l.cols + col;
    return i < g.count ? g.offset + i : -1;
  }
  return -1;
}

/** Base-pixel square of cell `index`. */
export function cellBox(l: TasksLayout, index: number): { x: number; y: number; size: number } | null {
  for (const g of l.groups) {
    if (index < g.offset || index >= g.offset + g.count) continue;
    const i = index - g.offset;
    return { x: l.pad + (i % l.cols) * l.cell, y: g.top + Math.floor(i / l.cols) * l.cell, size: l.cell };
  }
  return null;
}
