// The attempt walk's pending list (klp_try_complete_transition()): after the first attempt
// the walk visits only the threads it left unswitched, in task-list order, and nothing a full
// for_each_process_thread() walk would do is lost: tasks that switch by another path drop
// out, children forked by pending parents join (klp_copy_process), a reversal starts over.

import { describe, it, expect } from 'vitest';
import { KLP_TRANSITION_PATCHED, KLP_TRANSITION_UNPATCHED } from '../../../src/kernel/constants';
import { explainSwitch, klpTryCompleteTransition } from '../../../src/kernel/transition';
import { PendingSlots, Sched, TF } from '../../../src/kernel/tasks';
import { Prng } from '../../../src/kernel/prng';
import { runToEnd } from '../../support/helpers';
import { enable, walkMachine } from '../../support/walkMachine';

const DEBUG = ['file kernel/livepatch/* +p'];

describe('PendingSlots: the scratch list of one transition', () => {
  it('starts as "every thread", keeps appended slots in ascending order and grows', () => {
    const p = new PendingSlots();
    expect(p.all).toBe(true);
    p.all = false;
    for (let s = 10; s < 210; s++) p.append(s);
    expect(p.len).toBe(200);
    expect(Array.from(p.slots.subarray(0, 3))).toEqual([10, 11, 12]);
    expect(p.slots[199]).toBe(209);
  });

  it('append() of a slot not after the last one falls back to walking every thread (task-list order is kept)', () => {
    const p = new PendingSlots();
    p.all = false;
    p.append(50);
    p.append(40);
    expect(p.all).toBe(true);
  });

  it('append() while the list stands for every thread records nothing', () => {
    const p = new PendingSlots();
    p.append(7);
    expect(p.len).toBe(0);
    expect(p.all).toBe(true);
  });

  it('release() at the end of a transition returns the scratch', () => {
    const p = new PendingSlots();
    p.all = false;
    for (let s = 0; s < 5000; s++) p.append(s);
    expect(p.bytes()).toBeGreaterThan(5000 * 4 - 1);
    p.release();
    expect(p.bytes()).toBe(64 * 4);
    expect(p.all).toBe(true);
    expect(p.len).toBe(0);
  });
});

