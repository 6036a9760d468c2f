// Task workloads (src/kernel/workload.ts) and the hazards that come from task behaviour
// (docs/kernel-model.md §4.6, §4.9, §4.12-4.14, §5, §14.1-14.3, §14.5, §14.7, §14.9).

import { describe, expect, it } from 'vitest';
import { Simulation, SELFTEST_CONFIG } from '../../../src/engine/simulation';
import { KLP_TRANSITION_PATCHED, KLP_TRANSITION_UNPATCHED } from '../../../src/kernel/constants';
import type { KernelConfig } from '../../../src/kernel/kernel';
import { formatAddr } from '../../../src/kernel/symbols';
import { Sched, TF } from '../../../src/kernel/tasks';
import { installWorkload, Place, type TaskClassSpec, type WorkloadSpec } from '../../../src/kernel/workload';
import { runToEnd } from '../../support/helpers';

const SYSCALL = ['entry_SYSCALL_64_after_hwframe', 'do_syscall_64'];
const KTHREAD = ['ret_from_fork_asm', 'ret_from_fork', 'kthread'];
const FUTEX = [...SYSCALL, '__x64_sys_futex', 'do_futex', 'futex_wait', 'futex_wait_queue', 'schedule'];
const SWITCH_DEBUG = ['func klp_try_switch_task +p'];

function machine(config: Partial<KernelConfig> = {}) {
  return new Simulation({ ...SELFTEST_CONFIG, dynamicDebug: [], ...config });
}

function userClass(over: Partial<TaskClassSpec>): TaskClassSpec {
  return { name: 'workers', comm: 'worker-%d', count: 4, kind: 'user', phases: [{ frames: FUTEX, weight: 1, dwellUs: 1_000_000, sched: 'interruptible' }], syscallRatePerS: 1, forkRatePerS: 0, exitRatePerS: 0, reliableStack: true, ...over };
}

function texts(sim: Simulation): string[] {
  return sim.log.map((r) => r.text);
}

/** The code of the innermost frame named `name` on the task's stack. */
function frameOf(sim: Simulation, slot: number, name: string) {
  const k = sim.kernel;
  const code = k.trie.frames(k.tasks.stack[slot]).find((c) => k.syms.codes[c].name === name);
  return code === undefined ? undefined : k.syms.codes[code];
}

describe('installWorkload asserts: a spec the document layer did not validate is a model bug, and changes nothing', () => {
  // User input is validated in src/scenario/documentTasks.ts (test/unit/scenario/document.test.ts
  // holds its messages); the kernel only names the broken rule.
  const cases: [string, WorkloadSpec, string][] = [
    ['count over the limit', { classes: [userClass({ count: 1_000_001 })], fixed: [] }, 'model bug: installWorkload got an unvalidated spec: workload.classes[0].count breaks "an integer from 1 to 1000000"'],
    ['comm too long after expansion', { classes: [userClass({ comm: 'postgres-worker-%d', count: 10 })], fixed: [] }, 'model bug: installWorkload got an unvalidated spec: workload.classes[0] breaks "a name, and a comm'],
    ['unknown function', { classes: [userClass({ phases: [{ frames: [...SYSCALL, 'no_such_fn'], weight: 1, dwellUs: 5, sched: 'interruptible' }] })], fixed: [] }, "model bug: workload.classes[0].phases[0].frames[2]: no function 'no_such_fn' among the kernel's symbols"],
    ['module not loaded', { classes: [], fixed: [{ comm: 'stuckd', kind: 'kthread', frames: [...KTHREAD, 'kthread_target:kthread_target_loop'], sched: 'uninterruptible' }] }, "model bug: workload.fixed[0].frames[3]: no function 'kthread_target:kthread_target_loop' among the kernel's symbols"],
    ['bad sched', { classes: [userClass({ phases: [{ frames: FUTEX, weight: 1, dwellUs: 5, sched: 'sleeping' as never }] })], fixed: [] }, 'workload.classes[0].phases[0] breaks "frames, weight > 0, dwellUs > 0, a sched"'],
    ['kthread with a syscall rate', { classes: [userClass({ kind: 'kthread', syscallRatePerS: 3 })], fixed: [] }, 'workload.classes[0] breaks "a kthread has no syscalls, and phases or a cpuBound loop"'],
    ['cpu-bound with phases', { classes: [userClass({ kind: 'kthread', syscallRatePerS: 0, cpuBound: { frames: KTHREAD, condResched: true } })], fixed: [] }, 'workload.classes[0].cpuBound breaks "frames and condResched, and no phases"'],
    ['negative rate', { classes: [userClass({ exitRatePerS: -1 })], fixed: [] }, 'workload.classes[0] breaks "rates per second >= 0"'],
    ['more states than a byte holds', { classes: Array.from({ length: 70 }, () => userClass({})), fixed: [] }, 'workload breaks "at most 255 task states"'],
  ];
  for (const [what, spec, message] of cases) {
    it(`${what}`, () => {
      const sim = machine();
      const before = sim.kernel.tasks.n;
      expect(() => installWorkload(sim.kernel, spec)).toThrow(message);
      expect(sim.kernel.tasks.n).toBe(before);
      expect(sim.kernel.exitToUserModeHook).toBeNull();
    });
  }
});

