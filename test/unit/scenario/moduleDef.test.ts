// Modules a scenario defines (src/scenario/moduleSpec.ts) behave as their description says
// when loaded on the model; kthread_run()/kthread_stop(); the timed script (`at 5s:`) and the
// `until` stop of Simulation.run().

import { describe, expect, it } from 'vitest';
import { KLP_TRANSITION_PATCHED } from '../../../src/kernel/constants';
import { Sched, TF } from '../../../src/kernel/tasks';
import { validateScenario } from '../../../src/scenario/document';
import { parseScript } from '../../../src/scenario/script';
import { HEAD } from '../../support/scenarioFixtures';
import { bootScenario, runLines } from '../../support/helpers';

function build(modules: unknown[], script: string[] = [], kernel: unknown = { dynamicDebug: ['file kernel/livepatch/* +p'] }) {
  const r = validateScenario({ ...HEAD, kernel, modules, script });
  if (!r.ok) throw new Error(r.errors.join('\n'));
  return bootScenario(r.scenario);
}

/** Run the scenario's script; the kernel log lines written meanwhile, without timestamps. */
function run(modules: unknown[], script: string[]) {
  const b = build(modules, script);
  const from = b.sim.log.length;
  const out = b.run();
  // The once-per-boot taint notices are the loader's, not the module's.
  return { ...b, out, log: b.sim.log.slice(from).map((r) => r.text).filter((t) => !/(tainting|taints) kernel/.test(t)) };
}

const STUCKMOD = {
  name: 'stuckmod',
  functions: [{ name: 'stuck_loop', loop: true, body: [{ sleep: { us: 20000, sched: 'uninterruptible' } }] }],
  init: { print: 'stuckmod loaded' },
  exit: { print: 'stuckmod unloaded' },
  kthreads: [{ comm: 'stuckd', fn: 'stuck_loop' }],
};
const LP_STUCK = {
  name: 'lp_stuck',
  livepatch: true,
  functions: [{ name: 'lp_stuck_loop', body: [{ print: 'patched' }] }],
  objects: [{ name: 'stuckmod', funcs: [{ oldName: 'stuck_loop', newFunc: 'lp_stuck_loop' }] }],
};

function slotOf(k: ReturnType<typeof build>['sim']['kernel'], comm: string): number {
  for (let s = k.firstThread; s < k.tasks.n; s++) if (k.tasks.commOf(s) === comm && k.tasks.sched[s] !== Sched.DEAD) return s;
  return -1;
}

describe('livepatch modules defined by a scenario', () => {
  it('a catalog module the scenario lists is found by insmod NAME.ko as well as under test_modules/', () => {
    const { out } = run(['test_klp_livepatch'], ['insmod test_klp_livepatch.ko', 'cat /proc/cmdline']);
    expect(out.outcomes.map((o) => o.result.status)).toEqual([0, 0]);
    expect(out.outcomes[1].result.out).toEqual(['test_klp_livepatch: this has been live patched']);
    const unlisted = run([], ['insmod test_klp_livepatch.ko']);
    expect(unlisted.out.outcomes[0].result.err).toEqual(['insmod: ERROR: could not load module test_klp_livepatch.ko: No such file or directory']);
  });

  it('a replacement show routine changes what /proc/cmdline prints, until the patch is disabled', () => {
    const lp = { name: 'lp_cmd', livepatch: true, functions: [{ name: 'lp_cmdline', body: [{ show: 'patched cmdline' }] }], objects: [{ name: 'vmlinux', funcs: [{ oldName: 'cmdline_proc_show', newFunc: 'lp_cmdline' }] }] };
    const { out } = run([lp], ['load_lp lp_cmd', 'cat /proc/cmdline', 'disable_lp lp_cmd', 'cat /proc/cmdline']);
    expect(out.died).toBeUndefined();
    expect(out.outcomes[1].result.out).toEqual(['patched cmdline']);
    expect(out.outcomes[3].result.out[0]).toMatch(/^BOOT_IMAGE=/);
  });

  it('callbacks print with the module prefix in the kernel order; a failing pre_patch fails the insmod', () => {
    const cb = (ret: number) => ({
      name: 'lp_cb',
      livepatch: true,
      init: { print: 'init' },
      objects: [{ name: 'vmlinux', callbacks: { prePatch: { print: 'pre', ret }, postPatch: { print: 'post' }, preUnpatch: { print: 'pre-un' }, postUnpatch: { print: 'post-un' } } }],
    });
    const ok = run([cb(0)], ['load_lp lp_cb', 'disable_lp lp_cb', 'unload_lp lp_cb']);
    expect(ok.log.filter((l) => l.startsWith('lp_cb: '))).toEqual(['lp_cb: init', 'lp_cb: pre', 'lp_cb: post', 'lp_cb: pre-un', 'lp_cb: post-un']);
    const bad = run([cb(-19)], ['insmod lp_cb.ko']);
    expect(bad.out.outcomes[0].result.err).toEqual(['insmod: ERROR: could not insert module lp_cb.ko: No such device']);
    expect(bad.log).toContain("livepatch: pre-patch callback failed for object 'vmlinux'");
  });

  it('klp_states: a replace patch that drops a state is refused as incompatible', () => {
    const v1 = { name: 'lp_v1', livepatch: true, states: [{ id: 7, version: 1 }], objects: [{ name: 'vmlinux' }] };
    const v2 = { name: 'lp_v2', livepatch: true, replace: true, objects: [{ name: 'vmlinux' }] };
    const { out, log } = run([v1, v2], ['load_lp lp_v1', 'insmod lp_v2.ko']);
    expect(out.outcomes[1].result.err).toEqual(['insmod: ERROR: could not insert module lp_v2.ko: Invalid parameters']);
    expect(log).toContain('livepatch: Livepatch patch (lp_v2) is not compatible with the already installed livepatches.');
  });
});

