// The Tasks view's "blocked only" filter: the same model with only the cells that carry a
// blocker mark, each group keeping its name (empty groups dropped). Derived from the model
// (never from the kernel), so it works the same on the page and from a worker snapshot.

import { HISTOGRAM_STRIDE, markOfCode } from '../../engine/select/taskCells';
import type { TaskGroup } from '../../engine/select/taskGroups';
import type { TasksModel } from '../../engine/select/tasksModel';
import { groupCounts } from '../../engine/select/tasksSummary';

export function blockedOnly(m: TasksModel): TasksModel {
  let kept = 0;
  for (let i = 0; i < m.slotOfCell.length; i++) if (markOfCode(m.codes[i])) kept++;
  const slotOfCell = new Int32Array(kept);
  const codes = new Uint8Array(kept);
  const cellOfSlot = new Int32Array(m.cellOfSlot.length).fill(-1);
  const histogram = new Int32Array(m.groups.length * HISTOGRAM_STRIDE);
  const groups: TaskGroup[] = [];
  let cell = 0;
  let out = 0;
  m.groups.forEach((g) => {
    const first = out;
    for (let j = 0; j < g.slots.length; j++, cell++) {
      const code = m.codes[cell];
      if (!markOfCode(code)) continue;
      slotOfCell[out] = g.slots[j];
      cellOfSlot[g.slots[j]] = out;
      codes[out] = code;
      histogram[groups.length * HISTOGRAM_STRIDE + code]++;
      out++;
    }
    if (out > first) groups.push({ name: g.name, slots: slotOfCell.subarray(first, out) });
  });
  return { version: m.version, groups, codes, counts: groupCounts(groups, histogram), cellOfSlot, slotOfCell };
}
