// Busy CPUs (issue 12 point 5, src/kernel/busyCpus.ts). User tasks spinning in user space
// occupy the CPUs: klp_try_switch_task() (kernel/livepatch/transition.c) cannot check a task
// that task_curr() reports on a CPU and logs "%s:%d is running" (pr_debug, -EBUSY); the idle
// task of a busy CPU is not running, so its stack is checked and it switches in the walk;
// a running spinner switches at the next tick's return to user mode, where
// exit_to_user_mode_loop() calls klp_update_patch_state() (kernel/entry/common.c).

import { describe, expect, it } from 'vitest';
import { KLP_TRANSITION_IDLE, KLP_TRANSITION_PATCHED } from '../../../src/kernel/constants';
import { SLICE_US } from '../../../src/kernel/busyCpus';
import { Sched, TF } from '../../../src/kernel/tasks';
import { validateScenario } from '../../../src/scenario/document';
import { parseScript } from '../../../src/scenario/script';
import { HEAD } from '../../support/scenarioFixtures';
import { bootScenario, runLines } from '../../support/helpers';

function machine(hogs: number, script: string[]) {
  const classes = hogs
    ? [{ name: 'hogs', comm: 'hog-%d', count: hogs, kind: 'user', phases: [], syscallRatePerS: 0, forkRatePerS: 0, exitRatePerS: 0, reliableStack: true }]
    : [];
  const r = validateScenario({
    ...HEAD,
    kernel: { version: '6.12', cpus: { count: 4 }, dynamicDebug: ['file kernel/livepatch/* +p'] },
    modules: ['test_klp_livepatch'],
    tasks: { classes, fixed: [] },
    script,
  });
  if (!r.ok) throw new Error(r.errors.join('\n'));
  return bootScenario(r.scenario);
}

/** The kernel log lines from `from` on: the klp_try_switch_task lines and the transition's own. */
function klpLines(texts: string[]): string[] {
  return texts.filter((t) => t.startsWith('livepatch: '));
}

function hogSlots(k: ReturnType<typeof machine>['sim']['kernel']): number[] {
  const out: number[] = [];
  for (let s = k.firstThread; s < k.tasks.n; s++) if (k.tasks.commOf(s).startsWith('hog-')) out.push(s);
  return out;
}

describe('busy CPUs: user-space spinners are task_curr, one per CPU (klp_try_switch_task)', () => {
  it('six hogs on four CPUs: the first attempt reports the three running hogs (insmod has CPU 0), no idle task; the retry completes', () => {
    const { sim, run } = machine(6, ['load_lp test_klp_livepatch']);
    const pid = (i: number) => 1001 + i;
    const out = run();
    expect(out.died).toBeUndefined();
    expect(klpLines(sim.log.map((l) => l.text))).toEqual([
      "livepatch: enabling patch 'test_klp_livepatch'",
      "livepatch: 'test_klp_livepatch': initializing patching transition",
      "livepatch: 'test_klp_livepatch': starting patching transition",
      `livepatch: klp_try_switch_task: hog-1:${pid(1)} is running`,
      `livepatch: klp_try_switch_task: hog-2:${pid(2)} is running`,
      `livepatch: klp_try_switch_task: hog-3:${pid(3)} is running`,
      "livepatch: 'test_klp_livepatch': completing patching transition",
      "livepatch: 'test_klp_livepatch': patching complete",
    ]);
    const k = sim.kernel;
    expect(hogSlots(k).map((s) => k.tasks.pid[s])).toEqual([0, 1, 2, 3, 4, 5].map(pid));
  });

  it('four CPUs, no hogs: every idle CPU but insmod\'s reports its idle task running (for contrast)', () => {
    const { sim, run } = machine(0, ['load_lp test_klp_livepatch']);
    run();
    expect(klpLines(sim.log.map((l) => l.text)).filter((t) => t.includes('klp_try_switch_task'))).toEqual([
      'livepatch: klp_try_switch_task: swapper/1:0 is running',
      'livepatch: klp_try_switch_task: swapper/2:0 is running',
      'livepatch: klp_try_switch_task: swapper/3:0 is running',
    ]);
  });

  it('two hogs on four CPUs: the two hogs and the one idle CPU left are running; insmod takes the other idle CPU', () => {
    const { sim, run } = machine(2, ['load_lp test_klp_livepatch']);
    run();
    expect(klpLines(sim.log.map((l) => l.text)).filter((t) => t.includes('klp_try_switch_task'))).toEqual([
      'livepatch: klp_try_switch_task: hog-0:1001 is running',
      'livepatch: klp_try_switch_task: hog-1:1002 is running',
      'livepatch: klp_try_switch_task: swapper/3:0 is running',
    ]);
  });

  it('a running hog switches at the next tick (klp_update_patch_state on the return to user mode), long before the retry', () => {
    const { sim } = machine(6, []);
    const k = sim.kernel;
    const p = parseScript(['load_lp_nowait test_klp_livepatch']);
    if (!p.ok) throw new Error(p.errors.join('\n'));
    runLines(sim, p.lines);
    expect(k.klpTargetState).toBe(KLP_TRANSITION_PATCHED);
    const hogs = hogSlots(k);
    // Every CPU has a hog on it, or the shell's child; at most one hog per CPU is running.
    const running = hogs.filter((s) => k.tasks.sched[s] === Sched.RUNNING);
    expect(running.length).toBeLessThanOrEqual(4);
    for (const s of running) expect(k.cpus.filter((c) => c.curr === s)).toHaveLength(1);
    // The idle task of a CPU a hog holds is not running.
    for (let c = 0; c < 4; c++) if (hogs.includes(k.cpus[c].curr)) expect(k.tasks.sched[k.idleSlot(c)]).toBe(Sched.RUNNABLE);
    const start = k.clock.now;
    k.clock.runUntil(start + 1000);
    for (const s of hogs) {
      expect(k.tasks.has(s, TF.PATCH_PENDING)).toBe(false);
      expect(k.tasks.patchState[s]).toBe(KLP_TRANSITION_PATCHED);
    }
    expect(k.klpTargetState).toBe(KLP_TRANSITION_PATCHED);
    k.clock.runUntil(start + 2_000_000);
    expect(k.klpTargetState).toBe(KLP_TRANSITION_IDLE);
  });

  it('hogs sharing a CPU take turns at the tick once the slice is used; one per CPU is running at every instant', () => {
    const { sim } = machine(6, []);
    const k = sim.kernel;
    const hogs = hogSlots(k);
    const seen = new Set<number>();
    for (let t = 0; t < 40; t++) {
      k.clock.runUntil(k.clock.now + SLICE_US / 2);
      const running = hogs.filter((s) => k.tasks.sched[s] === Sched.RUNNING);
      expect(running).toHaveLength(4);
      expect(new Set(running.map((s) => k.cpus.findIndex((c) => c.curr === s))).size).toBe(4);
      for (const s of running) seen.add(s);
    }
    expect(seen.size).toBe(6);
  });
});
