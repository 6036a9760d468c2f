// Model-based tests of the klp core statechart (src/engine/klpCoreMachine.ts) with
// @xstate/graph: the machine's own reachable configurations, then a walk over a logic whose
// state is a list of shell operations applied to a fresh Simulation, serialized as the
// machine's state value plus a summary of the kernel, with invariants checked on every edge.

import { describe, expect, it } from 'vitest';
import { createActor, fromTransition, type EventObject } from 'xstate';
import { getShortestPaths } from '@xstate/graph';
import { klpCoreMachine, type KlpCoreEvent } from '../../src/engine/klpCoreMachine';
import { Simulation } from '../../src/engine/simulation';
import { Kernel } from '../../src/kernel/kernel';
import { parseScript } from '../../src/scenario/script';
import { KLP_TRANSITION_IDLE, KLP_TRANSITION_PATCHED, KLP_TRANSITION_UNPATCHED, SIGNALS_TIMEOUT } from '../../src/kernel/constants';
import { runLines } from '../support/helpers';

type Core = 'no transition' | 'patching' | 'unpatching';
type Work = 'idle' | 'pending';
const AFTER_EVENT = 'xstate.after.round_jiffies_relative(HZ).klp.klp_transition_work.pending';

// ------------------------------------------------------------------ the machine alone

/** The actions that call into the kernel, recorded instead (the guards stay the machine's own). */
const KERNEL_ACTIONS = ['try complete', 'send fake signals', 'rearm work', 'reverse', 'force', 'klp_transition_work_fn'] as const;

function recordingMachine(log: string[]) {
  const actions = Object.fromEntries(KERNEL_ACTIONS.map((a) => [a, () => log.push(a)]));
  return klpCoreMachine.provide({ actions });
}

