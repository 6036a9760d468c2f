// The Consistency view's data (src/engine/select/consistencyModel.ts): universes, violations
// and owners as the analysis (src/analysis/) and stack_order give them, from a Session.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { analysisOf } from '../../../../src/analysis/registry';
import { violationsOf } from '../../../../src/analysis/report';
import { ORIGINAL } from '../../../../src/analysis/universe';
import { consistencyModel } from '../../../../src/engine/select/consistencyModel';
import { Session } from '../../../../src/engine/session';
import { sessionSourceOf } from '../../../../src/scenario/build';
import { parseScenarioText } from '../../../../src/scenario/document';

const ROOT = join(__dirname, '..', '..', '..', '..');

function session(file: string): Session {
  const r = parseScenarioText(readFileSync(join(ROOT, 'public', 'scenarios', file), 'utf8'));
  if (!r.ok) throw new Error(r.errors.join('\n'));
  return new Session(sessionSourceOf(r.scenario));
}

describe('consistencyModel', () => {
  it('gives one row per universe of the analysis, owners by stack_order beside the truth, and kpatch list', () => {
    const s = session('parallel-stack-order.json');
    s.seek(s.start + 60_000_000);
    const d = consistencyModel(s)!;
    const a = analysisOf(s.sim)!;
    expect(d.universes.map((u) => u.id)).toEqual(a.universes.map((u) => u.id));
    expect(d.functions).toEqual([...a.functions.names]);
    for (const u of d.universes) expect(u.impl).toHaveLength(d.functions.length);
    expect(d.classUniverse).toHaveLength(3);
    const patches = s.sim.kernel.klpPatches.map((p) => p.name);
    expect(d.stackOrder.map((o) => o.patch)).toEqual(patches);
    expect(d.kpatchList[0]).toBe('Loaded patch modules:');
    expect(d.kpatchList.slice(1)).toEqual(s.sim.kernel.klpPatches.map((p) => `${p.name} [${p.enabled ? 'enabled' : 'disabled'}]`));
    for (const o of d.owners) {
      expect(o.differs).toBe(o.truth !== o.byStackOrder);
      expect([ORIGINAL, ...patches]).toContain(o.byStackOrder);
    }
    expect(d.universes.length).toBeGreaterThan(1);
    expect(d.violations.map((v) => v.kind)).toEqual(violationsOf(a).map((v) => v.kind));
  });
});