describe('task classes: shared stacks, names and places', () => {
  it('creates count tasks in consecutive slots with the class in TaskTable.cls, indexed comms and a phase or user space each', () => {
    const sim = machine();
    const k = sim.kernel;
    const wl = installWorkload(k, { classes: [userClass({ count: 1000, syscallRatePerS: 4 })], fixed: [] });
    const c = wl.classes[0];
    expect(c).toMatchObject({ name: 'workers', kind: 'user', cls: 1, initialCount: 1000, phaseLabels: ['schedule'] });
    expect(k.tasks.commOf(c.firstSlot + 17)).toBe('worker-17');
    const slots = wl.slotsOf(0);
    expect(slots.length).toBe(1000);
    const nodes = new Set<number>();
    let inUser = 0;
    for (const s of slots) {
      expect(k.tasks.cls[s]).toBe(1);
      expect(wl.classOf(s)).toBe(0);
      const place = wl.phaseOf(s);
      if (place === Place.USER) {
        inUser++;
        expect(k.tasks.has(s, TF.USER_MODE)).toBe(true);
      } else {
        expect(place).toBe(0);
        expect(k.tasks.sched[s]).toBe(Sched.INTERRUPTIBLE);
        nodes.add(k.tasks.stack[s]);
      }
    }
    // One shared trie node for the phase; time in user space is 0.25 s of a 1.25 s cycle.
    expect(nodes.size).toBe(1);
    expect(inUser).toBeGreaterThan(140);
    expect(inUser).toBeLessThan(260);
  });

  it('exit_to_user_mode: a task sleeping in a function being patched switches when its syscall returns (klp_update_patch_state)', () => {
    const sim = machine();
    const k = sim.kernel;
    runToEnd(sim, ['insmod livepatch_61_release6.ko', 'sleep 2']);
    const wl = installWorkload(k, { classes: [userClass({ count: 200, phases: [{ frames: [...SYSCALL, '__x64_sys_read', 'ksys_read', 'vfs_read', 'do_iter_readv_writev', 'schedule'], weight: 1, dwellUs: 2_000_000, sched: 'uninterruptible' }], syscallRatePerS: 0.5 })], fixed: [] });
    runToEnd(sim, ['insmod livepatch_61_release12.ko']);
    const pending = () => wl.slotsOf(0).filter((s) => k.tasks.has(s, TF.PATCH_PENDING)).length;
    const first = pending();
    expect(first).toBeGreaterThan(0);
    for (const s of wl.slotsOf(0)) if (k.tasks.has(s, TF.PATCH_PENDING)) expect(frameOf(sim, s, 'do_iter_readv_writev')?.owner).toBe('livepatch_61_release6');
    // D state: no fake signal helps; each left its syscall (mean 2 s) within 40 s.
    sim.advance(40_000_000);
    expect(pending()).toBe(0);
    expect(texts(sim)).toContain("livepatch: 'livepatch_61_release12': patching complete");
  });

  it('klp_copy_process: children forked during a transition inherit patch_state and the pending flag, and switch on their return to user mode', () => {
    const sim = machine();
    const k = sim.kernel;
    runToEnd(sim, ['insmod kthread_target.ko']);
    // Parents sleep (D state) in the function being patched: they stay pending.
    const wl = installWorkload(k, {
      classes: [userClass({ count: 500, forkRatePerS: 0.5, phases: [{ frames: [...SYSCALL, 'kthread_target:kthread_target_loop', 'schedule'], weight: 1, dwellUs: 30_000_000, sched: 'uninterruptible' }], syscallRatePerS: 0.01 })],
      fixed: [],
    });
    runToEnd(sim, ['insmod livepatch_kthread_loop.ko']);
    const n0 = k.tasks.n;
    const pendingParents = new Set(wl.slotsOf(0).filter((s) => k.tasks.has(s, TF.PATCH_PENDING)));
    sim.advance(2_000_000);
    const children = wl.slotsOf(0).filter((s) => s >= n0);
    expect(children.length).toBeGreaterThan(100);
    for (const s of children) {
      expect(k.tasks.commOf(s)).toBe(`worker-${s - wl.classes[0].firstSlot}`);
      expect(k.tasks.patchState[s]).toBe(KLP_TRANSITION_PATCHED);
      expect(k.tasks.has(s, TF.PATCH_PENDING)).toBe(false);
    }
    expect(pendingParents.size).toBeGreaterThan(0);
  });

  it('a class with an unreliable stack is reported by the walk and switches only on its way back to user space', () => {
    const sim = machine({ dynamicDebug: SWITCH_DEBUG });
    const k = sim.kernel;
    const wl = installWorkload(k, { classes: [userClass({ name: 'bpf tracers', comm: 'bpftrace-%d', count: 1, reliableStack: false, phases: [{ frames: FUTEX, weight: 1, dwellUs: 3_000_000, sched: 'uninterruptible' }], syscallRatePerS: 0.001 })], fixed: [] });
    const slot = wl.classes[0].firstSlot;
    runToEnd(sim, ['insmod test_modules/test_klp_livepatch.ko']);
    expect(texts(sim)).toContain(`livepatch: klp_try_switch_task: bpftrace-0:${k.tasks.pid[slot]} has an unreliable stack`);
    sim.advance(60_000_000);
    expect(texts(sim)).toContain("livepatch: 'test_klp_livepatch': patching complete");
  });
});

