// Counts per group by fill and by mark (the canvas labels and the table alternative for
// screen readers), and the list of blocked tasks, capped.

import { Fill, HISTOGRAM_STRIDE, fillOfCode, markOfCode, strayOfCode } from './taskCells';
import type { TaskGroup } from './taskGroups';

export interface GroupCounts {
  name: string;
  total: number;
  /** By Fill. */
  fill: number[];
  /** By Mark (index 0: not blocking). */
  mark: number[];
  /** Pending (TIF_PATCH_PENDING) and refused by the check now: a subset of fill[PENDING]. */
  blocked: number;
  /** Running a universe that was never shipped (outlined on the canvas). */
  stray: number;
}

/** Counts from cellCodes()'s histogram (group g's count of code c at g * HISTOGRAM_STRIDE + c). */
export function groupCounts(groups: readonly TaskGroup[], histogram: Int32Array): GroupCounts[] {
  return groups.map((g, gi) => {
    const byCode = histogram.subarray(gi * HISTOGRAM_STRIDE, (gi + 1) * HISTOGRAM_STRIDE);
    const fill = [0, 0, 0, 0];
    const mark = [0, 0, 0, 0, 0, 0];
    let blocked = 0;
    let stray = 0;
    for (let c = 1; c < byCode.length; c++) {
      if (!byCode[c]) continue;
      fill[fillOfCode(c)] += byCode[c];
      mark[markOfCode(c)] += byCode[c];
      stray += strayOfCode(c) * byCode[c];
      if (fillOfCode(c) === Fill.PENDING && markOfCode(c)) blocked += byCode[c];
    }
    return { name: g.name, total: g.slots.length, fill, mark, blocked, stray };
  });
}

interface BlockedRow {
  slot: number;
  mark: number;
}

/** The first `cap` blocked cells (mark > 0) in cell order, and how many more there are. */
export function blockedTasks(groups: readonly TaskGroup[], codes: Uint8Array, cap: number): { rows: BlockedRow[]; more: number } {
  const rows: BlockedRow[] = [];
  let more = 0;
  let i = 0;
  for (const g of groups) {
    for (let j = 0; j < g.slots.length; j++, i++) {
      const m = markOfCode(codes[i]);
      if (!m) continue;
      if (rows.length < cap) rows.push({ slot: g.slots[j], mark: m });
      else more++;
    }
  }
  return { rows, more };
}

/**
 * A group's counts in the words every view uses: "pending" is TIF_PATCH_PENDING set (not yet
 * switched), "blocked" a pending task the check refuses now, for a reason; exiting tasks the
 * walk no longer sees are named apart.
 */
export function countsLabel(c: GroupCounts): string {
  const n = (x: number) => x.toLocaleString('en-US');
  const parts = [n(c.total)];
  if (c.fill[Fill.PENDING]) parts.push(`${n(c.fill[Fill.PENDING])} pending`);
  if (c.blocked) parts.push(`${n(c.blocked)} blocked`);
  const other = c.total - c.mark[0] - c.blocked;
  if (other) parts.push(`${n(other)} not switched, flag clear`);
  if (c.stray) parts.push(`${n(c.stray)} never-shipped`);
  return parts.join(' · ');
}
