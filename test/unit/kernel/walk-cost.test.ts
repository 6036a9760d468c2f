// What one klp_try_complete_transition() walk costs the rest of the machine (docs/kernel-model.md
// §4.3, §14.4): it holds read_lock(tasklist_lock) for its whole pass, walkCheckUsPerTask per
// thread klp_try_switch_task() checks plus walkDebugPrintUs per pr_debug line printed inside;
// copy_process() / release_task() wait for it in write_lock_irq(); the walking kworker holds
// an RCU Tasks grace period open (rcu_tasks_wait_gp() informational lines at 10 s, 40 s); a
// writer spinning with interrupts off long enough trips the NMI hard-lockup detector.

import { describe, it, expect } from 'vitest';
import { DEFAULT_CONFIG, Kernel } from '../../../src/kernel/kernel';
import { KERN_EMERG, KERN_INFO } from '../../../src/kernel/printk';
import { TF } from '../../../src/kernel/tasks';
import { installWorkload } from '../../../src/kernel/workload';
import { CLEAN_FRAMES, enable, walkMachine, type WalkMachine } from '../../support/walkMachine';

const DEBUG = ['file kernel/livepatch/* +p'];

function rcuLines(m: WalkMachine) {
  return m.sim.log.filter((r) => r.text.startsWith('rcu_tasks_wait_gp:'));
}

describe('read_lock(tasklist_lock) for the whole walk (klp_try_complete_transition)', () => {
  it('the defaults: 3 µs per checked thread, 8680 µs per per-task debug line (a 100-character line at 115200 baud)', () => {
    expect(DEFAULT_CONFIG.walkCheckUsPerTask).toBe(3);
    expect(DEFAULT_CONFIG.walkDebugPrintUs).toBe(8680);
    expect(DEFAULT_CONFIG.watchdogThresh).toBe(10);
  });

  it('a cost that is not a number of µs >= 0, or a watchdog_thresh outside 0-60 s, is refused by name', () => {
    expect(() => new Kernel({ walkCheckUsPerTask: -1 })).toThrow('walkCheckUsPerTask must be a number of microseconds >= 0, got -1');
    expect(() => new Kernel({ walkDebugPrintUs: Number.NaN })).toThrow('walkDebugPrintUs must be a number of microseconds >= 0, got NaN');
    expect(() => new Kernel({ watchdogThresh: 61 })).toThrow('watchdogThresh must be an integer number of seconds from 0 to 60, got 61');
    expect(() => new Kernel({ watchdogThresh: 2.5 })).toThrow('watchdogThresh must be an integer number of seconds from 0 to 60, got 2.5');
  });

  it('holds it from the attempt for walkCheckUsPerTask per checked thread: every thread first, then only the blocked ones', () => {
    const m = walkMachine({ walkCheckUsPerTask: 1000 }, 20, 2);
    const listed = enable(m);
    const k = m.sim.kernel;
    const [first] = k.tasklist.holds;
    expect(first.checked).toBe(listed);
    expect(first.end - first.start).toBe(listed * 1000);
    expect(first.debugLines).toBe(0);
    m.sim.advance(3_000_000);
    const second = k.tasklist.holds[1];
    expect(second.checked).toBe(2);
    expect(second.end - second.start).toBe(2000);
  });

  it('adds walkDebugPrintUs for each "klp_try_switch_task: ... is sleeping on function" line printed under the lock', () => {
    const m = walkMachine({ walkCheckUsPerTask: 1000, walkDebugPrintUs: 50_000, dynamicDebug: DEBUG }, 20, 2);
    enable(m);
    const k = m.sim.kernel;
    m.sim.advance(3_000_000);
    const second = k.tasklist.holds[1];
    expect(second.debugLines).toBe(2);
    expect(second.end - second.start).toBe(2 * 1000 + 2 * 50_000);
  });

  it('without reliable stack traces klp_try_switch_task() returns before any check: the walk costs nothing', () => {
    const m = walkMachine({ walkCheckUsPerTask: 1000, reliableStacktrace: false }, 10, 0);
    enable(m);
    const [first] = m.sim.kernel.tasklist.holds;
    expect(first.checked).toBe(0);
    expect(first.end).toBe(first.start);
  });

  it('schedule_delayed_work() runs after read_unlock(): the next attempt comes 0.75-1.75 s after the hold ends', () => {
    const m = walkMachine({ walkCheckUsPerTask: 40_000 }, 20, 2);
    enable(m);
    const k = m.sim.kernel;
    m.sim.advance(6_000_000);
    const [first, second] = k.tasklist.holds;
    expect(first.end - first.start).toBeGreaterThan(2_000_000);
    expect(second.start - first.end).toBeGreaterThanOrEqual(750_000);
    expect(second.start - first.end).toBeLessThanOrEqual(1_750_000);
  });
});

