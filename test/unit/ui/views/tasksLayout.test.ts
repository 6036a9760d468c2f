// Hit-testing the Tasks canvas at whole pixels (src/ui/views/tasksLayout.ts cellAt with a
// tolerance): at a million tasks a cell is a fraction of a pixel, and the pointer's
// coordinates are whole pixels.

import { describe, expect, it } from 'vitest';
import { cellAt, cellBox, layoutTasks } from '../../../../src/ui/views/tasksLayout';

const MILLION = [
  { name: 'per-CPU idle tasks', count: 128 },
  { name: 'kernel threads', count: 646 },
  { name: 'thread pools', count: 300_000 },
  { name: 'users', count: 700_006 },
];

/** The group a cell index belongs to. */
const groupOf = (l: ReturnType<typeof layoutTasks>, cell: number) => l.groups.findIndex((g) => cell >= g.offset && cell < g.offset + g.count);

describe('cellAt with a half-pixel tolerance', () => {
  const l = layoutTasks(MILLION, 1409, 200);

  it('finds a cell of a one-row group from the whole-pixel points nearest its centre', () => {
    expect(l.cell).toBeLessThan(0.5);
    for (const gi of [0, 1]) {
      const g = l.groups[gi];
      expect(g.rows).toBe(1);
      for (const slot of [0, 5, g.count - 1]) {
        const b = cellBox(l, g.offset + slot);
        if (!b) throw new Error('no box');
        const x = Math.round(b.x + b.size / 2);
        const y = Math.round(b.y + b.size / 2);
        // The row is thinner than a pixel: a rounded point may fall just outside it.
        const hit = cellAt(l, x, y, 0.5);
        expect(groupOf(l, hit)).toBe(gi);
        expect(Math.abs(hit - (g.offset + slot))).toBeLessThanOrEqual(Math.ceil(1 / l.cell));
      }
    }
    const g0 = l.groups[0];
    expect(cellAt(l, 10, Math.floor(g0.top) - 0.01)).toBe(-1);
    expect(cellAt(l, 10, Math.floor(g0.top) - 0.01, 0.5)).toBe(g0.offset + Math.floor((10 - l.pad) / g0.cell));
  });

  it('reaches no further than the tolerance: label bands and the right of a short last row stay empty', () => {
    const g = l.groups[1];
    // Half way through the label band above the group: nothing.
    expect(cellAt(l, 50, g.labelTop + 8, 0.5)).toBe(-1);
    // Left of the padding by more than the tolerance: nothing.
    expect(cellAt(l, l.pad - 0.6, g.top, 0.5)).toBe(-1);
    // Beyond the last cell of a one-row group (646 of 3,000-odd columns).
    const lastRight = l.pad + g.count * g.cell;
    expect(cellAt(l, lastRight + 0.4, g.top, 0.5)).toBe(g.offset + g.count - 1);
    expect(cellAt(l, lastRight + 5, g.top, 0.5)).toBe(-1);
  });

  it('in a short last row of a taller group, a point just past its end takes the cell above', () => {
    const small = layoutTasks([{ name: 'a', count: 5 }], 4 * 22 + 8, 400);
    const g = small.groups[0];
    expect(g.cols).toBe(4);
    expect(g.rows).toBe(2);
    // The second row holds one cell; under column 2 of the first row, just inside the second row.
    const x = small.pad + 2.5 * g.cell;
    expect(cellAt(small, x, g.top + g.cell + 0.2, 0.5)).toBe(2);
    expect(cellAt(small, x, g.top + g.cell + 3, 0.5)).toBe(-1);
    expect(cellAt(small, small.pad + 0.5 * g.cell, g.top + 1.5 * g.cell, 0.5)).toBe(4);
  });
});