describe('target modules: kthread_run(), work items, kthread_stop()', () => {
  it('a kthread started by module init runs its function from kthread() and sleeps where the function says', () => {
    const { sim, out } = run([STUCKMOD], ['load_mod stuckmod']);
    expect(out.died).toBeUndefined();
    const k = sim.kernel;
    const s = slotOf(k, 'stuckd');
    expect(s).toBeGreaterThan(0);
    expect(k.tasks.has(s, TF.KTHREAD)).toBe(true);
    expect(k.tasks.sched[s]).toBe(Sched.UNINTERRUPTIBLE);
    expect(k.trie.frames(k.tasks.stack[s]).map((c) => k.syms.codes[c].name).reverse()).toEqual(['ret_from_fork_asm', 'ret_from_fork', 'kthread', 'stuck_loop', 'msleep', 'schedule_timeout', 'schedule']);
  });

  it('the kthread blocks a patch of its loop function; the per-task debug line names it', () => {
    const b = build([STUCKMOD, LP_STUCK], ['load_mod stuckmod', 'load_lp_nowait lp_stuck', 'sleep 3']);
    b.sim.kernel.log.dyndbg.write('func klp_try_switch_task +p');
    b.run();
    const k = b.sim.kernel;
    const s = slotOf(k, 'stuckd');
    expect(k.tasks.has(s, TF.PATCH_PENDING)).toBe(true);
    expect(b.sim.log.some((r) => r.text === `livepatch: klp_try_switch_task: stuckd:${k.tasks.pid[s]} is sleeping on function stuck_loop`)).toBe(true);
  });

  it('rmmod stops the kthread (kthread_stop) before the exit output, and the thread is gone', () => {
    const { sim, out, log } = run([STUCKMOD], ['load_mod stuckmod', 'sleep 1', 'unload_mod stuckmod']);
    expect(out.died).toBeUndefined();
    expect(log.filter((l) => l.startsWith('stuckmod: '))).toEqual(['stuckmod: stuckmod loaded', 'stuckmod: stuckmod unloaded']);
    expect(slotOf(sim.kernel, 'stuckd')).toBe(-1);
  });

  it('a kthread created during a transition takes kthreadd\'s patch state and pending flag (klp_copy_process)', () => {
    const second = { name: 'latemod', functions: [{ name: 'late_loop', loop: true, body: [{ sleep: { us: 50000, sched: 'interruptible' } }] }], kthreads: [{ comm: 'lated', fn: 'late_loop' }] };
    const b = build([STUCKMOD, LP_STUCK, second], ['load_mod stuckmod', 'load_lp_nowait lp_stuck', 'sleep 2', 'load_mod latemod']);
    b.run();
    const k = b.sim.kernel;
    const kthreadd = slotOf(k, 'kthreadd');
    const late = slotOf(k, 'lated');
    expect(k.klpTargetState).toBe(KLP_TRANSITION_PATCHED);
    expect(k.tasks.patchState[kthreadd]).toBe(KLP_TRANSITION_PATCHED);
    expect(k.tasks.patchState[late]).toBe(k.tasks.patchState[kthreadd]);
    expect(k.tasks.has(late, TF.PATCH_PENDING)).toBe(k.tasks.has(kthreadd, TF.PATCH_PENDING));
  });

  it('a looping work item runs on a kworker until module exit flushes it', () => {
    const wm = {
      name: 'workmod',
      functions: [{ name: 'poll_work', loop: true, body: [{ run: { us: 100, condResched: true } }, { sleep: { us: 10000, sched: 'interruptible' } }] }],
      exit: { print: 'workmod gone' },
      work: [{ fn: 'poll_work' }],
    };
    const { sim, out, log } = run([wm], ['load_mod workmod', 'sleep 1']);
    expect(out.died).toBeUndefined();
    const k = sim.kernel;
    let inWork = -1;
    for (let s = k.firstThread; s < k.tasks.n; s++) if (k.trie.frames(k.tasks.stack[s]).some((c) => k.syms.codes[c].name === 'poll_work')) inWork = s;
    expect(k.tasks.commOf(inWork)).toMatch(/^kworker\//);
    const after = runLines(sim, parseLineOk(['unload_mod workmod']));
    expect(after.died).toBeUndefined();
    expect(sim.log.slice(-1)[0].text).toBe('workmod: workmod gone');
    expect(log).not.toContain('workmod: workmod gone');
  });
});

function parseLineOk(lines: string[]) {
  const p = parseScript(lines);
  if (!p.ok) throw new Error(p.errors.join('\n'));
  return p.lines;
}

describe('timed script lines and the until stop', () => {
  it('the at prefix: one per line, a command after it, not inside a checked command', () => {
    const errors = (lines: string[]) => {
      const p = parseScript(lines);
      return p.ok ? [] : p.errors;
    };
    expect(errors(['at 2s:'])).toEqual(["line 1: 'at 2s:' needs a command after it"]);
    expect(errors(['at 1s: at 2s: sleep 1'])).toEqual(["line 1: a line takes one 'at TIME:' prefix"]);
    expect(errors(["assert_count 'at 1s: cat /proc/cmdline' 1"])).toEqual(["line 1: the command inside assert_count cannot have an 'at TIME:' prefix"]);
    expect(errors(['at 1.5x: sleep 1'])).toEqual(["line 1: expected a time such as 'at 5s:', 'at 1500ms:' or 'at 2.5s:', got 'at 1.5x:'"]);
    const ok = parseScript(['at 2.5s: sleep 1', 'at 2500ms: sleep 1', 'at 2500001us: sleep 1']);
    expect(ok.ok && ok.lines.map((l) => l.at)).toEqual([2_500_000, 2_500_000, 2_500_001]);
  });

  it('a line prefixed `at T:` runs T after the script started; unprefixed lines follow in sequence', () => {
    const b = build([], ["log 'first'", "at 3s: log 'at three'", "log 'right after'", "at 3500ms: log 'at three and a half'"]);
    const start = b.sim.kernel.clock.now;
    const out = b.run();
    const started = out.outcomes.map((o) => o.time - start);
    expect(started[0]).toBeLessThan(1000);
    expect(started[1]).toBeGreaterThanOrEqual(3_000_000);
    expect(started[1]).toBeLessThan(3_001_000);
    expect(started[2]).toBeLessThan(3_002_000);
    expect(started[3]).toBeGreaterThanOrEqual(3_500_000);
    expect(started[3]).toBeLessThan(3_501_000);
    const written = b.sim.log.filter((r) => r.text.startsWith('at three'));
    expect(written.map((r) => r.time - start)).toEqual([3_000_000, 3_500_000]);
  });

  it('a line whose time comes while the line before it runs interrupts it (Ctrl-C) and runs then', () => {
    const b = build([], ['sleep 2', "at 1s: log 'late'"]);
    const start = b.sim.kernel.clock.now;
    const out = b.run();
    expect(out.outcomes[0].result).toEqual({ out: [], err: ['^C'], status: 130 });
    expect(out.outcomes[0].time - start).toBe(1_000_000);
    expect(out.outcomes[1].time - start).toBeGreaterThanOrEqual(1_000_000);
    expect(out.outcomes[1].time - start).toBeLessThan(1_010_000);
  });

  it('until stops the run at that virtual time, before the script ends, or lets time pass up to it', () => {
    const b = build([], ['sleep 10', "log 'never'"]);
    const until = b.sim.kernel.clock.now + 2_000_000;
    const out = b.run({ until });
    expect(out.stoppedAt).toBe(until);
    expect(b.sim.kernel.clock.now).toBe(until);
    expect(out.outcomes).toEqual([]);
    const c = build([], ["log 'quick'"]);
    const later = c.sim.kernel.clock.now + 5_000_000;
    const done = c.run({ until: later });
    expect(done.stoppedAt).toBeUndefined();
    expect(done.outcomes.length).toBe(1);
    expect(c.sim.kernel.clock.now).toBe(later);
  });
});