describe('kthreads that never switch (§14.1, §14.2, §4.9)', () => {
  const spinner = (condResched: boolean): WorkloadSpec => ({
    classes: [{ name: 'spinners', comm: 'spinner', count: 1, kind: 'kthread', phases: [], syscallRatePerS: 0, cpuBound: { frames: [...KTHREAD, 'kthread_target:kthread_target_loop'], condResched }, forkRatePerS: 0, exitRatePerS: 0, reliableStack: true }],
    fixed: [],
  });

  function spin(version: string, condResched: boolean) {
    const sim = machine({ version, dynamicDebug: SWITCH_DEBUG });
    runToEnd(sim, ['insmod kthread_target.ko']);
    const wl = installWorkload(sim.kernel, spinner(condResched));
    const out = runToEnd(sim, ['insmod test_modules/test_klp_livepatch.ko', 'sleep 5', 'cat /sys/kernel/livepatch/test_klp_livepatch/transition']);
    return { sim, slot: wl.classes[0].firstSlot, transition: out[2].result.out[0] };
  }

  it('6.1: a CPU-bound kthread is "running" at every attempt and never switches', () => {
    const { sim, slot, transition } = spin('6.1', true);
    expect(transition).toBe('1');
    expect(texts(sim)).toContain(`livepatch: klp_try_switch_task: spinner:${sim.kernel.tasks.pid[slot]} is running`);
  });

  it('6.12: cond_resched() switches it (klp_cond_resched)', () => {
    expect(spin('6.12', true).transition).toBe('0');
  });

  it('6.12 without cond_resched() in the loop: never switches', () => {
    expect(spin('6.12', false).transition).toBe('1');
  });

  it('6.16+: only a freezable schedule() switches, so the cond_resched() loop stays unswitched', () => {
    expect(spin('6.16', true).transition).toBe('1');
  });

  it('a kthread whose own loop function is patched never switches, not even through freezable sleeps and fake signals', () => {
    const sim = machine({ dynamicDebug: SWITCH_DEBUG });
    const k = sim.kernel;
    runToEnd(sim, ['insmod kthread_target.ko']);
    const wl = installWorkload(k, {
      classes: [{ name: 'loopers', comm: 'looper/%d', count: 2, kind: 'kthread', phases: [{ frames: [...KTHREAD, 'kthread_target:kthread_target_loop', 'kthread_target:kthread_target_wait', 'schedule'], weight: 1, dwellUs: 50_000, sched: 'freezable' }], syscallRatePerS: 0, forkRatePerS: 0, exitRatePerS: 0, reliableStack: true }],
      fixed: [],
    });
    runToEnd(sim, ['insmod livepatch_kthread_loop.ko', 'sleep 20']);
    const log = texts(sim);
    expect(log).toContain('livepatch: signaling remaining tasks');
    expect(log).toContain(`livepatch: klp_try_switch_task: looper/0:${k.tasks.pid[wl.classes[0].firstSlot]} is sleeping on function kthread_target_loop`);
    for (const s of wl.slotsOf(0)) expect(k.tasks.patchState[s]).toBe(KLP_TRANSITION_UNPATCHED);
    expect(log).not.toContain("livepatch: 'livepatch_kthread_loop': patching complete");
  });

  it('a kthread in uninterruptible sleep in a patched function blocks the transition until it is reversed', () => {
    const sim = machine();
    const k = sim.kernel;
    runToEnd(sim, ['insmod kthread_target.ko']);
    const wl = installWorkload(k, { classes: [], fixed: [{ comm: 'stuckd', kind: 'kthread', frames: [...KTHREAD, 'kthread_target:kthread_target_loop', 'schedule'], sched: 'uninterruptible' }] });
    const out = runToEnd(sim, ['insmod livepatch_kthread_loop.ko', 'sleep 20', 'cat /sys/kernel/livepatch/livepatch_kthread_loop/transition', 'echo 0 > /sys/kernel/livepatch/livepatch_kthread_loop/enabled', 'sleep 2']);
    expect(out[2].result.out).toEqual(['1']);
    expect(k.tasks.sched[wl.classes[0].firstSlot]).toBe(Sched.UNINTERRUPTIBLE);
    expect(texts(sim)).toContain("livepatch: 'livepatch_kthread_loop': unpatching complete");
  });
});

