// The workbench layout (src/ui/layout/layoutModel.ts): columns, panels, resizing and the saved text.

import { describe, expect, it } from 'vitest';
import { COLUMNS, defaultLayout, layoutText, MIN_COL, MIN_WEIGHT, parseLayout, PANEL_IDS, resizeColumns, resizePanels, setCollapsed } from '../../../../src/ui/layout/layoutModel';

describe('layout model', () => {
  it('has every panel in one column, collapsed none, columns summing to 1', () => {
    const d = defaultLayout();
    expect(PANEL_IDS).toHaveLength(new Set(COLUMNS.flat()).size);
    expect(d.cols.reduce((a, b) => a + b, 0)).toBeCloseTo(1);
    expect(PANEL_IDS.every((id) => d.collapsed[id] === false)).toBe(true);
  });

  it('round-trips through local settings and ignores what it did not write', () => {
    let l = resizeColumns(defaultLayout(), 0, 0.1);
    l = resizePanels(l, 'tasks', 'timeline', -0.2);
    l = setCollapsed(l, 'sysfs', true);
    const back = parseLayout(layoutText(l));
    expect(back.cols[0]).toBeCloseTo(l.cols[0], 3);
    expect(back.weights.tasks).toBeCloseTo(l.weights.tasks);
    expect(back.collapsed.sysfs).toBe(true);
    for (const bad of [null, '', '{', '[]', '"x"', '{"cols":[2,0,0]}', '{"weights":{"tasks":-1,"__proto__":{"x":1}},"collapsed":{"log":"yes"}}']) {
      expect(parseLayout(bad)).toEqual(defaultLayout());
    }
    expect(Object.getPrototypeOf(parseLayout('{"weights":{"constructor":3}}').weights)).toBeNull();
  });

  it('keeps columns and panels above their minimum however far a splitter moves', () => {
    const l = resizeColumns(defaultLayout(), 1, 5);
    expect(l.cols[2]).toBeCloseTo(MIN_COL);
    expect(l.cols.reduce((a, b) => a + b, 0)).toBeCloseTo(1);
    const p = resizePanels(defaultLayout(), 'tasks', 'timeline', -5);
    expect(p.weights.tasks).toBeCloseTo(MIN_WEIGHT);
    expect(p.weights.tasks + p.weights.timeline).toBeCloseTo(defaultLayout().weights.tasks + defaultLayout().weights.timeline);
    expect(resizePanels(defaultLayout(), 'tasks', 'nope', 0.1)).toEqual(defaultLayout());
  });
});
