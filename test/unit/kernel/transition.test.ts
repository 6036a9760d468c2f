// The consistency model of kernel/livepatch/transition.c (docs/kernel-model.md §4, §5), driven
// through the simulated machine: a stalled transition, reversal, force, fake signals and what
// the ftrace handler (klp_ftrace_handler) makes each task run while a transition is going on.

import { describe, it, expect } from 'vitest';
import { Simulation } from '../../../src/engine/simulation';
import { explainSwitch } from '../../../src/kernel/transition';
import { KLP_TRANSITION_IDLE, KLP_TRANSITION_PATCHED, KLP_TRANSITION_UNPATCHED } from '../../../src/kernel/constants';
import { KERN_NOTICE, KERN_WARNING } from '../../../src/kernel/printk';
import { Sched, TF } from '../../../src/kernel/tasks';
import { runToEnd } from '../../support/helpers';

const DEMO = 'test_klp_callbacks_demo';
const BUSY = 'test_klp_callbacks_busy';
const DEMO_DIR = `/sys/kernel/livepatch/${DEMO}`;

function run(sim: Simulation, lines: string[]) {
  return runToEnd(sim, lines).map((o) => ({ ...o.result, time: o.time, text: o.line.text }));
}

/** Records whose text contains `s`. */
function logWith(sim: Simulation, s: string) {
  return sim.log.filter((r) => r.text.includes(s));
}

/** A stalled patching transition: the busy module's kworker sleeps in busymod_work_func. */
function stalled(extra: string[] = []) {
  const sim = new Simulation();
  const out = run(sim, [`load_mod ${BUSY} block_transition=Y`, `load_lp_nowait ${DEMO}`, ...extra]);
  return { sim, out };
}

/** The listed threads still pending (TIF_PATCH_PENDING) in the current transition. */
function pendingThreads(sim: Simulation): number[] {
  const k = sim.kernel;
  return k.listedSlots().filter((s) => k.tasks.has(s, TF.PATCH_PENDING));
}

