// Which group each task's cell sits in. Tasks of a workload class (TaskTable.cls = class
// index + 1, named by the scenario's workload) sit in their class's group; every other task
// in one of the kinds the kernel itself distinguishes: the per-CPU idle tasks (slots
// 0..nr_cpus-1, not on the task list), kernel threads (PF_KTHREAD) and user tasks. Dead
// slots get no cell.

import { Sched, TF } from '../../kernel/tasks';

export interface TaskGroup {
  name: string;
  /** Slots in cell order. */
  slots: Int32Array;
}

interface GroupInput {
  n: number;
  sched: Uint8Array;
  flags: Uint8Array;
  cls: Uint8Array;
  nrCpus: number;
  /** Names of the workload classes: classNames[c - 1] for TaskTable.cls value c. */
  classNames?: readonly string[];
}

export const KIND_GROUPS = ['per-CPU idle tasks', 'kernel threads', 'user tasks'] as const;

/** Group index of every slot (-1: no cell) and the group names. */
function assign(inp: GroupInput): { of: Int16Array; names: string[] } {
  const { n, sched, flags, cls, nrCpus } = inp;
  const classes = inp.classNames ?? [];
  const of = new Int16Array(n);
  for (let s = 0; s < n; s++) {
    const c = cls[s];
    if (sched[s] === Sched.DEAD) of[s] = -1;
    else if (s < nrCpus) of[s] = 0;
    else if (c > 0 && c <= classes.length) of[s] = KIND_GROUPS.length + c - 1;
    else of[s] = flags[s] & TF.KTHREAD ? 1 : 2;
  }
  return { of, names: [...KIND_GROUPS, ...classes] };
}

interface Grouping {
  /** Non-empty groups in order; each group's slots are a view of `order`. */
  groups: TaskGroup[];
  /** Every cell's slot, groups one after another, slot (task-list) order within a group. */
  order: Int32Array;
}

export function groupTasks(inp: GroupInput): Grouping {
  const { of, names } = assign(inp);
  const counts = new Int32Array(names.length);
  for (let s = 0; s < inp.n; s++) if (of[s] >= 0) counts[of[s]]++;
  const starts = new Int32Array(names.length + 1);
  for (let g = 0; g < names.length; g++) starts[g + 1] = starts[g] + counts[g];
  const order = new Int32Array(starts[names.length]);
  const fill = starts.slice(0, names.length);
  for (let s = 0; s < inp.n; s++) {
    const g = of[s];
    if (g >= 0) order[fill[g]++] = s;
  }
  const groups = names.map((name, g) => ({ name, slots: order.subarray(starts[g], starts[g + 1]) })).filter((g) => g.slots.length > 0);
  return { groups, order };
}
