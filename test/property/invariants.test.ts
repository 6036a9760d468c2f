// Property-based tests of the livepatch consistency model (docs/kernel-model.md §4, §5, §16):
// random command sequences over a few selftest modules, with the model's invariants checked
// after every command and on every lifecycle event the kernel reports to the klp statechart.

import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { Simulation } from '../../src/engine/simulation';
import { parseScript } from '../../src/scenario/script';
import { TF } from '../../src/kernel/tasks';
import { forbiddenCode } from '../../src/kernel/transition';
import type { KlpEvent } from '../../src/kernel/kernel';
import {
  KLP_TRANSITION_IDLE,
  KLP_TRANSITION_PATCHED,
  KLP_TRANSITION_UNPATCHED,
} from '../../src/kernel/constants';
import { runLines } from '../support/helpers';

const SEED = 42;
const LP = '/sys/kernel/livepatch';
const PATCHES = ['test_klp_callbacks_demo', 'test_klp_livepatch', 'test_klp_atomic_replace'] as const;
const MODULES = [...PATCHES, 'test_klp_callbacks_busy'] as const;

const COMMANDS: readonly string[] = [
  'load_mod test_klp_callbacks_busy block_transition=Y',
  'load_mod test_klp_callbacks_busy block_transition=N',
  'insmod test_modules/test_klp_callbacks_demo.ko',
  'insmod test_modules/test_klp_livepatch.ko',
  'insmod test_modules/test_klp_atomic_replace.ko replace=1',
  'insmod test_modules/test_klp_atomic_replace.ko replace=0',
  ...PATCHES.flatMap((p) => [`echo 0 > ${LP}/${p}/enabled`, `echo 1 > ${LP}/${p}/enabled`, `echo 1 > ${LP}/${p}/force`]),
  ...MODULES.map((m) => `rmmod ${m}`),
  'sleep 0.5',
  'sleep 3',
  'sleep 20',
  'echo N > /sys/module/test_klp_callbacks_busy/parameters/block_transition',
  'cat /proc/cmdline',
];

/** Loading commands are weighted up so that transitions actually happen. */
const commandArb = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...COMMANDS.slice(0, 6)) },
  { weight: 5, arbitrary: fc.constantFrom(...COMMANDS.slice(6)) },
);
const scriptArb = fc.array(commandArb, { minLength: 1, maxLength: 14 });

/** Virtual-time budget of one command: `sleep 20` and the 60 s helper loops fit easily. */
const LINE_LIMIT_US = 600_000_000;

/**
 * Run one line; false when it never returns. That is faithful, not a model bug: loading
 * test_klp_callbacks_busy while test_klp_callbacks_demo already redirects busymod_work_func
 * runs patched_work_func, which never completes busymod_work_started, so the module's init
 * (and insmod) waits forever, as on a real kernel. The shell is then stuck for good.
 */
function runLine(sim: Simulation, text: string): boolean {
  const parsed = parseScript([text]);
  if (!parsed.ok) throw new Error(parsed.errors.join('\n'));
  // A line that never returns runs into the (shortened) virtual-time budget.
  const out = runLines(sim, parsed.lines, { limitUs: LINE_LIMIT_US });
  if (out.budget && out.budget.budget !== 'virtualUs') throw out.budget;
  return out.budget === undefined;
}

/** A simulation whose lifecycle events are checked against the statechart as they happen. */
class Checked {
  readonly sim = new Simulation();
  readonly violations: string[] = [];
  /** A force happened at some point: stacks may legitimately hold any code from then on. */
  forcedEver = false;
  events = 0;

  constructor() {
    const sim = this.sim;
    const k = sim.kernel;
    k.events.subscribe((e: KlpEvent) => {
      this.events++;
      const core = sim.actor.getSnapshot().value.core;
      const bad = (why: string) => this.violations.push(`${e.type}${'patch' in e ? ` ${e.patch}` : ''}: ${why} (machine in '${core}')`);
      switch (e.type) {
        case 'klp.init':
          // One transition at a time: init only from "no transition".
          if (core !== 'no transition') bad('init while a transition is in progress');
          if (k.klpTransitionPatch?.name !== e.patch) bad('init does not match klp_transition_patch');
          break;
        case 'klp.start':
        case 'klp.attempt':
        case 'klp.signal':
        case 'klp.reverse':
        case 'klp.force':
          if (core === 'no transition') bad('event without a transition');
          if (k.klpTransitionPatch?.name !== e.patch) bad(`kernel transition patch is ${k.klpTransitionPatch?.name}`);
          if (sim.actor.getSnapshot().context.transitionPatch !== e.patch) bad('machine context has another transition patch');
          break;
        case 'klp.complete':
          if (core === 'no transition') bad('complete without a transition');
          if (k.klpTransitionPatch !== null) bad('complete while klp_transition_patch is still set');
          break;
        default:
          break;
      }
      if (e.type === 'klp.force') this.forcedEver = true;
    });
  }

