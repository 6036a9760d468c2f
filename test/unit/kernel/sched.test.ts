// Fake signals and the sleep states (issue 12 point 6, third item). klp_send_signals()
// (kernel/livepatch/transition.c) wakes a pending kthread with wake_up_state(task,
// TASK_INTERRUPTIBLE) and a pending user task with set_notify_signal(), whose wake-up is the
// same wake_up_state(task, TASK_INTERRUPTIBLE) (include/linux/sched/signal.h). The wake-up
// only matches a state that has TASK_INTERRUPTIBLE (ttwu_state_match(), kernel/sched/core.c):
// a TASK_UNINTERRUPTIBLE sleeper, freezable or not, stays asleep in the patched function.

import { describe, expect, it } from 'vitest';
import { KLP_TRANSITION_PATCHED, KLP_TRANSITION_UNPATCHED } from '../../../src/kernel/constants';
import { isFreezableSleep, Sched, SCHED_LETTER, TF, wakesOnSignal } from '../../../src/kernel/tasks';
import { validateScenario } from '../../../src/scenario/document';
import { HEAD } from '../../support/scenarioFixtures';
import { bootScenario } from '../../support/helpers';

const FUTEX = ['entry_SYSCALL_64_after_hwframe', 'do_syscall_64', '__x64_sys_futex', 'do_futex', 'futex_wait', 'futex_wait_queue', 'schedule'];
const LP_FUTEX = {
  name: 'lp_futex',
  livepatch: true,
  functions: [{ name: 'lp_futex_wait', body: [] }],
  objects: [{ name: 'vmlinux', funcs: [{ oldName: 'futex_wait', newFunc: 'lp_futex_wait' }] }],
};

function run(version: string, sched: string) {
  const r = validateScenario({
    ...HEAD,
    kernel: { version, dynamicDebug: ['file kernel/livepatch/* +p'] },
    modules: [LP_FUTEX],
    tasks: { classes: [], fixed: [{ comm: 'waiter', kind: 'user', frames: FUTEX, sched }] },
    script: ['load_lp_nowait lp_futex', 'sleep 20'],
  });
  if (!r.ok) throw new Error(r.errors.join('\n'));
  const b = bootScenario(r.scenario);
  const k = b.sim.kernel;
  let slot = -1;
  for (let s = k.firstThread; s < k.tasks.n; s++) if (k.tasks.commOf(s) === 'waiter') slot = s;
  const pid = k.tasks.pid[slot];
  const from = b.sim.log.length;
  const out = b.run();
  expect(out.died).toBeUndefined();
  return { k, slot, pid, log: b.sim.log.slice(from).map((l) => l.text) };
}

describe('klp_send_signals: only TASK_INTERRUPTIBLE sleepers are woken (transition.c, ttwu_state_match)', () => {
  it('a user task in TASK_INTERRUPTIBLE | TASK_FREEZABLE is woken by the fake signal, returns to user space and switches', () => {
    const { k, slot, pid, log } = run('6.12', 'freezable');
    const signalled = log.indexOf('livepatch: signaling remaining tasks');
    expect(signalled).toBeGreaterThan(0);
    // klp_try_switch_task's pr_debug names it in the first attempt and the 15 retries (the
    // 16th attempt, with klp_signals_cnt at SIGNALS_TIMEOUT, signals), never after.
    const line = `livepatch: klp_try_switch_task: waiter:${pid} is sleeping on function futex_wait`;
    expect(log.slice(0, signalled).filter((l) => l === line)).toHaveLength(16);
    expect(log.slice(signalled).filter((l) => l === line)).toHaveLength(0);
    expect(log).toContain("livepatch: 'lp_futex': patching complete");
    expect(k.tasks.has(slot, TF.PATCH_PENDING)).toBe(false);
  });

  it('a user task in TASK_UNINTERRUPTIBLE | TASK_FREEZABLE is not woken: it stays pending in futex_wait after the signals', () => {
    const { k, slot, pid, log } = run('6.12', 'uninterruptible-freezable');
    const signalled = log.indexOf('livepatch: signaling remaining tasks');
    expect(signalled).toBeGreaterThan(0);
    const line = `livepatch: klp_try_switch_task: waiter:${pid} is sleeping on function futex_wait`;
    expect(log.slice(signalled).filter((l) => l === line).length).toBeGreaterThanOrEqual(4);
    expect(log).not.toContain("livepatch: 'lp_futex': patching complete");
    expect(k.tasks.has(slot, TF.PATCH_PENDING)).toBe(true);
    expect(k.tasks.patchState[slot]).toBe(KLP_TRANSITION_UNPATCHED);
    expect(k.klpTargetState).toBe(KLP_TRANSITION_PATCHED);
    // ps and /proc/<pid>/stat show the D state.
    expect(SCHED_LETTER[k.tasks.sched[slot]]).toBe('D');
  });

  it('wake_up_state(TASK_INTERRUPTIBLE) matches interruptible sleeps only; the 6.16 hook tests TASK_FREEZABLE alone (livepatch_sched.h)', () => {
    expect([Sched.INTERRUPTIBLE, Sched.FREEZABLE, Sched.UNINTERRUPTIBLE, Sched.FREEZABLE_UNINTERRUPTIBLE].map(wakesOnSignal)).toEqual([true, true, false, false]);
    expect([Sched.INTERRUPTIBLE, Sched.FREEZABLE, Sched.UNINTERRUPTIBLE, Sched.FREEZABLE_UNINTERRUPTIBLE].map(isFreezableSleep)).toEqual([false, true, false, true]);
  });

  it('a kthread in TASK_UNINTERRUPTIBLE | TASK_FREEZABLE is not woken by wake_up_state(TASK_INTERRUPTIBLE); one in TASK_INTERRUPTIBLE | TASK_FREEZABLE is', () => {
    const mod = (sched: string) => ({
      name: 'sleepmod',
      functions: [{ name: 'sleep_loop', loop: true, body: [{ sleep: { us: 60_000_000, sched } }] }],
      kthreads: [{ comm: 'sleeper', fn: 'sleep_loop' }],
    });
    for (const [sched, woken] of [['freezable', true], ['uninterruptible-freezable', false]] as const) {
      const r = validateScenario({ ...HEAD, modules: [mod(sched)], script: ['insmod sleepmod.ko', 'sleep 1'] });
      if (!r.ok) throw new Error(r.errors.join('\n'));
      const b = bootScenario(r.scenario);
      b.run();
      const k = b.sim.kernel;
      let slot = -1;
      for (let s = k.firstThread; s < k.tasks.n; s++) if (k.tasks.commOf(s) === 'sleeper') slot = s;
      expect(k.wakeInterruptible(slot)).toBe(woken);
    }
  });
});
