// The Tasks view's model of one simulation moment: the groups, one code per cell, counts, and
// the two maps between slots and cells. Rebuilt when the session's version moves; drawing
// (zoom, pan, resize) reuses it. The grouping is reused too while no task was added or
// died: a slot's kind and class never change, so the slot count, the dead count and the
// kernel object (a seek back boots a new one) decide it.

import { analysisOf } from '../../analysis/registry';
import type { Session } from '../session';
import type { Kernel } from '../../kernel/kernel';
import { Sched } from '../../kernel/tasks';
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
  /** What the grouping was computed from. */
  basis?: { kernel: Kernel; n: number; dead: number; classes: string };
}

/** Names of the scenario workload's classes, by TaskTable.cls value - 1. */
function classNames(session: Session): string[] {
  const names: string[] = [];
  for (const c of session.sim.workload?.classes ?? []) names[c.cls - 1] = c.name;
  return Array.from(names, (n, i) => n ?? `class ${i + 1}`);
}

/**
 * By patch_state + 1: 1 when that patch_state's tasks run a never-shipped universe now. The
 * analysis keeps the universe of each patch_state as of the last livepatch event; between
 * events a task changes universe only by changing patch_state, which its cell reads.
 */
function strayOfState(session: Session): Uint8Array {
  const out = new Uint8Array(3);
  const a = analysisOf(session.sim);
  if (!a) return out;
  a.classUniverse.forEach((u, c) => {
    out[c] = u && !u.shipped ? 1 : 0;
  });
  return out;
}

function countDead(sched: Uint8Array, n: number): number {
  let dead = 0;
  for (let s = 0; s < n; s++) if (sched[s] === Sched.DEAD) dead++;
  return dead;
}

export function buildTasksModel(session: Session, prev?: TasksModel): TasksModel {
  const k = session.sim.kernel;
  const t = k.tasks;
  const names = classNames(session);
  const basis = { kernel: k, n: t.n, dead: countDead(t.sched, t.n), classes: names.join('\n') };
  const p = prev?.basis;
  const same = p && p.kernel === basis.kernel && p.n === basis.n && p.dead === basis.dead && p.classes === basis.classes;
  let { groups, slotOfCell, cellOfSlot } = prev ?? { groups: [], slotOfCell: new Int32Array(0), cellOfSlot: new Int32Array(0) };
  if (!same) {
    const grouping = groupTasks({ n: t.n, sched: t.sched, flags: t.flags, cls: t.cls, nrCpus: k.nrCpus, classNames: names });
    groups = grouping.groups;
    slotOfCell = grouping.order;
    if (cellOfSlot.length < t.n) cellOfSlot = new Int32Array(Math.max(t.n, 1024));
    cellOfSlot.fill(-1);
    for (let i = 0; i < slotOfCell.length; i++) cellOfSlot[slotOfCell[i]] = i;
  }
  const c = session.classify();
  const { codes, histogram } = cellCodes(groups, { patchState: t.patchState, flags: t.flags, reason: c.reason, strayOfState: strayOfState(session) }, prev?.codes);
  return { version: session.version, groups, codes, counts: groupCounts(groups, histogram), cellOfSlot, slotOfCell, basis };
}
