// Issue 10 §4: the selected task and the expanded panel travel in the shared link.
import { describe, expect, it } from 'vitest';
import { defaultScenario } from '../../../src/scenario/defaultScenario';
import { decodeScenarioUrl, encodeScenarioUrl } from '../../../src/scenario/url';
import { initialScenario } from '../../../src/ui/scenarioStore';

describe('link: selected task and expanded panel', () => {
  it('round-trips task=<slot> and view=<panel>', () => {
    const hash = encodeScenarioUrl(defaultScenario(), 5_000_000, { task: 42, view: 'timeline' });
    expect(hash).toMatch(/&t=5000000&task=42&view=timeline$/);
    const r = decodeScenarioUrl(hash);
    expect(r.ok && [r.cursorUs, r.task, r.view]).toEqual([5_000_000, 42, 'timeline']);
    expect(initialScenario(hash, null).look).toEqual({ task: 42, view: 'timeline' });
  });

  it('leaves them out when there is nothing to keep, and old links still open', () => {
    const hash = encodeScenarioUrl(defaultScenario(), 1);
    expect(hash).not.toContain('task=');
    expect(hash).not.toContain('view=');
    const r = decodeScenarioUrl(hash);
    expect(r.ok && [r.task, r.view]).toEqual([undefined, undefined]);
  });

  it('leaves out a malformed time, task or view with a message, and still opens the scenario', () => {
    const good = encodeScenarioUrl(defaultScenario(), 1, { task: 7, view: 'timeline' });
    const base = encodeScenarioUrl(defaultScenario());
    for (const [extra, message, kept] of [
      ['&t=5&task=-1', "the task part is malformed (expected task=<slot>, a whole number), got 'task=-1'", { cursorUs: 5, task: undefined, view: undefined }],
      ['&task=1e3&view=timeline', 'the task part is malformed', { cursorUs: undefined, task: undefined, view: 'timeline' }],
      ['&view=Time%20line', "the view part is malformed (expected view=<panel name>), got 'view=Time%20line'", { cursorUs: undefined, task: undefined, view: undefined }],
      ['&view=__proto__&task=3', 'the view part is malformed', { cursorUs: undefined, task: 3, view: undefined }],
      ['&t=-5&task=2', "the time part is malformed (expected t=<microseconds>, a whole number), got 't=-5'", { cursorUs: undefined, task: 2, view: undefined }],
    ] as const) {
      const r = decodeScenarioUrl(base + extra);
      expect(r.ok).toBe(true);
      if (!r.ok) continue;
      expect(r.scenario).toEqual(defaultScenario());
      expect(r.dropped).toHaveLength(1);
      expect(r.dropped[0]).toContain(message);
      expect({ cursorUs: r.cursorUs, task: r.task, view: r.view }).toEqual(kept);
      const page = initialScenario(base + extra, null);
      expect(page.from).toBe('link');
      expect(page.notice).toContain(`Part of this link was left out (link: ${message}`);
    }
    const ok = decodeScenarioUrl(good);
    expect(ok.ok && ok.dropped).toEqual([]);
    expect(initialScenario(good, null).notice).toBeUndefined();
  });

  it('refuses a part given twice, changing nothing', () => {
    const r = decodeScenarioUrl(`${encodeScenarioUrl(defaultScenario(), 1)}&task=1&task=2`);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.errors[0]).toContain("'task=' appears twice");
  });
});