describe('klpCoreMachine graph (explicit events)', () => {
  const kernel = new Kernel();
  const attempt = (pending: number, signalsCnt: number): KlpCoreEvent => ({ type: 'klp.attempt', patch: 'p', complete: pending === 0, pending, holdUs: 0, signalsCnt });
  const events: KlpCoreEvent[] = [
    { type: 'klp.init', patch: 'p', target: KLP_TRANSITION_PATCHED },
    { type: 'klp.init', patch: 'p', target: KLP_TRANSITION_UNPATCHED },
    attempt(0, 3),
    attempt(2, 0),
    attempt(2, 14),
    attempt(2, SIGNALS_TIMEOUT),
    attempt(1, 2 * SIGNALS_TIMEOUT),
    { type: 'write enabled', patch: 'p' },
    { type: 'write force', patch: 'p' },
    { type: 'klp.complete', patch: 'p', target: KLP_TRANSITION_PATCHED },
    { type: 'klp.queueWork', delayUs: 1_000_000 },
  ];
  // The delayed transition, as the event XState raises when the timer fires.
  const allEvents = [...events, { type: AFTER_EVENT } as unknown as KlpCoreEvent];
  const serializeState = (s: { value: unknown; context: { transitionPatch: string | null } }) =>
    JSON.stringify([s.value, s.context.transitionPatch]);

  it('reaches every core × klp_transition_work configuration, with the context in step', () => {
    const paths = getShortestPaths(recordingMachine([]), { events: allEvents, input: { kernel }, serializeState });
    const seen = new Set<string>();
    for (const p of paths) {
      const v = p.state.value as { core: Core; klp_transition_work: Work };
      seen.add(`${v.core}/${v.klp_transition_work}`);
      // transitionPatch is set exactly while a transition is in progress.
      expect(p.state.context.transitionPatch === null).toBe(v.core === 'no transition');
      // The core region only leaves "no transition" through klp.init, returns only through
      // klp.complete, and flips direction only on a write to enabled (the reverse).
      let prev: Core = 'no transition';
      for (const step of p.steps) {
        const core = (step.state.value as { core: Core }).core;
        if (prev === 'no transition' && core !== 'no transition') expect(step.event.type).toBe('klp.init');
        if (prev !== 'no transition' && core === 'no transition') expect(step.event.type).toBe('klp.complete');
        if (prev !== 'no transition' && core !== 'no transition' && core !== prev) expect(step.event.type).toBe('write enabled');
        prev = core;
      }
    }
    expect([...seen].sort()).toEqual(
      ['no transition/idle', 'no transition/pending', 'patching/idle', 'patching/pending', 'unpatching/idle', 'unpatching/pending'],
    );
  });

  it('the guards decide: from every reachable configuration, each event runs exactly the kernel functions the rule names', () => {
    const paths = getShortestPaths(recordingMachine([]), { events: allEvents, input: { kernel }, serializeState });
    const decided = new Set<string>();
    let edges = 0;
    for (const p of paths) {
      for (const e of events) {
        // Replay the path to the configuration on a fresh actor, then send one event and record
        // which kernel functions it called (the timer's own edge is checked on the clock below).
        const log: string[] = [];
        const actor = createActor(recordingMachine(log), { input: { kernel } });
        actor.start();
        for (const step of p.steps) if ((step.event.type as string) !== AFTER_EVENT) actor.send(step.event as KlpCoreEvent);
        const before = actor.getSnapshot().value as { core: Core; klp_transition_work: Work };
        log.length = 0;
        actor.send(e);
        edges++;
        const inTransition = before.core !== 'no transition';
        let want: string[] = [];
        if (e.type === 'klp.attempt' && inTransition) {
          want = e.pending === 0 ? ['try complete'] : e.signalsCnt > 0 && e.signalsCnt % SIGNALS_TIMEOUT === 0 ? ['send fake signals', 'rearm work'] : ['rearm work'];
        }
        if (e.type === 'write enabled' && inTransition) want = ['reverse'];
        if (e.type === 'write force' && inTransition) want = ['force'];
        expect(log, `${e.type} in ${JSON.stringify(before)}`).toEqual(want);
        if (want.length) decided.add(want.join('+'));
        const after = actor.getSnapshot().value as { core: Core; klp_transition_work: Work };
        if (e.type === 'klp.init' && inTransition) expect(after.core).toBe(before.core);
        if (e.type === 'klp.queueWork' && before.klp_transition_work === 'pending') expect(after.klp_transition_work).toBe('pending');
        if (e.type === 'klp.attempt' || e.type === 'write force') expect(after.core).toBe(before.core);
        if (e.type === 'write enabled' && inTransition) expect(after.core).toBe(before.core === 'patching' ? 'unpatching' : 'patching');
        actor.stop();
      }
    }
    expect(edges).toBe(paths.length * events.length);
    // Every branch of every guard was taken from some configuration.
    expect([...decided].sort()).toEqual(['force', 'rearm work', 'reverse', 'send fake signals+rearm work', 'try complete']);
  });
});

// ------------------------------------------------------------------ the machine driving the kernel

const LP = '/sys/kernel/livepatch';
const OPS = [
  'load_mod test_klp_callbacks_busy block_transition=Y',
  'insmod test_modules/test_klp_callbacks_demo.ko',
  'insmod test_modules/test_klp_livepatch.ko',
  `echo 0 > ${LP}/test_klp_callbacks_demo/enabled`,
  `echo 1 > ${LP}/test_klp_callbacks_demo/enabled`,
  `echo 1 > ${LP}/test_klp_callbacks_demo/force`,
  `echo 0 > ${LP}/test_klp_livepatch/enabled`,
  'echo N > /sys/module/test_klp_callbacks_busy/parameters/block_transition',
  'sleep 3',
] as const;
/** Walk depth: long enough to stall, reverse, force and finish a transition. */
const MAX_OPS = 6;

interface OpEvent extends EventObject {
  type: 'op';
  line: string;
}

interface WalkState {
  ops: string[];
  key: string;
  value: { core: Core; klp_transition_work: Work };
  modules: string[];
}

/** Everything that a kernel-level check found wrong, by path. */
const violations: string[] = [];
const built = new Map<string, WalkState>();
let simulations = 0;

function runLine(sim: Simulation, text: string): void {
  const parsed = parseScript([text]);
  if (!parsed.ok) throw new Error(parsed.errors.join('\n'));
  runLines(sim, parsed.lines, { limitUs: 600_000_000 });
}