  hung = false;

  run(text: string): void {
    if (this.hung) return;
    this.hung = !runLine(this.sim, text);
    this.check(text);
  }

  check(after: string): void {
    const sim = this.sim;
    const k = sim.kernel;
    const t = k.tasks;
    const bad = (why: string) => this.violations.push(`after '${after}': ${why}`);
    const snap = sim.actor.getSnapshot();
    const core = snap.value.core;
    const tp = k.klpTransitionPatch;

    // At most one transition, and the statechart agrees with the kernel about it.
    const inTransition = k.klpPatches.filter((p) => p === tp);
    if (tp && inTransition.length > 1) bad('transition patch listed twice');
    if ((core === 'no transition') !== (tp === null)) bad(`machine '${core}' but klp_transition_patch=${tp?.name ?? 'null'}`);
    if ((core === 'patching') !== (tp !== null && k.klpTargetState === KLP_TRANSITION_PATCHED)) bad(`machine '${core}' but klp_target_state=${k.klpTargetState}`);
    if ((core === 'unpatching') !== (tp !== null && k.klpTargetState === KLP_TRANSITION_UNPATCHED)) bad(`machine '${core}' but klp_target_state=${k.klpTargetState}`);
    if ((tp === null) !== (k.klpTargetState === KLP_TRANSITION_IDLE)) bad(`klp_target_state=${k.klpTargetState} with transition patch ${tp?.name ?? 'null'}`);
    if (snap.context.transitionPatch !== (tp?.name ?? null)) bad(`machine context transition patch ${snap.context.transitionPatch} vs kernel ${tp?.name ?? 'null'}`);
    // A transition in progress always has its retry work armed after a command returns.
    if (tp && snap.value.klp_transition_work !== 'pending') bad('transition in progress but klp_transition_work is idle');

    const slots: number[] = [];
    for (let c = 0; c < k.nrCpus; c++) slots.push(k.idleSlot(c));
    slots.push(...k.listedSlots());

    if (!tp) {
      for (const s of slots) {
        if (t.patchState[s] !== KLP_TRANSITION_IDLE) bad(`task ${t.commOf(s)}:${t.pid[s]} patch_state=${t.patchState[s]} with no transition`);
        if (t.has(s, TF.PATCH_PENDING)) bad(`task ${t.commOf(s)}:${t.pid[s]} TIF_PATCH_PENDING with no transition`);
      }
      return;
    }

    const target = k.klpTargetState;
    // Codes that klp_check_stack() forbids for the current target.
    const forbidden: number[] = [];
    for (const obj of tp.objs) {
      if (!obj.patched) continue;
      for (const f of obj.funcs) {
        const c = forbiddenCode(k, f);
        if (c >= 0) forbidden.push(c);
      }
    }
    const busyCode = k.findModule('test_klp_callbacks_busy') ? k.codeOf('test_klp_callbacks_busy', 'busymod_work_func') : -1;
    const cmdline = k.codeOf('vmlinux', 'cmdline_proc_show');
    const lpCmdline = tp.name === 'test_klp_livepatch' ? k.codeOf('test_klp_livepatch', 'livepatch_cmdline_proc_show') : -1;

    for (const s of slots) {
      const ps = t.patchState[s];
      const who = `${t.commOf(s)}:${t.pid[s]}`;
      if (ps === KLP_TRANSITION_IDLE) {
        bad(`task ${who} patch_state=-1 during a transition`);
        continue;
      }
      if (t.has(s, TF.PATCH_PENDING) !== (ps !== target)) bad(`task ${who} pending=${t.has(s, TF.PATCH_PENDING)} patch_state=${ps} target=${target}`);
      if (!this.forcedEver && ps === target) {
        // Switched tasks never hold code their switch was forbidden to leave behind.
        for (const c of forbidden) if (k.trie.contains(t.stack[s], c)) bad(`task ${who} switched to ${target} with ${k.syms.codes[c].name} on its stack`);
        // The kworker stuck in the original busymod_work_func never reaches PATCHED for the demo patch.
        if (busyCode >= 0 && tp.name === 'test_klp_callbacks_demo' && target === KLP_TRANSITION_PATCHED && k.trie.contains(t.stack[s], busyCode)) {
          bad(`task ${who} running busymod_work_func reached PATCHED`);
        }
      }
      // Code selection (§5): the task's patch_state decides which cmdline_proc_show it runs.
      if (lpCmdline >= 0) {
        const got = k.resolveCall(s, cmdline);
        const want = ps === KLP_TRANSITION_PATCHED ? lpCmdline : cmdline;
        if (got !== want) bad(`task ${who} (patch_state=${ps}) resolves cmdline_proc_show to ${k.syms.codes[got].name}`);
      }
    }
  }
}