describe('stalled patching transition (klp_try_complete_transition, klp_check_stack_func)', () => {
  it('klp_try_complete_transition: a kworker sleeping in the to-be-patched busymod_work_func keeps the transition going (transition reads 1 after 20 s)', () => {
    const { sim } = stalled();
    const out = run(sim, [`cat ${DEMO_DIR}/transition`, 'sleep 20', `cat ${DEMO_DIR}/transition`, `cat ${DEMO_DIR}/enabled`]);
    expect(out[0].out).toEqual(['1']);
    expect(out[2].out).toEqual(['1']);
    expect(out[3].out).toEqual(['1']);
    expect(sim.kernel.klpTransitionPatch?.name).toBe(DEMO);
    expect(sim.kernel.klpTargetState).toBe(KLP_TRANSITION_PATCHED);
    expect(logWith(sim, 'patching complete')).toHaveLength(0);
  });

  it('klp_try_switch_task: the blocked kworker is the only pending thread; explainSwitch reports it sleeping (-EADDRINUSE) on busymod_work_func', () => {
    const { sim } = stalled(['sleep 5']);
    const k = sim.kernel;
    const pending = pendingThreads(sim);
    expect(pending).toHaveLength(1);
    const slot = pending[0];
    expect(k.tasks.commOf(slot)).toMatch(/^kworker\//);
    expect(k.tasks.sched[slot]).toBe(Sched.UNINTERRUPTIBLE);
    expect(k.tasks.patchState[slot]).toBe(KLP_TRANSITION_UNPATCHED);
    expect(explainSwitch(k, slot)).toEqual({ ok: false, errno: -98, reason: 'sleeping', func: 'busymod_work_func' });
    // Every other listed thread has switched to the target.
    for (const s of k.listedSlots()) if (s !== slot) expect(k.tasks.patchState[s]).toBe(KLP_TRANSITION_PATCHED);
  });

  it('klp_transition_work: attempts repeat about once a second via round_jiffies_relative(HZ), each logging the sleeping kworker (klp_try_switch_task pr_debug)', () => {
    const sim = new Simulation();
    run(sim, [
      "echo 'func klp_try_switch_task +p' > /sys/kernel/debug/dynamic_debug/control",
      `load_mod ${BUSY} block_transition=Y`,
      `load_lp_nowait ${DEMO}`,
      'sleep 10',
    ]);
    const lines = logWith(sim, 'is sleeping on function busymod_work_func');
    // The synchronous attempt in klp_enable_patch plus one per second for 10 s.
    expect(lines.length).toBeGreaterThanOrEqual(10);
    expect(lines.length).toBeLessThanOrEqual(12);
    expect(lines[0].text).toMatch(/^livepatch: klp_try_switch_task: kworker\/\d+:\d+:\d+ is sleeping on function busymod_work_func$/);
    for (let i = 1; i < lines.length; i++) {
      const gap = lines[i].time - lines[i - 1].time;
      expect(gap).toBeGreaterThanOrEqual(750_000);
      expect(gap).toBeLessThanOrEqual(1_750_000);
    }
    expect(sim.klpEvents.filter((e) => e.event.type === 'klp.attempt')).toHaveLength(lines.length);
  });

  it('klp_try_switch_task debug lines are off by default in the selftest config (func klp_try_switch_task -p)', () => {
    const { sim } = stalled(['sleep 3']);
    expect(logWith(sim, 'klp_try_switch_task:')).toHaveLength(0);
  });

  it('klp_send_signals: "signaling remaining tasks" is printed exactly once, at the attempt after 15 failed ones (~15 s), though signals go out again at 30 s', () => {
    const { sim } = stalled(['sleep 40']);
    const sig = logWith(sim, 'signaling remaining tasks');
    expect(sig).toHaveLength(1);
    expect(sig[0].text).toBe('livepatch: signaling remaining tasks');
    expect(sig[0].level).toBe(KERN_NOTICE);
    const start = logWith(sim, `'${DEMO}': starting patching transition`)[0].time;
    const dt = sig[0].time - start;
    expect(dt).toBeGreaterThan(14_000_000);
    expect(dt).toBeLessThan(16_500_000);
    // D-state sleepers are not woken by the fake signal: still stalled.
    expect(pendingThreads(sim)).toHaveLength(1);
    expect(sim.kernel.klpTransitionPatch?.name).toBe(DEMO);
  });

  it('klp_send_signals: no signaling notice before 15 failed attempts', () => {
    const { sim } = stalled(['sleep 13']);
    expect(logWith(sim, 'signaling remaining tasks')).toHaveLength(0);
  });
});

describe('klp_reverse_transition (enabled_store on the transition patch)', () => {
  it('klp_reverse_transition: echo 0 > enabled while stalled reverses; the next attempts complete the unpatching within ~2 s with the right messages and only post_unpatch callbacks', () => {
    const { sim } = stalled(['sleep 3']);
    const before = sim.log.length;
    const out = run(sim, [`echo 0 > ${DEMO_DIR}/enabled`, `cat ${DEMO_DIR}/enabled`, `cat ${DEMO_DIR}/transition`, 'sleep 3']);
    expect(out[0].status).toBe(0);
    expect(out[0].err).toEqual([]);
    expect(out[1].out).toEqual(['0']);
    expect(out[2].out).toEqual(['1']);
    const texts = sim.log.slice(before).map((r) => r.text);
    expect(texts).toEqual([
      `livepatch: '${DEMO}': reversing transition from patching to unpatching`,
      `livepatch: '${DEMO}': starting unpatching transition`,
      `livepatch: '${DEMO}': completing unpatching transition`,
      `${DEMO}: post_unpatch_callback: vmlinux`,
      `${DEMO}: post_unpatch_callback: ${BUSY} -> [MODULE_STATE_LIVE] Normal state`,
      `livepatch: '${DEMO}': unpatching complete`,
    ]);
    const rev = logWith(sim, 'reversing transition')[0].time;
    const done = logWith(sim, 'unpatching complete')[0].time;
    expect(done - rev).toBeLessThan(2_500_000);
    // No immediate attempt at reversal (§4.10): completion comes from the delayed work.
    expect(done).toBeGreaterThan(rev);
    expect(sim.kernel.klpTransitionPatch).toBeNull();
    expect(sim.kernel.klpTargetState).toBe(KLP_TRANSITION_IDLE);
    // A reversed enable frees the patch: its sysfs directory is gone.
    expect(sim.kernel.klpPatches).toHaveLength(0);
  });

  it('klp_reverse_transition: right after reversal the stuck kworker is already at the new target, switched tasks are pending again', () => {
    const { sim } = stalled(['sleep 3', `echo 0 > ${DEMO_DIR}/enabled`]);
    const k = sim.kernel;
    expect(k.klpTargetState).toBe(KLP_TRANSITION_UNPATCHED);
    const kworker = k.listedSlots().find((s) => k.tasks.commOf(s).startsWith('kworker') && k.tasks.sched[s] === Sched.UNINTERRUPTIBLE)!;
    expect(kworker).toBeDefined();
    expect(k.tasks.patchState[kworker]).toBe(KLP_TRANSITION_UNPATCHED);
    expect(k.tasks.has(kworker, TF.PATCH_PENDING)).toBe(false);
    expect(explainSwitch(k, kworker)).toEqual({ ok: true });
  });

  it('klp_reverse_transition: reversing twice (unpatching to patching) goes back to the stalled patching transition', () => {
    const { sim } = stalled(['sleep 2', `echo 0 > ${DEMO_DIR}/enabled`, `echo 1 > ${DEMO_DIR}/enabled`, 'sleep 3', `cat ${DEMO_DIR}/transition`]);
    expect(logWith(sim, 'reversing transition from unpatching to patching')).toHaveLength(1);
    expect(sim.kernel.klpTargetState).toBe(KLP_TRANSITION_PATCHED);
    expect(sim.kernel.klpTransitionPatch?.name).toBe(DEMO);
    expect(logWith(sim, 'patching complete')).toHaveLength(0);
  });
});

describe('klp_reverse_transition of a disable (enabled_store)', () => {
  it('klp_reverse_transition: echo 1 during an unpatching transition reverses it; completion runs post_patch again and no post_unpatch', () => {
    const sim = new Simulation();
    run(sim, [`load_mod ${BUSY}`, `load_lp ${DEMO}`]);
    const before = sim.log.length;
    const out = run(sim, [`echo 0 > ${DEMO_DIR}/enabled`, `echo 0 > ${DEMO_DIR}/enabled`, `echo 1 > ${DEMO_DIR}/enabled`, `cat ${DEMO_DIR}/enabled`, 'sleep 3', `cat ${DEMO_DIR}/transition`]);
    // A second 0 while unpatching: same value as patch->enabled → EINVAL.
    expect(out[1].err).toEqual(['bash: echo: write error: Invalid argument']);
    expect(out[2].status).toBe(0);
    expect(out[3].out).toEqual(['1']);
    expect(out[5].out).toEqual(['0']);
    const texts = sim.log.slice(before).map((r) => r.text);
    expect(texts).toContain(`livepatch: '${DEMO}': reversing transition from unpatching to patching`);
    expect(texts.filter((t) => t.includes('pre_unpatch_callback'))).toHaveLength(2);
    expect(texts.filter((t) => t.includes('post_unpatch_callback'))).toHaveLength(0);
    expect(texts.filter((t) => t.includes('post_patch_callback'))).toHaveLength(2);
    expect(texts[texts.length - 1]).toBe(`livepatch: '${DEMO}': patching complete`);
    expect(sim.kernel.klpPatches.map((p) => p.name)).toEqual([DEMO]);
  });
});

describe('klp_force_transition (force_store)', () => {
  it('klp_force_transition: writing 1 to force prints the warning "forcing remaining tasks to the patched state" and the next attempt completes', () => {
    const { sim } = stalled(['sleep 2']);
    const before = sim.log.length;
    const out = run(sim, [`echo 1 > ${DEMO_DIR}/force`, `cat ${DEMO_DIR}/transition`, 'sleep 1.5', `cat ${DEMO_DIR}/transition`]);
    expect(out[0].status).toBe(0);
    expect(out[1].out).toEqual(['1']); // completion is not inline
    expect(out[3].out).toEqual(['0']);
    const recs = sim.log.slice(before);
    expect(recs[0].text).toBe('livepatch: forcing remaining tasks to the patched state');
    expect(recs[0].level).toBe(KERN_WARNING);
    const forced = recs[0].time;
    const done = logWith(sim, `'${DEMO}': patching complete`)[0].time;
    expect(done - forced).toBeLessThanOrEqual(1_750_000);
    expect(recs.map((r) => r.text)).toContain(`${DEMO}: post_patch_callback: ${BUSY} -> [MODULE_STATE_LIVE] Normal state`);
  });

  it('klp_force_transition: the kworker is switched with no stack check (klp_update_patch_state) though it still sleeps in busymod_work_func', () => {
    const { sim } = stalled(['sleep 2']);
    const k = sim.kernel;
    const [kw] = pendingThreads(sim);
    run(sim, [`echo 1 > ${DEMO_DIR}/force`]);
    expect(k.tasks.patchState[kw]).toBe(KLP_TRANSITION_PATCHED);
    expect(k.tasks.has(kw, TF.PATCH_PENDING)).toBe(false);
    expect(k.tasks.sched[kw]).toBe(Sched.UNINTERRUPTIBLE);
    expect(pendingThreads(sim)).toHaveLength(0);
  });

  it('klp_force_transition: forcing a patching transition of a non-replace patch marks nothing forced', () => {
    const { sim } = stalled(['sleep 1', `echo 1 > ${DEMO_DIR}/force`, 'sleep 1.5']);
    const patch = sim.kernel.klpPatches.find((p) => p.name === DEMO)!;
    expect(patch.enabled).toBe(true);
    expect(patch.forced).toBe(false);
  });

  it('klp_force_transition + klp_free_patch_finish: a forced unpatch marks the patch forced, so module_put is skipped and rmmod says "in use" forever', () => {
    const { sim } = stalled([`echo 1 > ${DEMO_DIR}/force`, 'sleep 1.5']);
    const patch = sim.kernel.klpPatches.find((p) => p.name === DEMO)!;
    expect(patch.forced).toBe(false);
    // Disable: the unpatching transition waits for the next attempt; force it before that.
    run(sim, [`echo 0 > ${DEMO_DIR}/enabled`]);
    expect(sim.kernel.klpTransitionPatch).toBe(patch);
    expect(sim.kernel.klpTargetState).toBe(KLP_TRANSITION_UNPATCHED);
    const out = run(sim, [`echo 1 > ${DEMO_DIR}/force`, 'sleep 2', 'ls /sys/kernel/livepatch', `rmmod ${DEMO}`, 'sleep 30', `rmmod ${DEMO}`, 'lsmod']);
    expect(patch.forced).toBe(true);
    expect(out[2].out).toEqual([]);
    expect(out[3].err).toEqual([`rmmod: ERROR: Module ${DEMO} is in use`]);
    expect(out[3].status).toBe(1);
    expect(out[5].err).toEqual([`rmmod: ERROR: Module ${DEMO} is in use`]);
    expect(out[6].out.some((l) => l.startsWith(DEMO))).toBe(true);
  });

  it('klp_free_patch_finish: an unforced disable lets rmmod unload the livepatch module', () => {
    const sim = new Simulation();
    const out = run(sim, ['load_lp test_klp_livepatch', 'disable_lp test_klp_livepatch', 'rmmod test_klp_livepatch', 'lsmod']);
    expect(out[2].status).toBe(0);
    expect(out[3].out.some((l) => l.startsWith('test_klp_livepatch'))).toBe(false);
  });
});

describe('klp_ftrace_handler during a transition (Kernel.resolveCall)', () => {
  it('klp_ftrace_handler: a task at UNPATCHED runs the original busymod_work_func, a task at PATCHED runs patched_work_func (func->transition set)', () => {
    const { sim } = stalled(['sleep 2']);
    const k = sim.kernel;
    const orig = k.codeOf(BUSY, 'busymod_work_func');
    const patched = k.codeOf(DEMO, 'patched_work_func');
    const [kw] = pendingThreads(sim);
    const switched = k.listedSlots().find((s) => k.tasks.patchState[s] === KLP_TRANSITION_PATCHED)!;
    expect(switched).toBeDefined();
    expect(k.klpOps.get(orig)!.funcStack[0].transition).toBe(true);
    expect(k.resolveCall(kw, orig)).toBe(orig);
    expect(k.resolveCall(switched, orig)).toBe(patched);
  });

  it('klp_ftrace_handler: after the transition completes (func->transition cleared, patch_state IDLE) every task runs the new function', () => {
    const { sim } = stalled(['sleep 1', `echo 1 > ${DEMO_DIR}/force`, 'sleep 1.5']);
    const k = sim.kernel;
    const orig = k.codeOf(BUSY, 'busymod_work_func');
    const patched = k.codeOf(DEMO, 'patched_work_func');
    const ops = k.klpOps.get(orig)!;
    expect(ops.funcStack[0].transition).toBe(false);
    for (const s of k.listedSlots()) {
      expect(k.tasks.patchState[s]).toBe(KLP_TRANSITION_IDLE);
      expect(k.resolveCall(s, orig)).toBe(patched);
    }
  });

  it('klp_ftrace_handler: a task still at KLP_TRANSITION_IDLE while func->transition is set triggers WARN_ON_ONCE and runs the top entry', () => {
    const { sim } = stalled(['sleep 1']);
    const k = sim.kernel;
    const orig = k.codeOf(BUSY, 'busymod_work_func');
    const patched = k.codeOf(DEMO, 'patched_work_func');
    const slot = k.listedSlots()[0];
    const saved = k.tasks.patchState[slot];
    const warnsBefore = k.incidents.filter((i) => i.kind === 'warn').length;
    k.tasks.patchState[slot] = KLP_TRANSITION_IDLE;
    expect(k.resolveCall(slot, orig)).toBe(patched);
    k.tasks.patchState[slot] = saved;
    const warns = k.incidents.filter((i) => i.kind === 'warn');
    expect(warns.length).toBe(warnsBefore + 1);
    expect(warns[warns.length - 1].text).toContain('klp_ftrace_handler');
  });

  it('klp_ftrace_handler: a function with no klp_ops runs its own code', () => {
    const { sim } = stalled();
    const k = sim.kernel;
    const code = k.codeOf('vmlinux', 'cmdline_proc_show');
    expect(k.klpOps.has(code)).toBe(false);
    expect(k.resolveCall(k.listedSlots()[0], code)).toBe(code);
  });
});
