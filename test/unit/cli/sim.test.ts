// The sim command line (src/cli/sim.ts) on scenario documents: --until stops at a virtual
// time, --summary reports the transition, what blocks it and why, and a bad document exits 1
// with the field named.

import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { HEAD } from '../../support/scenarioFixtures';

const ROOT = join(__dirname, '..', '..', '..');
const dir = mkdtempSync(join(tmpdir(), 'sim-cli-'));

function sim(doc: unknown, ...args: string[]) {
  const file = join(dir, `s${Math.abs(JSON.stringify(doc).length)}-${args.join('_').replace(/\W/g, '')}.json`);
  writeFileSync(file, typeof doc === 'string' ? doc : JSON.stringify(doc));
  const r = spawnSync(process.execPath, [join(ROOT, 'src', 'cli', 'run.mjs'), 'sim', file, ...args], { encoding: 'utf8', cwd: ROOT });
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
      'transition: still patching lp_stuck after 16 attempts (started at 4.21437s)',
      'attempts: 16',
      'signals: 1 round, 1 task signalled',
      'pending: 1 task',
      `  sleeping on function stuck_loop, uninterruptible: 1 (stuckd:${pid?.[1] ?? '?'})`,
      'tasklist_lock: read-held by 16 attempt walks, 0.000147s in all; longest 0.000102s at 4.21437s (34 threads checked, 0 debug lines printed); writers delayed: 0',
      'warnings: 0 WARN, 0 BUG, 0 Oops',
    ]);
    // Retries on the jiffies' whole seconds: N.704 s (INITIAL_JIFFIES = 2^32 - 300*HZ).
    expect(log).toContain('[   19.704000] livepatch: signaling remaining tasks');
  });

  it('--summary after the whole script: the reversed transition and when it completed', () => {
    const r = sim(STUCK, '--summary', '--no-timestamps');
    expect(r.status).toBe(0);
    const i = r.out.indexOf('--- summary ---');
    expect(r.out.slice(i)).toEqual([
      '--- summary ---',
      'time: 25.71357s',
      'transition: patching lp_stuck reversed at 24.21357s, unpatching complete at 25.704s after 22 attempts',
      'attempts: 22',
      'signals: 1 round, 1 task signalled',
      'tasklist_lock: read-held by 22 attempt walks, 0.000252s in all; longest 0.000102s at 4.21437s (34 threads checked, 0 debug lines printed); writers delayed: 0',
      'warnings: 0 WARN, 0 BUG, 0 Oops',
    ]);
  });

  it('a completed transition on a case file', () => {
    const r = sim({ id: 'x', title: 't', source: 's', script: ['load_lp test_klp_livepatch'], expectedLog: [] }, '--summary');
    expect(r.status).toBe(0);
    expect(r.out.slice(r.out.indexOf('--- summary ---') + 2)).toEqual([
      'transition: patching test_klp_livepatch complete at 5.704s after 2 attempts',
      'attempts: 2',
      'signals: 0 rounds, 0 tasks signalled',
      // The second attempt found no thread pending: an empty read section.
      'tasklist_lock: read-held by 2 attempt walks, 0.000099s in all; longest 0.000099s at 4.21397s (33 threads checked, 0 debug lines printed); writers delayed: 0',
      'warnings: 0 WARN, 0 BUG, 0 Oops',
    ]);
  });

  it('--summary counts what long walks cost: the lock figures, hard LOCKUP splats and rcu_tasks_wait_gp lines', () => {
    // 12 threads in D state in do_iter_readv_writev, which livepatch_61_release12 patches; each
    // debug line costs 1 s inside the walk, so every walk holds tasklist_lock for 11-12 s while
    // 20 jobs fork and exit behind it; watchdog_thresh 5: an NMI every 5 s, an hrtimer tick every 2 s.
    const doc = {
      ...HEAD,
      kernel: { version: '6.1', dynamicDebug: ['file kernel/livepatch/* +p', 'func klp_try_switch_task +p'], walk: { debugPrintUs: 1_000_000 }, watchdogThresh: 5 },
      tasks: {
        classes: [
          { comm: 'nfs-%d', count: 12, phases: [{ frames: ['entry_SYSCALL_64_after_hwframe', 'do_syscall_64', 'ksys_read', 'vfs_read', 'do_iter_readv_writev', 'schedule'], dwellUs: 600_000_000, sched: 'uninterruptible' }], syscallRatePerS: 1 },
          { comm: 'job-%d', count: 20, phases: [{ frames: ['entry_SYSCALL_64_after_hwframe', 'do_syscall_64', '__x64_sys_futex', 'do_futex', 'futex_wait', 'futex_wait_queue', 'schedule'], dwellUs: 100_000, sched: 'interruptible' }], syscallRatePerS: 20, forkRatePerS: 0.05, exitRatePerS: 0.05 },
        ],
      },
      script: ['insmod livepatch_61_release12.ko', 'sleep 30'],
    };
    const r = sim(doc, '--summary');
    expect(r.status).toBe(0);
    const i = r.out.indexOf('--- summary ---');
    expect(r.out.slice(i)).toEqual([
      '--- summary ---',
      'time: 34.21397s',
      'transition: still patching livepatch_61_release12 after 3 attempts (started at 4.21397s)',
      'attempts: 3',
      'signals: 0 rounds, 0 tasks signalled',
      'pending: 12 tasks',
      '  sleeping on function do_iter_readv_writev, uninterruptible: 12 (nfs-0:1001, nfs-1:1002, nfs-2:1003, ...)',
      'tasklist_lock: read-held by 3 attempt walks, 36.000267s in all, the last one until 42.704036s; longest 12.000195s at 4.21397s (65 threads checked, 12 debug lines printed); writers delayed: 31, longest spin 11.505595s',
      'warnings: 0 WARN, 0 BUG, 0 Oops, 6 hard LOCKUP, 2 rcu_tasks_wait_gp info lines',
    ]);
    const log = r.out.slice(0, i);
    expect(log.filter((l) => l.includes('rcu_tasks_wait_gp'))).toEqual(['[   14.314000] rcu_tasks_wait_gp: rcu_tasks grace period 1 is 10101 jiffies old.', '[   27.805000] rcu_tasks_wait_gp: rcu_tasks grace period 5 is 10101 jiffies old.']);
    expect(log.filter((l) => l.includes('LOCKUP'))[0]).toBe('[   10.000000] NMI watchdog: Watchdog detected hard LOCKUP on cpu 2');
    // Stopped inside the first walk: the summary says until when it holds the lock.
    const early = sim(doc, '--summary', '--until', '10s');
    expect(early.out.slice(-2)).toEqual([
      'tasklist_lock: read-held by 1 attempt walk, 12.000195s in all, the last one until 16.214165s; longest 12.000195s at 4.21397s (65 threads checked, 12 debug lines printed); writers delayed: 11, longest spin 11.505595s',
      'warnings: 0 WARN, 0 BUG, 0 Oops, 2 hard LOCKUP',
    ]);
    // The same document with watchdog_thresh 0: the writers still wait, nobody reports them.
    const off = sim({ ...doc, kernel: { ...doc.kernel, watchdogThresh: 0 } }, '--summary');
    expect(off.out.filter((l) => l.includes('LOCKUP'))).toEqual([]);
    expect(off.out[off.out.length - 1]).toBe('warnings: 0 WARN, 0 BUG, 0 Oops, 2 rcu_tasks_wait_gp info lines');
    // Debug lines that cost nothing: the walks take microseconds, no writer waits long, no message.
    const free = sim({ ...doc, kernel: { ...doc.kernel, walk: { debugPrintUs: 0 } } }, '--summary');
    expect(free.out.filter((l) => l.includes('LOCKUP') || l.includes('rcu_tasks_wait_gp'))).toEqual([]);
    expect(free.out[free.out.length - 1]).toBe('warnings: 0 WARN, 0 BUG, 0 Oops');
  });

  it('`sim FILE | head -1`: the reader gone, sim stops silently with status 141, as `cat` does under SIGPIPE', async () => {
    const child = spawn(process.execPath, [join(ROOT, 'src', 'cli', 'run.mjs'), 'sim', join(ROOT, 'public', 'scenarios', 'long-walk-lockup.json')], { cwd: ROOT });
    let err = '';
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const first = await new Promise<string>((resolve) => child.stdout.once('data', (d: Buffer) => resolve(d.toString())));
    // head -1 has read its line and exits: the pipe's read end is closed.
    child.stdout.destroy();
    const status = await new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    expect(first).toMatch(/^\[\s*\d+\.\d{6}\] /);
    expect(err).toBe('');
    expect(status).toBe(141);
  }, 60_000);

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
