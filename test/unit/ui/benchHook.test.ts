import { describe, expect, it } from 'vitest';
import { Reason } from '../../../src/engine/blockers';
import { Session } from '../../../src/engine/session';
import { benchSimulation, benchSource } from '../../../src/ui/benchHook';

describe('bench machine (?bench=)', () => {
  it('only the known bench names replace the default scenario', () => {
    expect(benchSource('?bench=tasks-1m')?.title).toContain('1,000,000 tasks');
    expect(benchSource('?bench=nope')).toBeUndefined();
    expect(benchSource('')).toBeUndefined();
  });

  it('adds the tasks and stalls test_klp_livepatch on every kind of blocker', () => {
    expect(benchSimulation(1000).kernel.tasks.n).toBeGreaterThan(1000);
    const src = benchSource('?bench=tasks-100k');
    if (!src) throw new Error('no bench source');
    const s = new Session({ ...src, build: () => benchSimulation(20_000) });
    s.advanceTo(s.start + 3_000_000);
    expect(s.sim.kernel.klpTransitionPatch?.name).toBe('test_klp_livepatch');
    const c = s.classify().counts;
    for (const r of [Reason.RUNNING, Reason.SLEEPING, Reason.UNINTERRUPTIBLE, Reason.UNRELIABLE]) expect(c[r]).toBeGreaterThan(0);
  });
});
