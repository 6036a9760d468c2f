// The Status panel's data (src/engine/select/statusModel.ts) against `sim --summary`
// (src/engine/summary.ts).

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Session } from '../../../../src/engine/session';
import { pendingByReason, warningCounts } from '../../../../src/engine/summary';
import { sessionSourceOf } from '../../../../src/scenario/build';
import { parseScenarioText } from '../../../../src/scenario/document';
import { statusOf } from '../../../../src/engine/select/statusModel';

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
