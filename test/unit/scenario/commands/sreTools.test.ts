// kpatch and SUSE klp on the model (CONTEXT.md §4): what they print is derived from the
// sysfs and /proc the shell shows, so during a transition they see exactly what the real
// tools see.

import { describe, expect, it } from 'vitest';
import { Simulation } from '../../../../src/engine/simulation';
import { KLP_TRANSITION_IDLE } from '../../../../src/kernel/constants';
import type { CmdResult } from '../../../../src/scenario/commands/registry';
import { runToEnd } from '../../../support/helpers';

const STUCK = ['load_mod test_klp_callbacks_busy block_transition=Y', 'load_lp_nowait test_klp_callbacks_demo', 'sleep 2'];

function run(lines: string[], setup: string[] = STUCK, version = '6.16'): { sim: Simulation; r: CmdResult[] } {
  const sim = new Simulation({ cpus: 4, reliableStacktrace: true, ftraceEnabled: true, version, dynamicDebug: [] });
  const r = runToEnd(sim, [...setup, ...lines]).slice(setup.length).map((o) => o.result);
  return { sim, r };
}

/** The blocked worker's tid and its /proc stack, as cat prints them. */
function blocker(sim: Simulation): { tid: number; comm: string; stack: string[] } {
  const r = runToEnd(sim, ['ps -eo pid,wchan:W,comm | grep msleep'])[0].result;
  const [tid, , comm] = r.out[0].trim().split(/\s+/);
  const stack = runToEnd(sim, [`cat /proc/${tid}/stack`])[0].result.out;
  return { tid: Number(tid), comm, stack };
}

describe('kpatch list', () => {
  it('during a transition: [enabling...], the stalled thread with its stack, the function marked (transition)', () => {
    const { sim, r } = run(['kpatch list']);
    const b = blocker(sim);
    expect(b.comm).toBe('kworker/0:0');
    expect(b.stack[1]).toMatch(/^\[<0>\] busymod_work_func\+0x[0-9a-f]+\/0x[0-9a-f]+ \[test_klp_callbacks_busy\]$/);
    expect(r[0]).toEqual({
      out: [
        'Loaded patch modules:',
        'test_klp_callbacks_demo [enabling...]',
        '',
        'Stalled processes:',
        `${b.tid} kworker/0:0`,
        'stack:',
        ...b.stack,
        '',
        'Currently livepatched functions:',
        'Module                   Object                   Function',
        'test_klp_callbacks_demo  test_klp_callbacks_busy  busymod_work_func,1 (transition)',
        '',
        'Installed patch modules:',
      ],
      err: [],
      status: 0,
    });
  });

  it('after the transition: [enabled], no stalled processes, no (transition)', () => {
    const { sim, r } = run(['kpatch list'], ['load_lp test_klp_livepatch']);
    expect(sim.kernel.klpTargetState).toBe(KLP_TRANSITION_IDLE);
    expect(r[0].out).toEqual([
      'Loaded patch modules:',
      'test_klp_livepatch [enabled]',
      '',
      'Currently livepatched functions:',
      'Module              Object   Function',
      'test_klp_livepatch  vmlinux  cmdline_proc_show,1',
      '',
      'Installed patch modules:',
    ]);
  });

  it('a reversed transition shows [disabling...]; a kernel without stack_order has no function section', () => {
    const { r } = run(['echo 0 > /sys/kernel/livepatch/test_klp_callbacks_demo/enabled', 'kpatch list | head -2', 'kpatch list | grep -c Currently'], STUCK, '6.1');
    expect(r[1].out).toEqual(['Loaded patch modules:', 'test_klp_callbacks_demo [disabling...]']);
    expect(r[2].out).toEqual(['0']);
  });

  it('kpatch signal says the kernel signals by itself; unknown subcommands print the usage', () => {
    const { r } = run(['kpatch signal', 'kpatch frob']);
    expect(r[0]).toEqual({ out: [], err: ['kpatch: Livepatch process signaling is performed automatically on your system.', 'kpatch: Skipping manual process signaling.'], status: 0 });
    expect(r[1].out).toEqual(['subcommand frob not recognized']);
    expect(r[1].err[0]).toBe('usage: kpatch <command> [<args>]');
    expect(r[1].status).toBe(1);
  });
});

describe('SUSE klp', () => {
  it('status and check: in_progress / exit 1 during the transition, ready / exit 0 after', () => {
    const during = run(['klp status', 'klp check']).r;
    expect(during).toEqual([{ out: ['in_progress'], err: [], status: 0 }, { out: [], err: [], status: 1 }]);
    const after = run(['klp status', 'klp check'], ['load_lp test_klp_livepatch']).r;
    expect(after).toEqual([{ out: ['ready'], err: [], status: 0 }, { out: [], err: [], status: 0 }]);
  });

  it('blocking lists the blocking threads; -v adds the command, -vv the stack', () => {
    const { sim, r } = run(['klp blocking', 'klp blocking -v', 'klp blocking -vv']);
    const b = blocker(sim);
    expect(r[0].out).toEqual([String(b.tid)]);
    expect(r[1].out).toEqual([`${b.tid} kworker/0:0`]);
    expect(r[2].out).toEqual([`${b.tid} kworker/0:0`, ...b.stack.map((l) => `    ${l}`)]);
  });

  it('-v patches: each patch with its state', () => {
    const { r } = run(['klp patches', 'klp -v patches']);
    expect(r[0].out).toEqual(['test_klp_callbacks_demo']);
    expect(r[1].out).toEqual(['test_klp_callbacks_demo', '    active: yes (transition in progress)', '    replace: no', '    RPM: (none: loaded with insmod)', '    CVE: (not recorded)']);
  });

  it('a wrong word prints the usage', () => {
    expect(run(['klp frob'], []).r[0]).toEqual({ out: [], err: ['Usage: klp [-v] {status|check|blocking|patches}'], status: 1 });
  });
});