describe('fake signals and D state (§4.14)', () => {
  it('user tasks sleeping interruptibly restart their syscall into the new code after the fake signal; tasks in D state stay deaf', () => {
    const sim = machine();
    const k = sim.kernel;
    runToEnd(sim, ['insmod livepatch_61_release6.ko', 'sleep 2']);
    const readv = [...SYSCALL, '__x64_sys_read', 'ksys_read', 'vfs_read', 'do_iter_readv_writev', 'schedule'];
    const wl = installWorkload(k, {
      classes: [
        userClass({ name: 'readers', comm: 'reader-%d', count: 20, phases: [{ frames: readv, weight: 1, dwellUs: 1e9, sched: 'interruptible' }], syscallRatePerS: 1000 }),
        userClass({ name: 'D readers', comm: 'dreader-%d', count: 20, phases: [{ frames: readv, weight: 1, dwellUs: 1e9, sched: 'uninterruptible' }], syscallRatePerS: 1000 }),
      ],
      fixed: [],
    });
    runToEnd(sim, ['insmod livepatch_61_release12.ko', 'sleep 20']);
    expect(texts(sim)).toContain('livepatch: signaling remaining tasks');
    for (const s of wl.slotsOf(0)) {
      expect(k.tasks.patchState[s]).toBe(KLP_TRANSITION_PATCHED);
      expect(wl.phaseOf(s)).toBe(0);
      expect(frameOf(sim, s, 'do_iter_readv_writev')?.owner).toBe('livepatch_61_release12');
    }
    for (const s of wl.slotsOf(1)) {
      expect(k.tasks.patchState[s]).toBe(KLP_TRANSITION_UNPATCHED);
      expect(k.tasks.has(s, TF.PATCH_PENDING)).toBe(true);
      expect(frameOf(sim, s, 'do_iter_readv_writev')?.owner).toBe('livepatch_61_release6');
    }
  });
});

