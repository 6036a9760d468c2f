// The Tasks view's model of one simulation moment: the groups, one code per cell, counts, and
// the two maps between slots and cells. Rebuilt when the session's version moves; drawing
// (zoom, pan, resize) reuses it.

import type { Session } from '../../engine/session';
import type { Kernel } from '../../kernel/kernel';
import { cellCodes } from './taskCells';
import { groupTasks, type TaskGroup } from './taskGroups';
import { groupCounts, type GroupCounts } from './tasksSummary';

export interface TasksModel {
  version: number;
  groups: TaskGroup[];
  codes: Uint8Array;
  counts: GroupCounts[];
  /** cellOfSlot[slot]: the slot's cell index, -1 for none. */
  cellOfSlot: Int32Array;
  /** slotOfCell[cell] */
  slotOfCell: Int32Array;
}

/** Task class names, once the kernel has them (scenario workloads name their classes). */
export function classNames(k: Kernel): readonly string[] | undefined {
  return (k as Kernel & { taskClassNames?: readonly string[] }).taskClassNames;
}

export function buildTasksModel(session: Session, prev?: TasksModel): TasksModel {
  const k = session.sim.kernel;
  const t = k.tasks;
  const { groups, order: slotOfCell } = groupTasks({ n: t.n, sched: t.sched, flags: t.flags, cls: t.cls, nrCpus: k.nrCpus, classNames: classNames(k) });
  const c = session.classify();
  const codes = cellCodes(groups, { patchState: t.patchState, flags: t.flags, reason: c.reason }, prev?.codes);
  const cellOfSlot = prev && prev.cellOfSlot.length >= t.n ? prev.cellOfSlot : new Int32Array(Math.max(t.n, 1024));
  cellOfSlot.fill(-1);
  for (let i = 0; i < slotOfCell.length; i++) cellOfSlot[slotOfCell[i]] = i;
  return { version: session.version, groups, codes, counts: groupCounts(groups, codes), cellOfSlot, slotOfCell };
}
