import { describe, expect, it } from 'vitest';
import { parseScript } from '../../../src/scenario/script';
import { Reason } from '../../../src/engine/blockers';
import { Session } from '../../../src/engine/session';
import { Simulation } from '../../../src/engine/simulation';
import { machineSource } from '../../../src/engine/host';
import { DEFAULT_SCENARIO_DOCUMENT as DEFAULT_SCENARIO } from '../../../src/scenario/defaultScenario';
import { runToEnd } from '../../support/helpers';

const source = { title: DEFAULT_SCENARIO.title, build: () => new Simulation(), script: DEFAULT_SCENARIO.script };

function reference(): string[] {
  const sim = new Simulation();
  runToEnd(sim, [...DEFAULT_SCENARIO.script]);
  return sim.dmesg();
}

describe('Session: the explorer’s replayable run', () => {
  it('plays the script to the same transcript as the runner', () => {
    const s = new Session(source);
    s.advanceTo(s.start + 60_000_000);
    expect(s.sim.dmesg()).toEqual(reference());
    expect(s.runs.map((r) => r.result?.status)).toEqual([0, 0, 0, 0, 0, 0, 0]);
  });

  it('counts the kworker sleeping in busymod_work_func as an uninterruptible blocker', () => {
    const s = new Session(source);
    s.advanceTo(s.start + 10_000_000);
    const c = s.classify();
    expect(c.counts[Reason.UNINTERRUPTIBLE]).toBe(1);
    const slot = [...c.reason.subarray(0, c.n)].indexOf(Reason.UNINTERRUPTIBLE);
    expect(c.funcNames[c.func[slot]]).toBe('busymod_work_func');
    expect(s.markers.some((m) => m.kind === 'attempt')).toBe(true);
  });

  it('seeking back replays to the same state; a command there forks the future', () => {
    const s = new Session(source);
    s.advanceTo(s.start + 60_000_000);
    const full = s.sim.dmesg();
    s.seek(s.start + 3_000_000);
    const at3 = s.sim.dmesg();
    expect(full.slice(0, at3.length)).toEqual(at3);
    expect(s.head).toBeGreaterThanOrEqual(s.start + 60_000_000);
    const r = s.command('echo 1 > /sys/kernel/livepatch/test_klp_callbacks_demo/force');
    expect(r).toMatchObject({ ok: true, forked: true });
    expect(s.markers.at(-1)?.kind).toBe('fork');
    s.advanceTo(s.start + 30_000_000);
    expect(s.sim.dmesg().join('\n')).toContain('livepatch: \'test_klp_callbacks_demo\': patching complete');
    expect(s.entries).not.toContain('disable_lp test_klp_callbacks_demo');
  });

  it('runs headless to the end of the script (runToEnd): the transcript of a played session, no view recording, one outcome per command line', () => {
    const played = new Session(source);
    played.advanceTo(played.start + 60_000_000);
    const s = new Session(source, { record: false });
    const out = s.runToEnd();
    expect(out.died).toBeUndefined();
    expect(out.budget).toBeUndefined();
    expect(out.outcomes.map((o) => o.line.text)).toEqual(DEFAULT_SCENARIO.script.filter((l) => l.trim() && !l.trim().startsWith('#')));
    expect(s.sim.dmesg()).toEqual(played.sim.dmesg().slice(0, s.sim.dmesg().length));
    expect(s.samples).toEqual([]);
    expect(s.markers).toEqual([]);
    expect(s.coreSteps.size).toBe(0);
    expect(played.samples.length).toBeGreaterThan(1);
  });

  it('runToEnd stops at `until` with stoppedAt, and runs on from there when called again', () => {
    const s = new Session(source, { record: false });
    const until = s.start + 2_000_000;
    const first = s.runToEnd({ until });
    expect(first.stoppedAt).toBe(until);
    expect(s.now).toBe(until);
    const rest = s.runToEnd();
    expect(rest.stoppedAt).toBeUndefined();
    expect(s.runs.every((r) => r.end !== undefined)).toBe(true);
    expect(s.sim.dmesg()).toEqual(reference());
  });

  it('reads the parse its source carries, on the first run and on every replay from boot (it never parses the script again)', () => {
    const given = parseScript(['echo from-the-parse']);
    if (!given.ok) throw new Error(given.errors.join('\n'));
    // The text says otherwise: only a Session that parsed `script` again would print it.
    const s = new Session({ title: 't', build: () => new Simulation(), script: ['echo from-the-text'], parsed: given.entries });
    s.advanceTo(s.start + 1_000_000);
    expect(s.runs[0].result?.out).toEqual(['from-the-parse']);
    s.seek(s.start);
    s.advanceTo(s.start + 1_000_000);
    expect(s.runs[0].result?.out).toEqual(['from-the-parse']);
  });

  it('a machine built by hand runs headless but cannot be replayed from boot: a backward seek says so', () => {
    const sim = new Simulation();
    const s = new Session(machineSource(sim, 'by hand'), { record: false });
    const p = parseScript(['sleep 1']);
    if (!p.ok) throw new Error(p.errors.join('\n'));
    expect(s.runToEnd({ lines: p.lines }).outcomes).toHaveLength(1);
    expect(s.sim).toBe(sim);
    expect(() => s.seek(s.start)).toThrow("'by hand' was built by hand: it runs on from where it is and cannot be replayed from boot");
  });

  it('rejects a bad command without changing the script', () => {
    const s = new Session(source);
    const before = s.entries.length;
    expect(s.command('frobnicate now')).toMatchObject({ ok: false });
    expect(s.entries.length).toBe(before);
  });

  it('a long backward seek replays in slices while the views keep the current machine', () => {
    const s = new Session(source);
    s.advanceTo(s.start + 30_000_000);
    const shown = s.sim;
    expect(s.seek(s.start + 20_000_000, () => true)).toBe(false);
    expect(s.sim).toBe(shown);
    expect(s.now).toBe(s.start + 30_000_000);
    expect(s.seekProgress).toBeLessThan(1);
    expect(s.command('cat /sys/kernel/livepatch/test_klp_callbacks_demo/enabled')).toMatchObject({ ok: false });
    while (!s.continueSeek(() => true));
    expect(s.sim).not.toBe(shown);
    expect(s.now).toBe(s.start + 20_000_000);
    expect(s.seekProgress).toBe(1);
  });

  it('a command typed in the past runs at once, though the shell was waiting for a later typed line the fork dropped', () => {
    const s = new Session(source);
    s.advanceTo(s.start + 60_000_000);
    expect(s.command('lsmod')).toMatchObject({ ok: true, forked: false });
    s.advanceTo(s.now + 1_000_000);
    s.seek(s.start + 30_000_000);
    expect(s.command('cat /sys/kernel/livepatch/nonexistent/enabled')).toMatchObject({ ok: true, forked: true });
    s.advanceTo(s.start + 31_000_000);
    const run = s.runs.find((r) => r.index === 7);
    expect(run?.start).toBe(s.start + 30_000_000);
    expect(run?.result?.err).toEqual(['cat: /sys/kernel/livepatch/nonexistent/enabled: No such file or directory']);
    const live = s.sim.dmesg();
    s.seek(s.start + 29_000_000);
    s.advanceTo(s.start + 31_000_000);
    expect(s.sim.dmesg()).toEqual(live);
  });

  /** The default scenario with its wait as a timed line: at 5 s the shell waits for 'at 16s'. */
  const timed = {
    ...source,
    script: [
      'load_mod test_klp_callbacks_busy block_transition=Y',
      'load_lp_nowait test_klp_callbacks_demo',
      'at 16s: disable_lp test_klp_callbacks_demo',
      'unload_lp test_klp_callbacks_demo',
      'unload_mod test_klp_callbacks_busy',
    ],
  };
  const CAT = 'cat /sys/kernel/livepatch/test_klp_callbacks_demo/transition';

  it('a command typed at a paused moment with script lines ahead runs now and forks the script away, with the fork notice', () => {
    const s = new Session(timed);
    s.advanceTo(s.start + 5_000_000);
    expect(s.runs).toHaveLength(2);
    const r = s.command(CAT);
    expect(r).toEqual({ ok: true, forked: true, index: 2 });
    expect(s.lastFork).toEqual({ time: s.start + 5_000_000, dropped: 3 });
    expect(s.markers.at(-1)).toMatchObject({ kind: 'fork', label: 'timeline forked: 3 later commands dropped' });
    expect(s.entries.slice(2)).toEqual([`at 5s: ${CAT}`]);
    while (!s.runs[2]?.result) s.stepEvent();
    expect(s.runs[2]).toMatchObject({ index: 2, start: s.start + 5_000_000, result: { out: ['1'] } });
  });

  it('…or, when the user keeps the script, runs now and the script’s later lines follow it', () => {
    const s = new Session(timed);
    s.advanceTo(s.start + 5_000_000);
    const r = s.command(CAT, { keepScript: true });
    expect(r).toEqual({ ok: true, forked: false, index: 2 });
    expect(s.entries).toEqual([...timed.script.slice(0, 2), `at 5s: ${CAT}`, ...timed.script.slice(2)]);
    while (!s.runs[2]?.result) s.stepEvent();
    expect(s.runs[2]).toMatchObject({ index: 2, start: s.start + 5_000_000, result: { out: ['1'] } });
    s.advanceTo(s.start + 60_000_000);
    // The script ran on after it, at its own times.
    expect(s.runs.map((x) => x.index)).toEqual([0, 1, 2, 3, 4, 5]);
    expect(s.runs[3].start).toBe(s.start + 16_000_000);
    expect(s.sim.dmesg().join('\n')).toContain('unpatching complete');
  });

  it('…in the past as well: kept, the typed line runs at the cursor and every later line (script or typed) follows; the old future is let go', () => {
    const s = new Session(timed);
    s.advanceTo(s.start + 10_000_000);
    expect(s.command('lsmod', { keepScript: true })).toEqual({ ok: true, forked: false, index: 2 });
    s.advanceTo(s.start + 12_000_000);
    s.seek(s.start + 5_000_000);
    expect(s.head).toBe(s.start + 12_000_000);
    expect(s.command(CAT, { keepScript: true })).toEqual({ ok: true, forked: false, index: 2 });
    expect(s.entries).toEqual([...timed.script.slice(0, 2), `at 5s: ${CAT}`, 'at 10s: lsmod', ...timed.script.slice(2)]);
    expect(s.lastFork).toBeUndefined();
    expect(s.head).toBe(s.start + 5_000_000);
    expect(s.markers.every((m) => m.time <= s.start + 5_000_000)).toBe(true);
    expect(parseScript(s.entries).ok).toBe(true);
    s.advanceTo(s.start + 60_000_000);
    expect(s.runs.map((x) => x.index)).toEqual([0, 1, 2, 3, 4, 5, 6]);
    expect(s.runs[2]).toMatchObject({ start: s.start + 5_000_000, result: { out: ['1'] } });
    expect(s.runs[3].start).toBe(s.start + 10_000_000);
    expect(s.sim.dmesg().join('\n')).toContain('unpatching complete');
  });
});
