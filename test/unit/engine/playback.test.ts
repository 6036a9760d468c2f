import { describe, expect, it } from 'vitest';
import { createActor, fromCallback } from 'xstate';
import { playbackMachine, speedLabel, speedOf } from '../../../src/engine/playback';
import { Session } from '../../../src/engine/session';
import { Simulation } from '../../../src/engine/simulation';
import { DEFAULT_SCENARIO_DOCUMENT as DEFAULT_SCENARIO } from '../../../src/scenario/defaultScenario';

function start() {
  const session = new Session({ title: 't', build: () => new Simulation(), script: DEFAULT_SCENARIO.script });
  // The test is the frame source: it sends TICK itself instead of requestAnimationFrame.
  const manualFrames = playbackMachine.provide({ actors: { 'animation frames': fromCallback(() => () => {}) } });
  const actor = createActor(manualFrames, { input: { session } });
  actor.start();
  return { session, actor };
}

describe('playback machine', () => {
  it('speed moves in quarter decades and is clamped', () => {
    const { actor } = start();
    expect(speedOf(actor.getSnapshot().context.speedExp)).toBe(1);
    actor.send({ type: 'FASTER' });
    actor.send({ type: 'FASTER' });
    expect(speedLabel(actor.getSnapshot().context.speedExp)).toBe('3.2×');
    actor.send({ type: 'SPEED', exp: 99 });
    expect(speedLabel(actor.getSnapshot().context.speedExp)).toBe('1000×');
  });

  it('a tick while playing advances virtual time by wall time × speed', () => {
    const { session, actor } = start();
    const t0 = session.now;
    actor.send({ type: 'TICK', wallMs: 16 });
    expect(session.now).toBe(t0);
    actor.send({ type: 'SPEED', exp: 4 });
    actor.send({ type: 'PLAY' });
    actor.send({ type: 'TICK', wallMs: 16 });
    expect(session.now).toBe(t0 + 160_000);
  });

  it('a frame that runs out of budget stops early and says the model is the bottleneck', () => {
    const { session, actor } = start();
    actor.send({ type: 'SPEED', exp: 12 });
    actor.send({ type: 'PLAY' });
    const t0 = session.now;
    actor.send({ type: 'TICK', wallMs: 16, shouldYield: () => true });
    expect(session.now).toBeLessThan(t0 + 16_000_000);
    expect(actor.getSnapshot().context.limited).toBe(true);
  });

  it('step back retraces the steps taken forward', () => {
    const { session, actor } = start();
    const times = [session.now];
    for (let i = 0; i < 5; i++) {
      actor.send({ type: 'STEP_FORWARD' });
      times.push(session.now);
    }
    for (let i = 4; i >= 0; i--) {
      actor.send({ type: 'STEP_BACK' });
      expect(session.now).toBe(times[i]);
    }
  });

  it('next interesting event stops at the reversed transition’s completion', () => {
    const { session, actor } = start();
    for (let i = 0; i < 3 && !session.markers.some((m) => m.kind === 'complete'); i++) actor.send({ type: 'NEXT_INTERESTING' });
    expect(session.markers.at(-1)?.label).toBe('unpatching test_klp_callbacks_demo complete');
    expect(session.sim.dmesg().at(-1)).toContain("'test_klp_callbacks_demo': unpatching complete");
  });
});
