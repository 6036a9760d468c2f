// Issue 10 §1: a command typed while the shell still runs the script's own long line (a
// `sleep 16`, a `wait_*` helper) runs at the cursor, now: the running line gets Ctrl-C at the
// typed line's time (src/engine/runner.ts), on the page, in the worker and in the CLI alike.

import { describe, expect, it } from 'vitest';
import { EngineHost } from '../../../src/engine/host';
import { INTERRUPTED } from '../../../src/engine/runner';
import { Session } from '../../../src/engine/session';
import { Simulation } from '../../../src/engine/simulation';
import { parseScript } from '../../../src/scenario/script';
import { runScript } from '../../support/helpers';

const CAT = 'cat /sys/kernel/livepatch/test_klp_callbacks_demo/transition';
const LOAD = ['load_mod test_klp_callbacks_busy block_transition=Y', 'load_lp_nowait test_klp_callbacks_demo'];

/** The default scenario's machine; at 5 s the shell is 3 s into the script's `sleep 16`. */
function source(script: string[]) {
  return { title: 'busy shell', build: () => new Simulation(), script };
}
const SLEEPING = [...LOAD, 'sleep 16', 'disable_lp test_klp_callbacks_demo', 'unload_lp test_klp_callbacks_demo'];

function runTo(s: Session, index: number): void {
  for (let i = 0; i < 100_000 && !s.runs[index]?.result; i++) s.stepEvent();
}

describe('a command typed while the shell is busy with the script’s line', () => {
  it('interrupts the running `sleep 16` (^C, status 130) and runs now; the later lines are forked away', () => {
    const s = new Session(source(SLEEPING));
    s.advanceTo(s.start + 5_000_000);
    expect(s.runs[2].index).toBe(2);
    expect(s.runs[2].end).toBeUndefined();
    const r = s.command(CAT);
    expect(r).toEqual({ ok: true, forked: true, index: 3 });
    expect(s.lastFork).toEqual({ time: s.start + 5_000_000, dropped: 2 });
    runTo(s, 3);
    expect(s.runs[2]).toMatchObject({ end: s.start + 5_000_000, result: INTERRUPTED });
    expect(s.runs[3]).toMatchObject({ index: 3, start: s.start + 5_000_000, result: { out: ['1'], status: 0 } });
    expect(s.sim.shell.lastStatus).toBe(0);
    // The sleep's child was killed by the SIGINT: nothing is left on the terminal but bash.
    expect([...s.sim.shell.ttySlots]).toEqual([s.sim.shell.slot]);
  });

  it('…with the script kept, the lines after the interrupted one follow the typed line', () => {
    const s = new Session(source(SLEEPING));
    s.advanceTo(s.start + 5_000_000);
    expect(s.command('echo $?', { keepScript: true })).toEqual({ ok: true, forked: false, index: 3 });
    s.advanceTo(s.start + 60_000_000);
    expect(s.runs.map((x) => x.index)).toEqual([0, 1, 2, 3, 4, 5]);
    expect(s.runs[2].result).toEqual(INTERRUPTED);
    // bash's $? after a foreground command ended by SIGINT.
    expect(s.runs[3].result?.out).toEqual(['130']);
    expect(s.runs[4].start).toBe(s.start + 5_000_000);
    expect(s.sim.dmesg().join('\n')).toContain('unpatching complete');
  });

  it('interrupts a `wait_sysfs` helper polling a transition that cannot finish', () => {
    const s = new Session(source([...LOAD, 'wait_sysfs /sys/kernel/livepatch/test_klp_callbacks_demo/transition 0', 'echo never']));
    s.advanceTo(s.start + 7_000_000);
    expect(s.runs[2].end).toBeUndefined();
    s.command(CAT);
    runTo(s, 3);
    expect(s.runs[2]).toMatchObject({ end: s.start + 7_000_000, result: INTERRUPTED });
    expect(s.runs[3]).toMatchObject({ start: s.start + 7_000_000, result: { out: ['1'] } });
  });

  it('the interruption replays: a seek back and forward again gives the same runs and log', () => {
    const s = new Session(source(SLEEPING));
    s.advanceTo(s.start + 5_000_000);
    s.command(CAT);
    s.advanceTo(s.start + 30_000_000);
    const runs = JSON.stringify(s.runs);
    const log = s.sim.dmesg();
    s.seek(s.start + 1_000_000);
    s.seek(s.start + 30_000_000);
    expect(JSON.stringify(s.runs)).toBe(runs);
    expect(s.sim.dmesg()).toEqual(log);
  });

  it('the host answers at once while paused: the typed line has ended when command() returns', () => {
    const host = new EngineHost(source(SLEEPING));
    host.session.advanceTo(host.session.start + 5_000_000);
    const r = host.command(CAT);
    expect(r.ok).toBe(true);
    const runs = host.session.runs;
    expect(runs[3]).toMatchObject({ start: host.session.start + 5_000_000, result: { out: ['1'] } });
    expect(runs[3].end).toBeDefined();
    host.close();
  });

  it('the CLI reads the same rule from a script: a timed line due while `sleep 16` runs interrupts it', () => {
    const sim = new Simulation();
    const r = runScript(sim, ['sleep 16', 'at 2s: echo $?', 'echo done']);
    expect(r.outcomes.map((o) => [o.result.status, o.result.out, o.result.err])).toEqual([
      [130, [], ['^C']],
      [0, ['130'], []],
      [0, ['done'], []],
    ]);
  });

  it('a timed line due after the running line has ended interrupts nothing', () => {
    const sim = new Simulation();
    const r = runScript(sim, ['sleep 1', 'at 2s: echo $?']);
    expect(r.outcomes.map((o) => o.result.out)).toEqual([[], ['0']]);
  });

  it.each([
    ['fork', false],
    ['keep', true],
  ])('issue 11 §4: the script after a typed line (%s) still validates, its times never going backwards, at every kind of moment', (_, keepScript) => {
    const script = [...LOAD, 'at 3s: echo a', 'sleep 16', 'at 30s: echo b', 'echo c'];
    // During a line, while the shell waits for `at 3s`, during the sleep, and at the prompt after it all.
    for (const t of [500, 2_000_000, 9_000_000, 40_000_000]) {
      const s = new Session(source(script));
      s.advanceTo(s.start + t);
      expect(s.command('echo typed', { keepScript }).ok).toBe(true);
      expect(parseScript(s.entries).ok).toBe(true);
      s.advanceTo(s.start + 60_000_000);
      expect(s.runs.some((r) => r.result?.out.includes('typed'))).toBe(true);
    }
  });
});
