// The sim command line (src/cli/sim.ts) on scenario documents: --until stops at a virtual
// time, --summary reports the transition, what blocks it and why, and a bad document exits 1
// with the field named.

import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { HEAD } from './scenarioFixtures';

const ROOT = join(__dirname, '..', '..');
const dir = mkdtempSync(join(tmpdir(), 'sim-cli-'));

function sim(doc: unknown, ...args: string[]) {
  const file = join(dir, `s${Math.abs(JSON.stringify(doc).length)}-${args.join('_').replace(/\W/g, '')}.json`);
  writeFileSync(file, typeof doc === 'string' ? doc : JSON.stringify(doc));
  const r = spawnSync(process.execPath, [join(ROOT, 'node_modules', 'tsx', 'dist', 'cli.mjs'), join(ROOT, 'src', 'cli', 'sim.ts'), file, ...args], { encoding: 'utf8', cwd: ROOT });
  return { status: r.status, out: r.stdout.trimEnd().split('\n'), err: r.stderr.trim(), file };
}

const STUCK = {
  ...HEAD,
  modules: [
    { name: 'stuckmod', functions: [{ name: 'stuck_loop', loop: true, body: [{ sleep: { us: 20000, sched: 'uninterruptible' } }] }], kthreads: [{ comm: 'stuckd', fn: 'stuck_loop' }] },
    { name: 'lp_stuck', livepatch: true, functions: [{ name: 'lp_stuck_loop' }], objects: [{ name: 'stuckmod', funcs: [{ oldName: 'stuck_loop', newFunc: 'lp_stuck_loop' }] }] },
  ],
  script: ['load_mod stuckmod', 'load_lp_nowait lp_stuck', 'at 20s: disable_lp lp_stuck'],
};

describe('sim on scenario documents', () => {
  it('--until stops at that virtual time with the transition still running; --summary says why', () => {
    const r = sim(STUCK, '--until', '20s', '--summary');
    expect(r.status).toBe(0);
    expect(r.err).toBe('sim: stopped at 20s (--until) before the script ended');
    const i = r.out.indexOf('--- summary ---');
    const log = r.out.slice(0, i);
    expect(Number(/^\[\s*([\d.]+)\]/.exec(log[log.length - 1])?.[1])).toBeLessThanOrEqual(20);
    const pid = /stuckd:(\d+)/.exec(r.out.join('\n'));
    expect(r.out.slice(i)).toEqual([
      '--- summary ---',
      'time: 20s',
      'transition: still patching lp_stuck after 17 attempts (started at 4.21437s)',
      'attempts: 17',
      'signals: 1 round, 1 task signalled',
      'pending: 1 task',
      `  sleeping on function stuck_loop, uninterruptible: 1 (stuckd:${pid?.[1] ?? '?'})`,
      'warnings: 0 WARN, 0 BUG, 0 Oops',
    ]);
    expect(log).toContain('[   19.000000] livepatch: signaling remaining tasks');
  });

  it('--summary after the whole script: the reversed transition and when it completed', () => {
    const r = sim(STUCK, '--summary', '--no-timestamps');
    expect(r.status).toBe(0);
    const i = r.out.indexOf('--- summary ---');
    expect(r.out.slice(i)).toEqual([
      '--- summary ---',
      'time: 26.01357s',
      'transition: patching lp_stuck reversed at 24.21357s, unpatching complete at 26s after 23 attempts',
      'attempts: 23',
      'signals: 1 round, 1 task signalled',
      'warnings: 0 WARN, 0 BUG, 0 Oops',
    ]);
  });

  it('a completed transition on a case file', () => {
    const r = sim({ id: 'x', title: 't', source: 's', script: ['load_lp test_klp_livepatch'], expectedLog: [] }, '--summary');
    expect(r.status).toBe(0);
    expect(r.out.slice(r.out.indexOf('--- summary ---') + 2, -1)).toEqual(['transition: patching test_klp_livepatch complete at 5s after 2 attempts', 'attempts: 2', 'signals: 0 rounds, 0 tasks signalled']);
  });

  it('a bad document exits 1 and names the file and the field', () => {
    const r = sim({ ...HEAD, kernel: { hz: 200 } });
    expect(r.status).toBe(1);
    expect(r.err).toBe(`sim: ${r.file}: kernel.hz: expected one of 100, 250, 300, 1000, got 200`);
    expect(r.out).toEqual(['']);
  });

  it('a bad --until exits 2 with what was expected', () => {
    expect(sim(HEAD, '--until', 'soon').err).toBe("sim: --until expects a virtual time such as 30s, 1500ms or 2.5s, got 'soon'");
    const early = sim(HEAD, '--until', '1s');
    expect(early.status).toBe(2);
    expect(early.err).toBe('sim: --until 1s is before the script starts (the machine has booted at 4.21357s)');
  });
});