/** The kernel-side invariants of the statechart's configuration. */
function checkAgainstKernel(sim: Simulation, where: string, lastAttemptFailed: boolean): void {
  const k = sim.kernel;
  const snap = sim.actor.getSnapshot();
  const { core, klp_transition_work: work } = snap.value as { core: Core; klp_transition_work: Work };
  const bad = (why: string) => violations.push(`${where}: ${why}`);
  if (core === 'patching' && k.klpTargetState !== KLP_TRANSITION_PATCHED) bad(`patching but klp_target_state=${k.klpTargetState}`);
  if (core === 'unpatching' && k.klpTargetState !== KLP_TRANSITION_UNPATCHED) bad(`unpatching but klp_target_state=${k.klpTargetState}`);
  if (core === 'no transition' && (k.klpTransitionPatch !== null || k.klpTargetState !== KLP_TRANSITION_IDLE)) bad('no transition but the kernel has one');
  if (core !== 'no transition' && k.klpTransitionPatch?.name !== snap.context.transitionPatch) bad('transition patch differs');
  if (core !== 'no transition' && lastAttemptFailed && work !== 'pending') bad('a transition whose last attempt failed has no retry work pending');
}

function build(ops: string[]): WalkState {
  const key = JSON.stringify(ops);
  const hit = built.get(key);
  if (hit) return hit;
  simulations++;
  const sim = new Simulation();
  let lastAttemptFailed = false;
  sim.kernel.events.subscribe((e) => {
    if (e.type === 'klp.attempt') lastAttemptFailed = !e.complete;
    if (e.type === 'klp.init' || e.type === 'klp.complete' || e.type === 'klp.reverse') lastAttemptFailed = false;
  });
  checkAgainstKernel(sim, 'boot', false);
  ops.forEach((op, i) => {
    runLine(sim, op);
    checkAgainstKernel(sim, `${ops.slice(0, i + 1).join(' ; ')}`, lastAttemptFailed);
  });
  const k = sim.kernel;
  const value = sim.actor.getSnapshot().value as WalkState['value'];
  const modules = [...k.modules.keys()].sort();
  const summary = {
    value,
    patch: k.klpTransitionPatch?.name ?? null,
    target: k.klpTargetState,
    modules,
    patches: k.klpPatches.map((p) => `${p.name}:${p.enabled ? 1 : 0}${p.forced ? 'f' : ''}`),
    block: String(k.findModule('test_klp_callbacks_busy')?.params.get('block_transition') ?? '-'),
    busyWork: k.listedSlots().some((s) => k.findModule('test_klp_callbacks_busy') && k.trie.contains(k.tasks.stack[s], k.codeOf('test_klp_callbacks_busy', 'busymod_work_func'))),
  };
  const st: WalkState = { ops, key: JSON.stringify(summary), value, modules };
  built.set(key, st);
  return st;
}

/** Ops that make sense from a state (loading the busy module under the demo patch hangs insmod, as on a real kernel). */
function opsFrom(s: WalkState): OpEvent[] {
  if (s.ops.length >= MAX_OPS) return [];
  return OPS.filter((op) => {
    if (op.startsWith('load_mod test_klp_callbacks_busy')) return !s.modules.includes('test_klp_callbacks_busy') && !s.modules.includes('test_klp_callbacks_demo');
    if (op.includes('test_klp_callbacks_demo/')) return s.modules.includes('test_klp_callbacks_demo');
    if (op.includes('test_klp_livepatch/')) return s.modules.includes('test_klp_livepatch');
    if (op.includes('/sys/module/test_klp_callbacks_busy/')) return s.modules.includes('test_klp_callbacks_busy');
    if (op.startsWith('insmod')) return !s.modules.includes(op.replace(/^.*\/(\w+)\.ko.*$/, '$1'));
    return true;
  }).map((line) => ({ type: 'op', line }));
}

const walkLogic = fromTransition((s: WalkState, e: OpEvent) => build([...s.ops, e.line]), build([]));

