import { describe, expect, it } from 'vitest';
import { defaultScenario } from '../../../src/scenario/defaultScenario';
import { encodeScenarioUrl } from '../../../src/scenario/url';
import { currentScenario, initialScenario, savedCopy } from '../../../src/ui/scenarioStore';

describe('which scenario the page opens', () => {
  const mine = { ...defaultScenario(), title: 'mine', script: ['load_lp test_klp_livepatch'] };

  it('a shared link wins over the saved copy, with its cursor', () => {
    const r = initialScenario(encodeScenarioUrl(mine, 9_000_000), savedCopy(defaultScenario(), 1));
    expect(r).toMatchObject({ from: 'link', cursorUs: 9_000_000 });
    expect(r.scenario.title).toBe('mine');
    expect(r.notice).toBeUndefined();
  });

  it('a broken link gives the default scenario and says why', () => {
    const r = initialScenario('#s=1.@@@', null);
    expect(r.from).toBe('default');
    expect(r.scenario.title).toBe(defaultScenario().title);
    expect(r.notice).toMatch(/^This link could not be opened \(link: .+\); showing the default scenario instead\.$/);
  });

  it('a markup title from a link stays text', () => {
    const r = initialScenario(encodeScenarioUrl({ ...mine, title: '<img src=x onerror=alert(1)>' }), null);
    expect(r.scenario.title).toBe('<img src=x onerror=alert(1)>');
  });

  it('without a link the saved copy comes back, typed commands and cursor included', () => {
    const typed = currentScenario(mine, [...mine.script, 'at 3s: cat /sys/kernel/livepatch/test_klp_livepatch/enabled']);
    const r = initialScenario('', savedCopy(typed, 7_500_000));
    expect(r).toMatchObject({ from: 'saved', cursorUs: 7_500_000 });
    expect(r.scenario.script).toEqual(typed.script);
  });

  it('a damaged saved copy gives the default scenario and says why', () => {
    expect(initialScenario('', '{"document": {"format": "nope"}}').notice).toBe(
      'Your saved scenario could not be restored (the saved scenario is invalid: version: missing (a scenario document needs format, version)); it is kept in this browser, and you can download it. Showing the default scenario instead.',
    );
    expect(initialScenario('', 'not json').notice).toContain('not valid JSON');
  });

  it('with neither, the default scenario', () => {
    const r = initialScenario('', null);
    expect(r.from).toBe('default');
    expect(r.notice).toBeUndefined();
  });
});
