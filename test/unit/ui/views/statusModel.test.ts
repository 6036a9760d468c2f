// The Status panel's data (src/ui/views/statusModel.ts) against `sim --summary`
// (src/engine/summary.ts), the UI-actions registry's lines, and the layout model.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Session } from '../../../../src/engine/session';
import { pendingByReason, warningCounts } from '../../../../src/engine/summary';
import { sessionSourceOf } from '../../../../src/scenario/build';
import { parseScenarioText } from '../../../../src/scenario/document';
import { FORCE, REVERSE, sleepSeconds, uiAction, uiActions, WAIT, WAIT_SIGNALS } from '../../../../src/ui/actions/registry';
import { COLUMNS, defaultLayout, layoutText, MIN_COL, MIN_WEIGHT, parseLayout, PANEL_IDS, resizeColumns, resizePanels, setCollapsed } from '../../../../src/ui/layout/layoutModel';
import { statusOf } from '../../../../src/ui/views/statusModel';

const ROOT = join(__dirname, '..', '..', '..', '..');

function session(file: string): Session {
  const r = parseScenarioText(readFileSync(join(ROOT, 'public', 'scenarios', file), 'utf8'));
  if (!r.ok) throw new Error(r.errors.join('\n'));
  return new Session(sessionSourceOf(r.scenario));
}

describe('Status panel data', () => {
  it('says what sim --summary says about a stuck transition: patch, attempts, pending groups, warnings', () => {
    const s = session('stuck-kthread-force.json');
    s.seek(s.start + 12_000_000);
    const st = statusOf(s);
    const t = st.transition!;
    expect(t).toMatchObject({ patch: 'lp_kthread_v2', direction: 'patching', running: true, forced: false, signalRounds: 0 });
    expect(t.since).toBe(7_721_170); // after v1's retries at N.704 s (issue 12 point 4)
    // The next retry is the armed klp_transition_work: the next attempt happens then.
    expect(t.nextRetry).toBeGreaterThan(s.now);
    s.seek(t.nextRetry!);
    expect(statusOf(s).transition!.attempts).toBe(t.attempts + 1);
    expect(st.history).toEqual(['patching lp_kthread_v1 complete at 5.704s after 2 attempts']);
    const summary = pendingByReason(s.sim.kernel);
    expect(st.pending).toBe(summary.total);
    expect(st.groups.map((g) => [g.reason, g.count])).toEqual(summary.reasons.map((r) => [r.reason, r.count]));
    expect(st.groups[0].examples.map((e) => e.label)).toEqual(summary.reasons[0].examples);
    expect(st.warnings).toEqual(warningCounts(s.sim.kernel));
    expect(st.lock).toMatch(/^tasklist_lock: read-held by \d+ attempt walks/);
  });

  it('counts the fake-signal rounds and the attempts to the next one as klp_send_signals() does', () => {
    const s = session('stuck-kthread-force.json');
    s.seek(s.start + 12_000_000);
    const before = statusOf(s).transition!;
    // Run attempt by attempt until the round comes: exactly `attemptsToSignals` attempts.
    let t = before;
    for (let i = 0; i < before.attemptsToSignals!; i++) {
      s.seek(t.nextRetry!);
      t = statusOf(s).transition!;
    }
    expect(t.signalRounds).toBe(before.signalRounds + 1);
    expect(t.attemptsToSignals).toBe(15);
  });

  it('counts warnings incrementally exactly as the summary does, and reports a completed, forced transition', () => {
    const s = session('stuck-kthread-force.json');
    s.seek(s.start + 40_000_000);
    const st = statusOf(s);
    expect(st.transition).toMatchObject({ patch: 'lp_kthread_v2', running: false, forced: true });
    expect(st.groups).toEqual([]);
    expect(st.warnings).toEqual(warningCounts(s.sim.kernel));
    const crash = session('do-exit-crash.json');
    crash.seek(crash.start + 5_000_000);
    const early = statusOf(crash).warnings;
    crash.seek(crash.start + 30_000_000);
    const w = statusOf(crash).warnings;
    expect(w).toEqual(warningCounts(crash.sim.kernel));
    expect(w.oops).toBeGreaterThan(early.oops);
  });
});

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

describe('layout model', () => {
  it('has every panel in one column, collapsed none, columns summing to 1', () => {
    const d = defaultLayout();
    expect(PANEL_IDS).toHaveLength(new Set(COLUMNS.flat()).size);
    expect(d.cols.reduce((a, b) => a + b, 0)).toBeCloseTo(1);
    expect(PANEL_IDS.every((id) => d.collapsed[id] === false)).toBe(true);
  });

  it('round-trips through local settings and ignores what it did not write', () => {
    let l = resizeColumns(defaultLayout(), 0, 0.1);
    l = resizePanels(l, 'tasks', 'timeline', -0.2);
    l = setCollapsed(l, 'sysfs', true);
    const back = parseLayout(layoutText(l));
    expect(back.cols[0]).toBeCloseTo(l.cols[0], 3);
    expect(back.weights.tasks).toBeCloseTo(l.weights.tasks);
    expect(back.collapsed.sysfs).toBe(true);
    for (const bad of [null, '', '{', '[]', '"x"', '{"cols":[2,0,0]}', '{"weights":{"tasks":-1,"__proto__":{"x":1}},"collapsed":{"log":"yes"}}']) {
      expect(parseLayout(bad)).toEqual(defaultLayout());
    }
    expect(Object.getPrototypeOf(parseLayout('{"weights":{"constructor":3}}').weights)).toBeNull();
  });

  it('keeps columns and panels above their minimum however far a splitter moves', () => {
    const l = resizeColumns(defaultLayout(), 1, 5);
    expect(l.cols[2]).toBeCloseTo(MIN_COL);
    expect(l.cols.reduce((a, b) => a + b, 0)).toBeCloseTo(1);
    const p = resizePanels(defaultLayout(), 'tasks', 'timeline', -5);
    expect(p.weights.tasks).toBeCloseTo(MIN_WEIGHT);
    expect(p.weights.tasks + p.weights.timeline).toBeCloseTo(defaultLayout().weights.tasks + defaultLayout().weights.timeline);
    expect(resizePanels(defaultLayout(), 'tasks', 'nope', 0.1)).toEqual(defaultLayout());
  });
});
