// Where each cell sits, in "base" pixels (the view at zoom 1): groups stacked top to bottom,
// each a label band then its cells row-major in a grid shared by all groups. The cell size is
// the largest that fits every task in the panel, so at zoom 1 the whole machine is visible;
// zooming (d3-zoom) then scales the base coordinates. A group that holds blockers is never
// drawn thinner than MIN_BLOCKER_PX: it gets bigger cells of its own (1,941 NFS readers among
// 300,000 threads stay a visible band, not a 2-pixel line).

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
  /** The group's cell edge and columns (bigger than the layout's for a group of blockers). */
  cell: number;
  cols: number;
}

export interface GroupSize {
  name: string;
  count: number;
  /** Holds blocked tasks: drawn at least MIN_BLOCKER_PX tall. */
  blockers?: boolean;
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

const LABEL_PX = 16;
const GROUP_GAP_PX = 6;
export const MAX_CELL_PX = 22;
/** The least height (base px) of a group that holds blockers. */
const MIN_BLOCKER_PX = 24;
const PAD_PX = 4;

const colsFor = (width: number, cell: number) => Math.max(1, Math.floor((width - 2 * PAD_PX) / cell));

/** The smallest cell edge (up to MAX_CELL_PX) at which `count` cells fill `minPx` of height. */
function cellForHeight(count: number, width: number, minPx: number): number {
  const tall = (c: number) => Math.ceil(count / colsFor(width, c)) * c >= minPx;
  if (!tall(MAX_CELL_PX)) return MAX_CELL_PX;
  let lo = 1e-3;
  let hi = MAX_CELL_PX;
  for (let i = 0; i < 30; i++) {
    const mid = (lo + hi) / 2;
    if (tall(mid)) hi = mid;
    else lo = mid;
  }
  return hi;
}

function stack(sizes: readonly GroupSize[], cell: number, width: number, height: number): TasksLayout {
  const cols = colsFor(width, cell);
  const groups: GroupBox[] = [];
  let y = PAD_PX;
  let offset = 0;
  for (const g of sizes) {
    let gc = cell;
    let gcols = cols;
    if (g.blockers && Math.ceil(g.count / cols) * cell < MIN_BLOCKER_PX) {
      gc = Math.max(cell, cellForHeight(g.count, width, MIN_BLOCKER_PX));
      gcols = colsFor(width, gc);
    }
    const rows = Math.ceil(g.count / gcols);
    groups.push({ name: g.name, count: g.count, offset, labelTop: y, top: y + LABEL_PX, rows, cell: gc, cols: gcols });
    y += LABEL_PX + rows * gc + GROUP_GAP_PX;
    offset += g.count;
  }
  return { cell, cols, pad: PAD_PX, width, height: Math.max(height, y), groups, total: offset };
}

function usedHeight(l: TasksLayout): number {
  const last = l.groups[l.groups.length - 1];
  return last ? last.top + last.rows * last.cell + PAD_PX : 0;
}

/** The layout with the biggest cells (at most MAX_CELL_PX) that fits the groups in width x height. */
export function layoutTasks(sizes: readonly GroupSize[], width: number, height: number): TasksLayout {
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

/**
 * Index of the cell under base point (x, y), or -1. `tol` (base px) lets a point that far
 * outside a group's cells pick the nearest one: at a million tasks a cell is a quarter of a
 * pixel and a group of 128 tasks one such row, which a pointer at whole pixels would miss.
 */
export function cellAt(l: TasksLayout, x: number, y: number, tol = 0): number {
  for (const g of l.groups) {
    const bottom = g.top + g.rows * g.cell;
    if (y < g.top - tol || y >= bottom + tol) continue;
    if (x < l.pad - tol || x >= l.pad + g.cols * g.cell + tol) return -1;
    const row = Math.min(g.rows - 1, Math.max(0, Math.floor((y - g.top) / g.cell)));
    const col = Math.min(g.cols - 1, Math.max(0, Math.floor((x - l.pad) / g.cell)));
    const i = row * g.cols + col;
    if (i < g.count) return g.offset + i;
    // Past the end of a short last row: the cell above, or the last cell, when within reach.
    if (row > 0 && y - tol < g.top + row * g.cell) return g.offset + i - g.cols;
    const lastCol = (g.count - 1) % g.cols;
    return x - tol < l.pad + (lastCol + 1) * g.cell ? g.offset + g.count - 1 : -1;
  }
  return -1;
}

/** Base-pixel square of cell `index`. */
export function cellBox(l: TasksLayout, index: number): { x: number; y: number; size: number } | null {
  for (const g of l.groups) {
    if (index < g.offset || index >= g.offset + g.count) continue;
    const i = index - g.offset;
    return { x: l.pad + (i % g.cols) * g.cell, y: g.top + Math.floor(i / g.cols) * g.cell, size: g.cell };
  }
  return null;
}
