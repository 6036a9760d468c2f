// The chapters are data (src/ui/chapters/chapterData.ts) read by one stepper machine.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createActor } from 'xstate';
import { describe, expect, it } from 'vitest';
import { CHAPTERS, chapterById } from '../../../../src/ui/chapters/chapterData';
import { chapterMachine } from '../../../../src/ui/chapters/chapterMachine';
import { measurePolicies } from '../../../../src/ui/chapters/measure';
import { PANEL_IDS } from '../../../../src/ui/layout/layoutModel';
import { parseScenarioText } from '../../../../src/scenario/document';

const ROOT = join(__dirname, '..', '..', '..', '..');

describe('chapters', () => {
  it('has the chapters issue 9 lists, each step on a shipped preset and a panel that exists', () => {
    expect(CHAPTERS.filter((c) => c.id.startsWith('debate-'))).toHaveLength(5);
    for (const id of ['reach-every-task', 'stuck', 'atomic-replace', 'many-patches', 'operator']) expect(chapterById(id), id).toBeDefined();
    expect(new Set(CHAPTERS.map((c) => c.id)).size).toBe(CHAPTERS.length);
    for (const c of CHAPTERS) {
      expect(c.steps.length, c.id).toBeGreaterThan(0);
      for (const s of c.steps) {
        expect(existsSync(join(ROOT, 'public/scenarios', `${s.preset}.json`)), `${c.id}: ${s.preset}`).toBe(true);
        expect(PANEL_IDS, `${c.id}: ${s.view}`).toContain(s.view);
        expect(s.at).toBeGreaterThan(4);
      }
      // Every step but a measured answer names the kernel function at work, with its key lines.
      for (const s of c.steps) if (!s.measure) expect(s.fn?.lines.length, `${c.id}: ${s.text.slice(0, 40)}`).toBeGreaterThan(0);
      // Each debate chapter ends with the measured answer, not an opinion.
      if (c.id.startsWith('debate-')) expect(c.steps[c.steps.length - 1].measure, c.id).toBe(true);
    }
  });

  it('steps forward and back within the chapter, and a link past the end opens its last step', () => {
    const a = createActor(chapterMachine).start();
    a.send({ type: 'NEXT' });
    expect(a.getSnapshot().value).toBe('closed');
    a.send({ type: 'START', chapter: 'stuck', step: 0, count: 3 });
    a.send({ type: 'BACK' });
    expect(a.getSnapshot().context.step).toBe(0);
    a.send({ type: 'NEXT' });
    a.send({ type: 'NEXT' });
    a.send({ type: 'NEXT' });
    expect(a.getSnapshot().context.step).toBe(2);
    a.send({ type: 'BACK' });
    expect(a.getSnapshot().context.step).toBe(1);
    a.send({ type: 'START', chapter: 'stuck', step: 99, count: 3 });
    expect(a.getSnapshot().context.step).toBe(2);
    a.send({ type: 'CLOSE' });
    expect(a.getSnapshot().value).toBe('closed');
  });

  it("measures Petr's counter-example: a never-shipped universe and a mass switch only under the hybrid RFC", () => {
    const r = parseScenarioText(readFileSync(join(ROOT, 'public/scenarios/petr-hybrid.json'), 'utf8'));
    if (!r.ok) throw new Error(r.errors[0]);
    const m = new Map(measurePolicies(r.scenario).map((x) => [x.policy, x]));
    expect(m.get('hybrid-rfc-2025')).toMatchObject({ neverShipped: 1, massSwitches: 1, transitions: 3 });
    expect(m.get('upstream')).toMatchObject({ neverShipped: 0, massSwitches: 0, tasksAffected: 0 });
  });

  it('says where a script stopped early under a policy and counts that line as failed (replace-sets-offband: under upstream the refused loads succeed and the helper dies)', () => {
    const r = parseScenarioText(readFileSync(join(ROOT, 'public/scenarios/replace-sets-offband.json'), 'utf8'));
    if (!r.ok) throw new Error(r.errors[0]);
    const m = new Map(measurePolicies(r.scenario).map((x) => [x.policy, x]));
    expect(m.get('replace-set-2026')).toMatchObject({ stopped: null, failedLines: 0 });
    expect(m.get('upstream')?.stopped).toMatch(/^line 4 \(load_failing_mod offband_funca\): .*offband_funca unexpectedly loaded/);
    expect(m.get('upstream')?.failedLines).toBe(1);
  });
});