describe('klpCoreMachine against the kernel (model-based walk)', () => {
  it('every reachable (statechart, kernel) state keeps the statechart in step with the kernel', () => {
    const t0 = performance.now();
    const paths = getShortestPaths(walkLogic, {
      events: (snap) => opsFrom(snap.context),
      serializeState: (snap) => snap.context.key,
    });
    const configs = new Set(paths.map((p) => `${p.state.context.value.core}/${p.state.context.value.klp_transition_work}`));
    expect(violations).toEqual([]);
    // The walk reaches every configuration that a command can return in.
    for (const c of ['no transition/idle', 'patching/pending', 'unpatching/pending']) expect(configs).toContain(c);
    expect(paths.length).toBeGreaterThan(20);
    // Replay each shortest path step by step as a script: the serialized state is reproducible.
    for (const p of paths) {
      const sim = new Simulation();
      for (const step of p.steps) if (step.event.type === 'op') runLine(sim, (step.event as OpEvent).line);
      expect(sim.actor.getSnapshot().value).toEqual(p.state.context.value);
    }
    console.info(`statechart walk: ${paths.length} states, configurations ${[...configs].sort().join(', ')}, ${simulations} simulations, ${(performance.now() - t0).toFixed(0)} ms`);
  });
});

// ------------------------------------------------------------------ the retry timer

describe('klp_transition_work is the machine’s delayed transition on the simulated clock', () => {
  it('a stalled load leaves the work pending; advancing the clock fires another attempt', () => {
    const sim = new Simulation();
    let attempts = 0;
    const times: number[] = [];
    sim.kernel.events.subscribe((e) => {
      if (e.type === 'klp.attempt') {
        attempts++;
        times.push(sim.kernel.clock.now);
      }
    });
    runLine(sim, 'load_mod test_klp_callbacks_busy block_transition=Y');
    runLine(sim, 'insmod test_modules/test_klp_callbacks_demo.ko');
    const snap = sim.actor.getSnapshot();
    expect(snap.value).toEqual({ core: 'patching', klp_transition_work: 'pending' });
    expect(attempts).toBe(1);
    // The delay is whole-second aligned, within round_jiffies_relative(HZ)'s range.
    expect(snap.context.workDelayMs).toBeGreaterThanOrEqual(250);
    expect(snap.context.workDelayMs).toBeLessThanOrEqual(2000);

    // The retry is the machine's delayed transition on the virtual clock: advancing the clock
    // by 1.5 s produces another attempt, and not before the machine's delay has elapsed.
    const armedAt = sim.kernel.clock.now;
    sim.advance(1_500_000);
    expect(attempts).toBeGreaterThanOrEqual(2);
    expect(times[1] - armedAt).toBeGreaterThanOrEqual(snap.context.workDelayMs * 1000);
    expect(times[1] - armedAt).toBeLessThan(snap.context.workDelayMs * 1000 + 10_000);
    expect(sim.actor.getSnapshot().value).toEqual({ core: 'patching', klp_transition_work: 'pending' });

    // Roughly one attempt a second for as long as the transition stalls; then completion stops the timer.
    sim.advance(10_000_000);
    expect(attempts).toBeGreaterThanOrEqual(11);
    expect(attempts).toBeLessThanOrEqual(14);
    runLine(sim, 'echo N > /sys/module/test_klp_callbacks_busy/parameters/block_transition');
    sim.advance(3_000_000);
    expect(sim.actor.getSnapshot().value).toEqual({ core: 'no transition', klp_transition_work: 'idle' });
    const done = attempts;
    sim.advance(10_000_000);
    expect(attempts).toBe(done);
  });

  it('the machine alone: klp.queueWork arms the XState delay, and the timer fires on the injected clock', () => {
    const k = new Kernel();
    let fired = 0;
    const actor = createActor(klpCoreMachine, {
      input: { kernel: k },
      clock: {
        setTimeout: (fn: (...args: unknown[]) => void, ms: number) => k.clock.after(Math.round(ms * 1000), () => {
          fired++;
          fn();
        }).id,
        clearTimeout: (id: unknown) => k.clock.cancel({ id: id as number }),
      },
    });
    actor.start();
    actor.send({ type: 'klp.queueWork', delayUs: 750_000 });
    expect(actor.getSnapshot().value).toEqual({ core: 'no transition', klp_transition_work: 'pending' });
    expect(actor.getSnapshot().context.workDelayMs).toBe(750);
    k.clock.runUntil(749_999);
    expect(fired).toBe(0);
    k.clock.runUntil(750_000);
    expect(fired).toBe(1);
    expect(actor.getSnapshot().value).toEqual({ core: 'no transition', klp_transition_work: 'idle' });
    actor.stop();
  });
});