describe('exiting tasks (§4.13, §14.5, §14.7)', () => {
  /** release6 live; `n` workers of a class then start exiting, their do_exit tail lasting ~tailUs. */
  function exiting(n: number, tailUs: number, fixed: WorkloadSpec['fixed'] = []) {
    const sim = machine();
    const k = sim.kernel;
    runToEnd(sim, ['insmod livepatch_61_release6.ko', 'sleep 2']);
    const wl = installWorkload(k, { classes: [userClass({ count: n, exitUnhashedUs: tailUs })], fixed });
    const slots = [...wl.slotsOf(0)];
    for (const s of slots) wl.exit(s);
    return { sim, k, wl, slots };
  }

  it('an exiting task runs do_exit through the ftrace handler (release6) and is unhashed by release_task while still in it', () => {
    const { sim, k, wl, slots } = exiting(1, 10_000_000);
    const s = slots[0];
    expect(wl.phaseOf(s)).toBe(Place.EXITING);
    expect(k.tasks.has(s, TF.LISTED)).toBe(true);
    expect(frameOf(sim, s, 'do_exit')?.owner).toBe('livepatch_61_release6');
    sim.advance(200_000);
    expect(wl.phaseOf(s)).toBe(Place.EXITING_UNHASHED);
    expect(k.tasks.has(s, TF.LISTED)).toBe(false);
    expect(k.trie.frames(k.tasks.stack[s]).map((c) => k.syms.codes[c].name).slice(0, 3)).toEqual(['do_exit', 'do_group_exit', 'get_signal']);
  });

  it('rmmod of the replaced patch while an unhashed task still runs its do_exit: the task executes freed text (BUG: unable to handle page fault)', () => {
    const { sim, k } = exiting(10, 20_000_000);
    const oldDoExit = k.syms.find('livepatch_61_release6', 'do_exit');
    if (!oldDoExit) throw new Error('release6 has no do_exit');
    const addr = formatAddr(oldDoExit.addr);
    sim.advance(200_000);
    const out = runToEnd(sim, ['insmod livepatch_61_release12.ko', 'sleep 2', 'rmmod livepatch_61_release6']);
    expect(out[2].result.status).toBe(0);
    expect(texts(sim)).toContain("livepatch: 'livepatch_61_release12': patching complete");
    sim.advance(200_000_000);
    const log = texts(sim);
    const at = log.indexOf(`BUG: unable to handle page fault for address: ${addr}`);
    expect(at).toBeGreaterThan(0);
    expect(log.slice(at + 1, at + 3)).toEqual(['#PF: supervisor instruction fetch in kernel mode', '#PF: error_code(0x0010) - not-present page']);
    // dump_pagetable(), the Oops line, show_regs() (CPU, Hardware name, RIP, Code, registers), the trace.
    expect(log[at + 3]).toMatch(/^PGD [0-9a-f]+ P4D /);
    // v6.19: __die_header()'s "Oops: " prompt (v6.10) before __die()'s "Oops", no preemption
    // model (in the CPU line since v6.15), then print_tainted_verbose()'s line (v6.11).
    expect(log[at + 4]).toBe('Oops: Oops: 0010 [#1] SMP NOPTI');
    // print_tainted(): G, then F..N and v6.15's J (FWCTL) in their columns; W from the
    // ftrace handler's earlier WARN.
    expect(log[at + 5]).toMatch(/^CPU: \d+ UID: 0 PID: \d+ Comm: \S+ Tainted: G {8}W {5}K {4} 6\.19\.0 #1 PREEMPT\(voluntary\) $/);
    expect(log[at + 6]).toBe('Tainted: [W]=WARN, [K]=LIVEPATCH');
    expect(log[at + 8]).toBe(`RIP: 0010:0x${addr}`);
    const call = log.indexOf(' <TASK>', at);
    expect(log[call + 1]).toMatch(/^ do_group_exit\+0x[0-9a-f]+\/0x[0-9a-f]+$/);
    expect(log[call + 2]).toMatch(/^ get_signal\+/);
    expect(log.slice(at).find((l) => l.startsWith('Modules linked in:'))).toMatch(/\[last unloaded: livepatch_61_release6\(K\)\]$/);
    expect(k.incidents.filter((i) => i.kind === 'oops').length).toBeGreaterThan(0);
  });

  it('delaying the rmmod until the exiting tasks are reaped avoids the crash', () => {
    const { sim, k, wl } = exiting(10, 2_000_000);
    sim.advance(200_000);
    const out = runToEnd(sim, ['insmod livepatch_61_release12.ko', 'sleep 60', 'rmmod livepatch_61_release6']);
    expect(out[2].result.status).toBe(0);
    expect(wl.liveCount(0)).toBe(0);
    sim.advance(200_000_000);
    expect(k.incidents.filter((i) => i.kind === 'oops')).toEqual([]);
    expect(texts(sim).some((l) => l.startsWith('BUG: unable to handle page fault'))).toBe(false);
  });

  it('klp_ftrace_handler WARN: an unhashed task, never initialised by the transition (IDLE), calls update_rq_clock while it is in transition', () => {
    // A kthread sleeping in release6's d_delete keeps release12's transition open.
    const { sim, k } = exiting(10, 3_000_000, [{ comm: 'stuckd', kind: 'kthread', frames: [...KTHREAD, 'worker_thread', 'd_delete', 'schedule'], sched: 'uninterruptible' }]);
    sim.advance(200_000);
    runToEnd(sim, ['insmod livepatch_61_release12.ko', 'sleep 30']);
    expect(k.klpTransitionPatch?.name).toBe('livepatch_61_release12');
    const log = texts(sim);
    const at = log.indexOf('------------[ cut here ]------------');
    expect(at).toBeGreaterThan(0);
    expect(log[at + 1]).toMatch(/^WARNING: CPU: \d+ PID: \d+ at kernel\/livepatch\/patch\.c:\d+ klp_ftrace_handler\+0x[0-9a-f]+\/0x[0-9a-f]+$/);
    const trace = log.slice(log.indexOf(' <TASK>', at) + 1, log.indexOf(' </TASK>', at));
    // The handler ran from the ftrace trampoline of update_rq_clock's fentry call (issue 12 point 3).
    expect(trace.slice(0, 5).map((l) => l.replace(/\+0x[0-9a-f]+\/0x[0-9a-f]+/, ''))).toEqual([' ftrace_trampoline [__builtin__ftrace]', ' ? update_rq_clock', ' __schedule', ' do_task_dead', ' do_exit [livepatch_61_release6]']);
    // WARN_ON_ONCE: one splat although every exiting task got there.
    expect(log.filter((l) => l === '------------[ cut here ]------------')).toHaveLength(1);
  });
});

describe('forced transitions (§14.9)', () => {
  it('force leaves a kthread in the original loop; a later patch checks only the entry below and completes while it still runs that code', () => {
    const sim = machine();
    const k = sim.kernel;
    runToEnd(sim, ['insmod kthread_target.ko']);
    const wl = installWorkload(k, { classes: [], fixed: [{ comm: 'stuckd', kind: 'kthread', frames: [...KTHREAD, 'kthread_target:kthread_target_loop', 'schedule'], sched: 'uninterruptible' }] });
    const slot = wl.classes[0].firstSlot;
    runToEnd(sim, ['insmod livepatch_kthread_loop.ko', 'sleep 3', 'echo 1 > /sys/kernel/livepatch/livepatch_kthread_loop/force', 'sleep 2', 'insmod livepatch_kthread_loop2.ko', 'sleep 2']);
    const log = texts(sim);
    expect(log).toContain('livepatch: forcing remaining tasks to the patched state');
    expect(log).toContain("livepatch: 'livepatch_kthread_loop': patching complete");
    expect(log).toContain("livepatch: 'livepatch_kthread_loop2': patching complete");
    expect(frameOf(sim, slot, 'kthread_target_loop')?.owner).toBe('kthread_target');
  });
});