describe('writers wait for the walk (kernel.tasklistWriteLock: write_lock_irq in copy_process / release_task)', () => {
  it('a fork asked for during the read hold runs the moment the hold ends', () => {
    const m = walkMachine({ walkCheckUsPerTask: 100_000 }, 20, 2);
    enable(m);
    const k = m.sim.kernel;
    const [hold] = k.tasklist.holds;
    const ranAt: number[] = [];
    k.clock.at(hold.start + 1000, () => k.tasklistWriteLock(() => ranAt.push(k.clock.now), 'fork', m.clean[0]));
    m.sim.advance(hold.end - k.clock.now + 1);
    expect(ranAt).toEqual([hold.end]);
  });

  it('an exit with no walk in progress takes the lock at once', () => {
    const m = walkMachine({}, 5, 0);
    const k = m.sim.kernel;
    let ran = false;
    k.tasklistWriteLock(() => {
      k.unhash(m.clean[0]);
      ran = true;
    }, 'exit', m.clean[0]);
    expect(ran).toBe(true);
    expect(k.tasks.has(m.clean[0], TF.LISTED)).toBe(false);
  });

  it('a child forked in the delayed write section joins the transition pending like its parent (klp_copy_process)', () => {
    const m = walkMachine({ walkCheckUsPerTask: 100_000 }, 20, 2);
    enable(m);
    const k = m.sim.kernel;
    const [hold] = k.tasklist.holds;
    let child = -1;
    k.clock.at(hold.start + 1000, () => k.tasklistWriteLock(() => (child = k.fork(m.blocked[0], 'child')), 'fork', m.blocked[0]));
    m.sim.advance(hold.end - k.clock.now + 1);
    expect(child).toBeGreaterThan(0);
    expect(k.tasks.has(child, TF.PATCH_PENDING)).toBe(true);
    expect(Array.from(k.klpPending.slots.subarray(0, k.klpPending.len))).toEqual([...m.blocked, child]);
  });
});

describe('workload forks and exits take tasklist_lock for write (copy_process, release_task)', () => {
  it('no task joins or leaves the task list while the walk holds it; the queued forks and exits happen when it ends', () => {
    const m = walkMachine({ walkCheckUsPerTask: 50_000 }, 0, 0);
    const k = m.sim.kernel;
    installWorkload(k, {
      classes: [{ name: 'forkers', comm: 'forker-%d', count: 40, kind: 'user', phases: [{ frames: CLEAN_FRAMES, weight: 1, dwellUs: 20_000, sched: 'interruptible' }], syscallRatePerS: 20, forkRatePerS: 2, exitRatePerS: 2, exitListedUs: 1000, reliableStack: true }],
      fixed: [],
    });
    enable(m);
    const [hold] = k.tasklist.holds;
    expect(hold.end - hold.start).toBeGreaterThan(2_000_000);
    const slots = k.tasks.n;
    const listed = k.listedSlots();
    m.sim.advance(hold.end - 1 - k.clock.now);
    expect(k.tasks.n).toBe(slots);
    expect(k.listedSlots()).toEqual(listed);
    m.sim.advance(2);
    expect(k.tasks.n).toBeGreaterThan(slots);
    expect(listed.filter((s) => !k.tasks.has(s, TF.LISTED)).length).toBeGreaterThan(0);
  });
});