describe('klp_try_complete_transition over the pending list', () => {
  it('the first attempt checks every thread; the next one only the blocked threads, left in task-list order', () => {
    const m = walkMachine({}, 30, 3);
    const listed = enable(m);
    const k = m.sim.kernel;
    expect(k.klpPending.all).toBe(false);
    expect(Array.from(k.klpPending.slots.subarray(0, k.klpPending.len))).toEqual(m.blocked);
    expect(k.tasklist.holds[0].checked).toBe(listed);
    m.sim.advance(2_000_000);
    expect(k.tasklist.holds.length).toBeGreaterThanOrEqual(2);
    expect(k.tasklist.holds[1].checked).toBe(3);
  });

  it('a thread that switched on its way to user space (klp_update_patch_state) is dropped by the next walk', () => {
    const m = walkMachine({}, 10, 3);
    enable(m);
    const k = m.sim.kernel;
    k.exitToUserMode(m.blocked[1]);
    expect(k.tasks.patchState[m.blocked[1]]).toBe(KLP_TRANSITION_PATCHED);
    const before = k.tasklist.holds.length;
    m.sim.advance(2_000_000);
    expect(k.tasklist.holds[before].checked).toBe(2);
    expect(Array.from(k.klpPending.slots.subarray(0, k.klpPending.len))).toEqual([m.blocked[0], m.blocked[2]]);
  });

  it('klp_copy_process: a child forked by a pending parent during the transition is pending, and its own fresh stack lets the next walk switch it', () => {
    const m = walkMachine({ dynamicDebug: DEBUG }, 10, 2);
    enable(m);
    const k = m.sim.kernel;
    const child = k.fork(m.blocked[0], 'child');
    expect(k.tasks.has(child, TF.PATCH_PENDING)).toBe(true);
    const from = k.log.records.length;
    m.sim.advance(2_000_000);
    const lines = k.log.records.slice(from).filter((r) => r.text.includes('is sleeping on function')).map((r) => r.text);
    const who = (s: number) => `${k.tasks.commOf(s)}:${k.tasks.pid[s]}`;
    // The lines of the first attempt after the fork: the child does not sleep in its
    // parent's d_delete (copy_thread() starts it in ret_from_fork, issue 12 point 1).
    expect(lines.slice(0, 2)).toEqual([
      `livepatch: klp_try_switch_task: ${who(m.blocked[0])} is sleeping on function d_delete`,
      `livepatch: klp_try_switch_task: ${who(m.blocked[1])} is sleeping on function d_delete`,
    ]);
    expect(lines.some((l) => l.includes(who(child)))).toBe(false);
    expect(k.tasks.patchState[child]).toBe(k.klpTargetState);
  });

  it('klp_copy_process: a child of an already switched parent is not pending and not listed', () => {
    const m = walkMachine({}, 10, 2);
    enable(m);
    const k = m.sim.kernel;
    const child = k.fork(m.clean[0], 'child');
    expect(k.tasks.patchState[child]).toBe(KLP_TRANSITION_PATCHED);
    expect(k.tasks.has(child, TF.PATCH_PENDING)).toBe(false);
    expect(Array.from(k.klpPending.slots.subarray(0, k.klpPending.len))).toEqual(m.blocked);
  });

  it('klp_reverse_transition: every thread that had switched is a candidate again, and the walk finds them', () => {
    const m = walkMachine({}, 12, 2);
    enable(m);
    const k = m.sim.kernel;
    runToEnd(m.sim, ['echo 0 > /sys/kernel/livepatch/walk_lp/enabled']);
    expect(k.klpTargetState).toBe(KLP_TRANSITION_UNPATCHED);
    expect(k.klpPending.all).toBe(true);
    // The threads that had switched (all of ours but the two blocked ones) go back to unpatched.
    const switchedBack = k.listedSlots().filter((s) => k.tasks.patchState[s] !== KLP_TRANSITION_UNPATCHED);
    for (const s of m.clean) expect(switchedBack).toContain(s);
    for (const s of m.blocked) expect(switchedBack).not.toContain(s);
    const before = k.tasklist.holds.length;
    m.sim.advance(2_000_000);
    expect(k.klpTransitionPatch).toBeNull();
    expect(k.tasklist.holds[before].checked).toBe(switchedBack.length);
  });

  it('without reliable stack traces klp_try_switch_task() returns before any check: no thread switches by the walk, no per-task lines', () => {
    const m = walkMachine({ reliableStacktrace: false, dynamicDebug: DEBUG }, 10, 2);
    enable(m);
    const k = m.sim.kernel;
    m.sim.advance(3_000_000);
    expect(k.log.records.filter((r) => r.text.includes('klp_try_switch_task:'))).toEqual([]);
    for (const s of [...m.clean, ...m.blocked]) expect(k.tasks.patchState[s]).toBe(KLP_TRANSITION_UNPATCHED);
    expect(Array.from(k.klpPending.slots.subarray(0, k.klpPending.len))).toEqual(k.listedSlots().filter((s) => k.tasks.patchState[s] !== KLP_TRANSITION_PATCHED));
  });

  it('switches exactly the threads a check of every listed thread (explainSwitch) allows, attempt after attempt', () => {
    const m = walkMachine({}, 60, 6);
    enable(m);
    const k = m.sim.kernel;
    const prng = new Prng(7);
    const cleanStack = k.tasks.stack[m.clean[0]];
    const blockedStack = k.tasks.stack[m.blocked[0]];
    const ours = [...m.clean, ...m.blocked];
    for (let round = 0; round < 8; round++) {
      // Threads move between stacks and states, some switch on their own, some fork.
      for (const s of ours) {
        if (k.tasks.patchState[s] === k.klpTargetState) continue;
        const r = prng.next();
        if (r < 0.2) k.tasks.stack[s] = cleanStack;
        else if (r < 0.3) k.tasks.sched[s] = Sched.RUNNING;
        else if (r < 0.35) k.exitToUserMode(s);
        else if (r < 0.4) ours.push(k.fork(s, 'forked'));
        else if (r < 0.5) k.tasks.stack[s] = blockedStack;
      }
      const target = k.klpTargetState;
      const expected = k.listedSlots().filter((s) => k.tasks.patchState[s] === target || explainSwitch(k, s).ok);
      klpTryCompleteTransition(k);
      if (!k.klpTransitionPatch) break;
      const switched = k.listedSlots().filter((s) => k.tasks.patchState[s] === target);
      expect(switched).toEqual(expected);
      const stillPending = k.listedSlots().filter((s) => k.tasks.patchState[s] !== target);
      expect(Array.from(k.klpPending.slots.subarray(0, k.klpPending.len))).toEqual(stillPending);
      for (const s of ours) if (k.tasks.sched[s] === Sched.RUNNING) k.tasks.sched[s] = Sched.INTERRUPTIBLE;
    }
  });
});
