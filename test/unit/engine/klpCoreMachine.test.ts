import ELK from 'elkjs/lib/elk.bundled.js';
import { describe, expect, it } from 'vitest';
import { klpCoreMachine } from '../../../src/engine/klpCoreMachine';
import { Session } from '../../../src/engine/session';
import { sessionSourceOf } from '../../../src/scenario/build';
import { defaultScenario } from '../../../src/scenario/defaultScenario';
import { activeStateIds, chartModel, edgeIdOf } from '../../../src/engine/select/chartModel';
import { fromElk, toElk } from '../../../src/ui/views/statechart/elkGraph';
import { litFrom } from '../../../src/engine/select/chartLit';

type RawState = { states?: Record<string, RawState>; on?: Record<string, unknown>; after?: Record<string, unknown> };

/** States and transitions read straight from the machine's config, as the author wrote them. */
function fromConfig(id: string, s: RawState, out = { states: [] as string[], transitions: [] as string[] }) {
  out.states.push(id);
  for (const [event, t] of Object.entries(s.on ?? {})) {
    const list = Array.isArray(t) ? t : [t];
    list.forEach(() => out.transitions.push(`${id}|${event}`));
  }
  for (const delay of Object.keys(s.after ?? {})) out.transitions.push(`${id}|after ${delay}`);
  for (const [k, c] of Object.entries(s.states ?? {})) fromConfig(`${id}.${k}`, c, out);
  return out;
}

describe('statechart model derived from the klp core machine', () => {
  const model = chartModel(klpCoreMachine);

  it('holds every state and every transition of the definition', () => {
    const raw = fromConfig(klpCoreMachine.id, klpCoreMachine.config as RawState);
    expect([...model.nodes.keys()].sort()).toEqual(raw.states.sort());
    expect(model.edges.map((e) => `${e.source}|${e.trigger}`).sort()).toEqual(raw.transitions.sort());
    expect(raw.transitions.length).toBe(16);
  });

  it('names guards, delays, actions and targets', () => {
    const init = model.edges.filter((e) => e.event === 'klp.init');
    expect(init.map((e) => [e.guard, e.targets])).toEqual([
      ['target is patched', ['klp.core.patching']],
      [null, ['klp.core.unpatching']],
    ]);
    const timer = model.edges.find((e) => e.source === 'klp.klp_transition_work.pending')!;
    expect(timer.trigger).toBe('after round_jiffies_relative(HZ)');
    expect(timer.actions).toEqual(['klp_transition_work_fn']);
    expect(model.edges.find((e) => e.source === 'klp.core.patching' && e.event === 'klp.attempt')!.targets).toEqual([]);
    expect(model.nodes.get('klp')!.type).toBe('parallel');
    expect(model.nodes.get('klp.core')!.initial).toBe('klp.core.no transition');
  });

  it('finds the active states of a snapshot value', () => {
    expect([...activeStateIds(model, { core: 'patching', klp_transition_work: 'pending' })].sort()).toEqual(
      ['klp', 'klp.core', 'klp.core.patching', 'klp.klp_transition_work', 'klp.klp_transition_work.pending'].sort(),
    );
  });

  it('lays out with elkjs: every state boxed inside its parent, every transition routed', async () => {
    const layout = fromElk(model, await new ELK().layout(toElk(model, true)), true);
    expect(layout.nodes.map((n) => n.node.id).sort()).toEqual([...model.nodes.keys()].sort());
    const box = new Map(layout.nodes.map((n) => [n.node.id, n]));
    for (const n of layout.nodes) {
      expect(n.width).toBeGreaterThan(0);
      const p = n.node.parent ? box.get(n.node.parent)! : null;
      if (p) {
        expect(n.x).toBeGreaterThanOrEqual(p.x);
        expect(n.y).toBeGreaterThanOrEqual(p.y);
        expect(n.x + n.width).toBeLessThanOrEqual(p.x + p.width);
        expect(n.y + n.height).toBeLessThanOrEqual(p.y + p.height);
      }
    }
    const targeted = model.edges.filter((e) => e.targets.length > 0);
    const drawn = layout.edges.filter((e) => e.edge);
    expect(drawn.map((e) => e.edge!.id).sort()).toEqual(targeted.map((e) => e.id).sort());
    for (const e of drawn) {
      expect(e.points.length).toBeGreaterThanOrEqual(2);
      expect(e.label?.head).toBeTruthy();
    }
    expect(layout.initials).toHaveLength(2);
    expect(layout.nodes.find((n) => n.node.id === 'klp.core.patching')!.internal.map((e) => e.event)).toEqual(['klp.attempt', 'klp.attempt', 'klp.attempt', 'write force']);
  });

  it('lights what the live actor did: patching while stuck, the reverse when it came', () => {
    const s = new Session(sessionSourceOf(defaultScenario()));
    s.seek(s.start + 10_000_000);
    let lit = litFrom(model, s.sim.actor.getSnapshot().value, s.coreSteps);
    expect(lit.active.has('klp.core.patching')).toBe(true);
    expect(lit.steps.find((x) => x.region === 'core')?.event).toBe('klp.attempt');
    // The walk left the kworker pending and no signals were due: the guards chose 'rearm work'.
    const attempts = model.edges.filter((e) => e.source === 'klp.core.patching' && e.event === 'klp.attempt');
    expect(attempts.map((e) => [e.guard, e.actions])).toEqual([
      ['all tasks switched', ['try complete']],
      ['signals due', ['send fake signals', 'rearm work']],
      [null, ['rearm work']],
    ]);
    expect(attempts.filter((e) => lit.last.has(e.id)).map((e) => e.guard)).toEqual([null]);
    s.seek(s.start + 16_001_000);
    lit = litFrom(model, s.sim.actor.getSnapshot().value, s.coreSteps);
    expect(lit.active.has('klp.core.unpatching')).toBe(true);
    const reverse = klpCoreMachine.root.states.core.states.patching.transitions.get('write enabled')![0];
    expect(lit.last.has(edgeIdOf(reverse))).toBe(true);
  });
});