describe('RCU Tasks grace period held open by the walking kworker (rcu_tasks_wait_gp)', () => {
  it('a 16 s walk: one informational line, 10101 jiffies into the grace period (HZ=1000)', () => {
    const m = walkMachine({ walkCheckUsPerTask: 250_000 }, 60, 2);
    enable(m);
    const k = m.sim.kernel;
    const [hold] = k.tasklist.holds;
    expect(hold.end - hold.start).toBeGreaterThan(15_000_000);
    m.sim.advance(hold.start + 20_000_000 - k.clock.now);
    const lines = rcuLines(m);
    expect(lines.map((r) => [r.level, r.text])).toEqual([[KERN_INFO, 'rcu_tasks_wait_gp: rcu_tasks grace period number 1 (since boot) is 10101 jiffies old.']]);
    expect(lines[0].time).toBe((Math.floor(hold.start / 1000) + 10101) * 1000);
  });

  it('a 50 s walk: lines at 10101 and 40200 jiffies (rcu_task_stall_info 10 s, then x3)', () => {
    const m = walkMachine({ walkCheckUsPerTask: 800_000 }, 60, 2);
    enable(m);
    const k = m.sim.kernel;
    const [hold] = k.tasklist.holds;
    expect(hold.end - hold.start).toBeGreaterThan(45_000_000);
    expect(hold.end - hold.start).toBeLessThan(130_000_000);
    m.sim.advance(hold.end - k.clock.now);
    const gp = Math.floor(hold.start / 1000);
    expect(rcuLines(m).map((r) => [r.time, r.text])).toEqual([
      [(gp + 10101) * 1000, 'rcu_tasks_wait_gp: rcu_tasks grace period number 1 (since boot) is 10101 jiffies old.'],
      [(gp + 40200) * 1000, 'rcu_tasks_wait_gp: rcu_tasks grace period number 1 (since boot) is 40200 jiffies old.'],
    ]);
  });

  it('v6.1 prints the older wording: "rcu_tasks grace period 1 is 10101 jiffies old."', () => {
    const m = walkMachine({ version: '6.1', walkCheckUsPerTask: 250_000 }, 60, 2);
    enable(m);
    const k = m.sim.kernel;
    const [hold] = k.tasklist.holds;
    m.sim.advance(hold.start + 20_000_000 - k.clock.now);
    expect(rcuLines(m).map((r) => r.text)).toEqual(['rcu_tasks_wait_gp: rcu_tasks grace period 1 is 10101 jiffies old.']);
  });

  it('HZ=250: the holdout rescans start at HZ/10 jiffies, so the first line reads 2550 jiffies', () => {
    const m = walkMachine({ hz: 250, walkCheckUsPerTask: 250_000 }, 60, 2);
    enable(m);
    const k = m.sim.kernel;
    const [hold] = k.tasklist.holds;
    m.sim.advance(hold.start + 20_000_000 - k.clock.now);
    const lines = rcuLines(m);
    expect(lines.map((r) => r.text)).toEqual(['rcu_tasks_wait_gp: rcu_tasks grace period number 1 (since boot) is 2550 jiffies old.']);
    expect(lines[0].time).toBe((Math.floor(hold.start / 4000) + 2550) * 4000);
  });

  it('walks of a few seconds, attempt after attempt, print nothing; the grace period number advances by 4 per grace period', () => {
    const m = walkMachine({ walkCheckUsPerTask: 50_000 }, 60, 2);
    enable(m);
    const k = m.sim.kernel;
    m.sim.advance(30_000_000);
    expect(rcuLines(m)).toEqual([]);
    expect(k.rcuTasks.gpSeq).toBe(4 * k.tasklist.holds.length);
  });
});

