// Find tasks by pid or comm (the Tasks view's search): a number matches that pid exactly, and
// any text matches comms that contain it, ignoring case. One pass over the task table (its
// budget is the table's size); at most MAX_MATCHES slots come back, with the total.

import type { Kernel } from '../../kernel/kernel';
import { Sched } from '../../kernel/tasks';

export const MAX_MATCHES = 100;
/** Longer text cannot be a comm (TASK_COMM_LEN is 16) or a pid. */
const MAX_QUERY = 64;

interface TaskMatches {
  slots: number[];
  total: number;
}

export function findTasks(k: Kernel, query: string): TaskMatches {
  const q = query.trim().toLowerCase().slice(0, MAX_QUERY);
  if (!q) return { slots: [], total: 0 };
  const t = k.tasks;
  const pid = /^\d+$/.test(q) ? Number(q) : -1;
  const slots: number[] = [];
  let total = 0;
  // A pid is unique among live tasks: it comes first.
  for (let s = 0; s < t.n; s++) {
    if (t.sched[s] !== Sched.DEAD && t.pid[s] === pid) {
      slots.push(s);
      total++;
    }
  }
  for (let s = 0; s < t.n; s++) {
    if (t.sched[s] === Sched.DEAD || t.pid[s] === pid) continue;
    if (!t.commOf(s).toLowerCase().includes(q)) continue;
    total++;
    if (slots.length < MAX_MATCHES) slots.push(s);
  }
  return { slots, total };
}