function runChecked(cmds: readonly string[]): Checked {
  const c = new Checked();
  c.check('boot');
  for (const cmd of cmds) c.run(cmd);
  return c;
}

function dmesgOf(cmds: readonly string[]): string {
  const sim = new Simulation();
  for (const cmd of cmds) if (!runLine(sim, cmd)) break;
  sim.advance(5_000_000);
  return sim.dmesg().join('\n');
}

describe('livepatch model invariants (fast-check, seed 42)', () => {
  it('hold after every command of random command sequences', () => {
    fc.assert(
      fc.property(scriptArb, (cmds) => {
        const c = runChecked(cmds);
        expect(c.violations).toEqual([]);
      }),
      { seed: SEED, numRuns: 600 },
    );
  });

  it('hold on sequences biased towards a stuck demo patch (busy kworker blocking the transition)', () => {
    const prefix = ['load_mod test_klp_callbacks_busy block_transition=Y', 'insmod test_modules/test_klp_callbacks_demo.ko'];
    fc.assert(
      fc.property(scriptArb, (cmds) => {
        const c = runChecked([...prefix, ...cmds]);
        expect(c.violations).toEqual([]);
      }),
      { seed: SEED, numRuns: 300 },
    );
  });

  it('the same command list gives byte-identical dmesg (determinism)', () => {
    fc.assert(
      fc.property(scriptArb, (cmds) => {
        expect(dmesgOf(cmds)).toBe(dmesgOf(cmds));
      }),
      { seed: SEED, numRuns: 120 },
    );
  });

  it('examples: the stuck transition and its resolutions keep the invariants', () => {
    const stuck = ['load_mod test_klp_callbacks_busy block_transition=Y', 'insmod test_modules/test_klp_callbacks_demo.ko', 'sleep 3'];
    const c1 = runChecked([...stuck, 'echo N > /sys/module/test_klp_callbacks_busy/parameters/block_transition', 'sleep 3']);
    expect(c1.violations).toEqual([]);
    expect(c1.sim.kernel.klpTransitionPatch).toBeNull();
    const c2 = runChecked([...stuck, 'echo 0 > /sys/kernel/livepatch/test_klp_callbacks_demo/enabled', 'sleep 3']);
    expect(c2.violations).toEqual([]);
    expect(c2.sim.kernel.klpTransitionPatch).toBeNull();
    const c3 = runChecked([...stuck, 'echo 1 > /sys/kernel/livepatch/test_klp_callbacks_demo/force', 'sleep 3']);
    expect(c3.violations).toEqual([]);
    expect(c3.forcedEver).toBe(true);
    expect(c3.sim.kernel.klpTransitionPatch).toBeNull();
    const c4 = runChecked(['insmod test_modules/test_klp_livepatch.ko', 'cat /proc/cmdline', 'echo 0 > /sys/kernel/livepatch/test_klp_livepatch/enabled', 'sleep 3', 'rmmod test_klp_livepatch']);
    expect(c4.violations).toEqual([]);
    expect(c4.events).toBeGreaterThan(0);
  });

  it('the checker itself catches planted violations (so green means something)', () => {
    const c = runChecked(['load_mod test_klp_callbacks_busy block_transition=Y', 'insmod test_modules/test_klp_callbacks_demo.ko']);
    expect(c.violations).toEqual([]);
    const k = c.sim.kernel;
    const busy = k.codeOf('test_klp_callbacks_busy', 'busymod_work_func');
    const worker = k.listedSlots().find((s) => k.trie.contains(k.tasks.stack[s], busy));
    expect(worker).toBeDefined();
    // Switch the stuck kworker behind the stack check's back.
    k.tasks.patchState[worker!] = KLP_TRANSITION_PATCHED;
    k.tasks.clear(worker!, TF.PATCH_PENDING);
    c.check('planted switch');
    expect(c.violations.some((v) => v.includes('busymod_work_func reached PATCHED'))).toBe(true);
    expect(c.violations.some((v) => v.includes('with busymod_work_func on its stack'))).toBe(true);
    c.violations.length = 0;
    k.tasks.set(worker!, TF.PATCH_PENDING);
    c.check('planted pending');
    expect(c.violations.some((v) => v.includes('pending=true'))).toBe(true);
  });
});