describe('hard LOCKUP of a fork spinning behind a walk that prints per-task debug lines (watchdog_hardlockup_check)', () => {
  /**
   * A walk from about 4 s printing three debug lines of `printUs` each (the two sleepers and
   * the writer, which is running on CPU 2) and the writer asking for the lock at `askAt`.
   */
  function lockup(askAt: number, config: Record<string, unknown> = {}, printUs = 25_000_000) {
    const m = walkMachine({ dynamicDebug: DEBUG, walkDebugPrintUs: printUs, ...config }, 10, 2);
    const k = m.sim.kernel;
    const writer = m.clean[3];
    k.runOn(writer, 2);
    enable(m);
    const [hold] = k.tasklist.holds;
    expect(hold.start).toBeLessThan(askAt);
    const forkedAt: number[] = [];
    k.clock.at(askAt, () => k.tasklistWriteLock(() => forkedAt.push(k.clock.now), 'fork', writer));
    m.sim.advance(hold.end - k.clock.now + 1);
    const from = m.sim.log.findIndex((r) => r.text.includes('Watchdog detected hard LOCKUP'));
    return { m, k, writer, hold, forkedAt, splat: from < 0 ? [] : m.sim.log.slice(from, from + 33) };
  }

  it('a fork at 21 s: the NMI of 30 s finds no hrtimer tick since the NMI of 20 s and reports cpu 2; the fork runs when the walk ends', () => {
    const { k, writer, hold, forkedAt, splat } = lockup(21_000_000);
    expect(splat[0]).toMatchObject({ time: 30_000_000, level: KERN_EMERG, text: 'watchdog: Watchdog detected hard LOCKUP on cpu 2' });
    const rest = splat.map((r) => r.text).slice(1);
    expect(rest[0]).toBe(`Modules linked in: ${k.modulesLinkedIn()}`);
    // dump_stack_print_info() of v6.15+: UID, print_tainted()'s fixed columns (G, then K in
    // its place and the four flags after it blank: X, T, N and v6.15's J), the preemption
    // model; then print_tainted_verbose()'s line (v6.11+), taken out so the numbering below holds.
    expect(k.features.number).toBeGreaterThanOrEqual(615);
    expect(rest[1]).toBe(`CPU: 2 UID: 0 PID: ${k.tasks.pid[writer]} Comm: app-3 Tainted: G${' '.repeat(14)}K${' '.repeat(4)} ${k.features.release} #1 PREEMPT(voluntary) `);
    expect(rest.splice(2, 1)).toEqual(['Tainted: [K]=LIVEPATCH']);
    expect(rest[3]).toBe('RIP: 0010:queued_write_lock_slowpath+0x5d/0x90');
    // show_regs() of the interrupted writer: Code: with the pause (f3 90) of cpu_relax() at
    // RIP, then __show_regs(); write_lock_irq() disabled interrupts, so EFLAGS has IF clear.
    expect(rest[4]).toMatch(/^Code: (?:[0-9a-f]{2} ){42}<f3> 90(?: [0-9a-f]{2}){20}$/);
    expect(rest[5]).toMatch(/^RSP: 0018:[0-9a-f]{16} EFLAGS: 00000046$/);
    expect(rest[6]).toMatch(/^RAX: [0-9a-f]{16} RBX: [0-9a-f]{16} RCX: [0-9a-f]{16}$/);
    expect(rest[13]).toMatch(/^CR2: [0-9a-f]{16} CR3: [0-9a-f]{16} CR4: 0000000000750ef0$/);
    expect(rest[14]).toBe('PKRU: 55555554');
    rest.splice(4, 11);
    expect(rest.slice(4, 6)).toEqual(['Call Trace:', ' <TASK>']);
    expect(rest.slice(6, 11).map((l) => l.trim().replace(/\+.*/, ''))).toEqual(['copy_process', 'kernel_clone', '__x64_sys_clone', 'do_syscall_64', 'entry_SYSCALL_64_after_hwframe']);
    // clone()'s user registers: ORIG_RAX 56, still in the syscall (RAX -ENOSYS).
    expect(rest[11]).toMatch(/^RIP: 0033:0x7f/);
    expect(rest[13]).toMatch(/ ORIG_RAX: 0000000000000038$/);
    expect(rest[14]).toMatch(/^RAX: ffffffffffffffda /);
    expect(rest[19]).toBe(' </TASK>');
    expect(forkedAt).toEqual([hold.end]);
    expect(k.nmiWatchdog.lockups).toEqual([{ cpu: 2, time: 30_000_000, slot: writer }]);
  });

  it('a fork at 24.5 s spins past the hrtimer tick of 24 s, so the NMI of 30 s still sees progress: reported at 40 s', () => {
    const { splat } = lockup(24_500_000);
    expect(splat[0]).toMatchObject({ time: 40_000_000, text: 'watchdog: Watchdog detected hard LOCKUP on cpu 2' });
  });

  it('v6.1 (watchdog_hld.c): "NMI watchdog: Watchdog detected hard LOCKUP on cpu 2"', () => {
    const { splat } = lockup(21_000_000, { version: '6.1' });
    expect(splat[0].text).toBe('NMI watchdog: Watchdog detected hard LOCKUP on cpu 2');
  });

  it('a writer released before the detecting NMI is not reported', () => {
    // Walk until about 37 s; the writer at 24.5 s would only be seen at 40 s.
    const { hold, splat, forkedAt } = lockup(24_500_000, {}, 11_000_000);
    expect(hold.end).toBeLessThan(40_000_000);
    expect(splat).toEqual([]);
    expect(forkedAt).toEqual([hold.end]);
  });

  it('a writer that is on no CPU (a workload task) spins on the online CPU its slot picks', () => {
    const m = walkMachine({ dynamicDebug: DEBUG, walkDebugPrintUs: 25_000_000, offlineCpus: [1] }, 10, 2);
    const k = m.sim.kernel;
    enable(m);
    const writer = m.clean[4];
    expect(k.cpus.some((c) => c.curr === writer)).toBe(false);
    k.clock.at(21_000_000, () => k.tasklistWriteLock(() => {}, 'exit', writer));
    m.sim.advance(31_000_000 - k.clock.now);
    const cpu = [0, 2, 3][writer % 3];
    expect(k.nmiWatchdog.lockups).toEqual([{ cpu, time: 30_000_000, slot: writer }]);
    const i = m.sim.log.findIndex((r) => r.text === `watchdog: Watchdog detected hard LOCKUP on cpu ${cpu}`);
    // After the CPU line, print_tainted_verbose()'s, Hardware name, RIP, Code:, the ten lines
    // of __show_regs() (PKRU included), Call Trace and <TASK>.
    expect(m.sim.log[i + 3].text).toBe('Tainted: [K]=LIVEPATCH');
    expect(m.sim.log.slice(i + 19, i + 26).map((r) => r.text.trim().replace(/\+.*/, ''))).toEqual(['release_task', 'exit_notify', 'do_exit', 'do_group_exit', '__x64_sys_exit_group', 'do_syscall_64', 'entry_SYSCALL_64_after_hwframe']);
  });

  it('kernel.watchdog_thresh=0 turns the detector off', () => {
    const { splat, k } = lockup(21_000_000, { watchdogThresh: 0 });
    expect(splat).toEqual([]);
    expect(k.nmiWatchdog.lockups).toEqual([]);
  });
});
