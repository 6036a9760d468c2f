// Choosing scenario B (src/ui/compare/pairing.ts) and one cursor over two hosts
// (src/ui/compare/linkedCursor.ts), on Petr's presets with real engine hosts.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { EngineHost } from '../../../../src/engine/host';
import { inProcessPort, type EnginePort } from '../../../../src/engine/port';
import { sessionSourceOf } from '../../../../src/scenario/build';
import { parseScenarioText, type Scenario } from '../../../../src/scenario/document';
import { LinkedCursor } from '../../../../src/ui/compare/linkedCursor';
import { onSeedOf, otherPolicies, underPolicy } from '../../../../src/ui/compare/pairing';

function preset(id: string): Scenario {
  const r = parseScenarioText(readFileSync(join(__dirname, '..', '..', '..', '..', 'public', 'scenarios', `${id}.json`), 'utf8'));
  if (!r.ok) throw new Error(r.errors.join('\n'));
  return r.scenario;
}

describe('scenario B', () => {
  it('the one-click choices are the policies A does not run', () => {
    expect(otherPolicies(preset('petr-upstream'))).toEqual(['hybrid-rfc-2025', 'replace-set-2026']);
    expect(otherPolicies(preset('petr-hybrid'))).toEqual(['upstream', 'replace-set-2026']);
  });

  it('the same scenario under another policy, validated; one that uses a policy-only field gets its message', () => {
    const a = preset('petr-upstream');
    const r = underPolicy(a, 'hybrid-rfc-2025');
    if (!r.ok) throw new Error(r.errors.join('\n'));
    expect(r.scenario.kernel.policy).toBe('hybrid-rfc-2025');
    expect(r.scenario.script).toEqual(a.script);
    expect(r.scenario.title).toBe(`${a.title} (policy hybrid-rfc-2025)`);
    const refused = underPolicy(preset('petr-hybrid'), 'upstream');
    expect(refused.ok).toBe(false);
    if (!refused.ok) expect(refused.errors.join('\n')).toContain('only kernel.policy "hybrid-rfc-2025" has a replaceable attribute');
  });

  it('offered again without the fields the other policy does not have, as the chapters measure it; the title says which', () => {
    const hybrid = preset('petr-hybrid');
    const up = underPolicy(hybrid, 'upstream', true);
    if (!up.ok) throw new Error(up.errors.join('\n'));
    expect(up.scenario.kernel.policy).toBe('upstream');
    expect(up.scenario.title).toBe(`${hybrid.title} (policy upstream, without replaceable)`);
    expect(up.scenario.modules.some((m) => typeof m !== 'string' && m.replaceable !== undefined)).toBe(false);
    expect(up.scenario.script).toEqual(hybrid.script);
    const sets = underPolicy(hybrid, 'replace-set-2026', true);
    if (!sets.ok) throw new Error(sets.errors.join('\n'));
    expect(sets.scenario.title).toBe(`${hybrid.title} (policy replace-set-2026, without replaceable, replace)`);
    // Nothing to drop: the title is the plain one.
    const plain = underPolicy(preset('petr-upstream'), 'hybrid-rfc-2025', true);
    expect(plain.ok && plain.scenario.title).toBe(`${preset('petr-upstream').title} (policy hybrid-rfc-2025)`);
  });

  it("B runs on A's seed", () => {
    const a = { ...preset('petr-hybrid'), seed: 99 };
    const b = preset('petr-replace-set');
    expect(onSeedOf(a, b)).toEqual({ ...b, seed: 99 });
    expect(onSeedOf(b, b)).toBe(b);
  });
});

describe('LinkedCursor', () => {
  const open: EnginePort[] = [];
  afterEach(() => {
    for (const p of open.splice(0)) p.close();
  });
  const port = (s: Scenario) => {
    const p = inProcessPort(new EngineHost(sessionSourceOf(s)));
    open.push(p);
    return p;
  };
  const now = (p: EnginePort) => p.piece('cursor').now;

  it('a seek moves both; a step of A, forward or back, brings B to the same time', () => {
    const a = port(preset('petr-hybrid'));
    const b = port(preset('petr-replace-set'));
    const link = new LinkedCursor(a, b);
    link.send({ type: 'SEEK', time: 7_710_000 });
    expect([now(a), now(b)]).toEqual([7_710_000, 7_710_000]);
    expect(link.now()).toBe(7_710_000);
    for (let i = 0; i < 5; i++) link.send({ type: 'STEP_FORWARD' });
    expect(now(a)).toBeGreaterThan(7_710_000);
    expect(now(b)).toBe(now(a));
    const ahead = now(a);
    link.send({ type: 'STEP_BACK' });
    expect(now(a)).toBeLessThan(ahead);
    expect(now(b)).toBe(now(a));
    // Under hybrid lp3 finished; under replace sets lp2 never loaded: the two logs differ.
    expect(a.log().length).not.toBe(b.log().length);
    link.close();
    a.playback.send({ type: 'SEEK', time: 12_000_000 });
    expect(now(b)).not.toBe(12_000_000);
  });
});
