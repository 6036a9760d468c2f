// The Tasks view's search (src/engine/select/taskSearch.ts): a pid matches exactly and comes
// first, text matches comms ignoring case, dead tasks never match, at most MAX_MATCHES come back.

import { describe, expect, it } from 'vitest';
import { findTasks, MAX_MATCHES } from '../../../../src/engine/select/taskSearch';
import { SELFTEST_CONFIG, Simulation } from '../../../../src/engine/simulation';
import { installWorkload } from '../../../../src/kernel/workload';

function machine(count: number) {
  const sim = new Simulation({ ...SELFTEST_CONFIG, dynamicDebug: [] });
  const wl = installWorkload(sim.kernel, {
    classes: [{ name: 'web', comm: 'Web-%d', count, kind: 'user', phases: [{ frames: ['entry_SYSCALL_64_after_hwframe', 'do_syscall_64', 'schedule'], weight: 1, dwellUs: 1e9, sched: 'interruptible' }], syscallRatePerS: 0, forkRatePerS: 0, exitRatePerS: 0, reliableStack: true }],
    fixed: [],
  });
  return { k: sim.kernel, first: wl.classes[0].firstSlot };
}

describe('findTasks', () => {
  it('puts the task whose pid is the query first, then comms that contain it', () => {
    const { k, first } = machine(30);
    const pid = k.tasks.pid[first + 3];
    const r = findTasks(k, ` ${pid} `);
    expect(r.slots[0]).toBe(first + 3);
    for (const s of r.slots.slice(1)) expect(k.tasks.commOf(s)).toContain(String(pid));
    expect(r.total).toBe(r.slots.length);
  });

  it('matches comms ignoring case, counts every match and returns at most MAX_MATCHES', () => {
    const { k } = machine(MAX_MATCHES + 20);
    const r = findTasks(k, 'wEb-');
    expect(r.total).toBe(MAX_MATCHES + 20);
    expect(r.slots).toHaveLength(MAX_MATCHES);
    expect(findTasks(k, 'web-7')).toMatchObject({ total: 11 }); // web-7 and web-70..79 (web-107 holds no 'web-7')
  });

  it('never matches a dead task, and an empty query matches nothing', () => {
    const { k, first } = machine(5);
    k.reap(first + 1);
    expect(findTasks(k, 'web-1').slots).not.toContain(first + 1);
    expect(findTasks(k, '   ')).toEqual({ slots: [], total: 0 });
  });
});
