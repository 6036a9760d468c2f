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

  it('refuses a malformed task or view with a message, changing nothing', () => {
    const base = encodeScenarioUrl(defaultScenario(), 1);
    for (const [extra, message] of [
      ['&task=-1', "the task part is malformed (expected task=<slot>, a whole number), got 'task=-1'"],
      ['&task=1e3', 'the task part is malformed'],
      ['&view=Time%20line', "the view part is malformed (expected view=<panel name>), got 'view=Time%20line'"],
      ['&view=__proto__', 'the view part is malformed'],
      ['&task=1&task=2', "'task=' appears twice"],
    ] as const) {
      const r = decodeScenarioUrl(base + extra);
      expect(r.ok).toBe(false);
      if (!r.ok) expect(r.errors[0]).toContain(message);
    }
  });
});
