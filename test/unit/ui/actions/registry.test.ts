// The UI actions (src/ui/actions/registry.ts): the script line each one types.

import { describe, expect, it } from 'vitest';
import { FORCE, REVERSE, sleepSeconds, uiAction, uiActions, WAIT, WAIT_SIGNALS } from '../../../../src/ui/actions/registry';

describe('UI actions registry', () => {
  it('builds the script line a person would type, and types it', () => {
    expect(REVERSE.line(['lp_x'])).toBe('echo 0 > /sys/kernel/livepatch/lp_x/enabled');
    expect(FORCE.line(['lp_x'])).toBe('echo 1 > /sys/kernel/livepatch/lp_x/force');
    expect(WAIT.line(['1.25'])).toBe('sleep 1.25');
    expect(WAIT_SIGNALS.line(['14'])).toBe('sleep 14');
    const typed: string[] = [];
    REVERSE.run({ type: (l) => typed.push(l) }, ['lp_y']);
    expect(typed).toEqual(['echo 0 > /sys/kernel/livepatch/lp_y/enabled']);
    expect(FORCE.consequences).toMatch(/can never be removed.*plan a reboot/);
  });

  it('lists each action once, with a usage that matches its line', () => {
    const names = uiActions().map((a) => a.name);
    expect(new Set(names).size).toBe(names.length);
    for (const a of uiActions()) {
      expect(uiAction(a.name)).toBe(a);
      const line = a.line(a.args);
      expect(line.replace(/\/sys\/kernel\/livepatch\/PATCH\//, '/sys/kernel/livepatch/PATCH/')).toBe(a.usage);
    }
    expect(() => uiAction('nope')).toThrow("no UI action 'nope'");
  });

  it('writes sleep seconds to the millisecond, rounding up', () => {
    expect(sleepSeconds(786_400)).toBe('0.787');
    expect(sleepSeconds(1_000_000)).toBe('1');
    expect(sleepSeconds(0)).toBe('0.001');
  });
});
