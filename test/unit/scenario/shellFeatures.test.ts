// The shell features an SRE types without thinking (issue 10 §1): globs, pipes into grep,
// head, tail and wc, cd / pwd, ps, /proc/<pid>/stack, ls /proc; each with the exact output and
// the exact error messages of bash, coreutils and procps.

import { describe, expect, it } from 'vitest';
import { Simulation } from '../../../src/engine/simulation';
import type { CmdResult } from '../../../src/scenario/commands/registry';
import type { Node } from '../../../src/kernel/vfs';
import { validateScenario } from '../../../src/scenario/document';
import { expandGlob, segmentRegex } from '../../../src/scenario/glob';
import { TERMINAL_MAX_LINES } from '../../../src/scenario/shell';
import { splitLine } from '../../../src/scenario/words';
import { bootScenario, runToEnd } from '../../support/helpers';

const KLP = '/sys/kernel/livepatch';
/** A machine with test_klp_callbacks_demo stuck in transition behind the busy module's worker. */
const STUCK = ['load_mod test_klp_callbacks_busy block_transition=Y', 'load_lp_nowait test_klp_callbacks_demo', 'sleep 2'];

function results(lines: string[], setup: string[] = []): CmdResult[] {
  const sim = new Simulation();
  return runToEnd(sim, [...setup, ...lines]).slice(setup.length).map((o) => o.result);
}

function one(line: string, setup: string[] = []): CmdResult {
  return results([line], setup)[0];
}

describe('word splitting: pipelines and glob patterns', () => {
  it('splits a pipeline, keeps a redirection on its last command and marks unquoted glob words', () => {
    expect(splitLine(`cat ${KLP}/*/enabled | grep -c 1 > /dev/kmsg`)).toEqual({
      commands: [
        { words: ['cat', `${KLP}/*/enabled`], patterns: [null, `${KLP}/*/enabled`] },
        { words: ['grep', '-c', '1'], patterns: [null, null, null], redirect: { path: '/dev/kmsg', append: false } },
      ],
    });
    expect(splitLine(`echo '*' "a?" b\\[`).commands[0].patterns).toEqual([null, null, null, null]);
    expect(splitLine(`ls '/sys/kernel'/*`).commands[0].patterns).toEqual([null, '/sys/kernel/*']);
  });

  it("an operator where a command belongs is bash's syntax error", () => {
    expect(() => splitLine('| grep x')).toThrow("syntax error near unexpected token `|'");
    expect(() => splitLine('dmesg |')).toThrow("syntax error near unexpected token `|'");
    expect(() => splitLine('dmesg > /x | grep y')).toThrow('a redirection is only supported on the last command of a pipeline');
  });

  it('glob segments: *, ?, classes and negated classes; escaped characters match themselves', () => {
    expect(segmentRegex('*')?.test('test_klp_livepatch')).toBe(true);
    expect(segmentRegex('t?st')?.test('test')).toBe(true);
    expect(segmentRegex('[0-9]*')?.test('1002')).toBe(true);
    expect(segmentRegex('[!0-9]*')?.test('1002')).toBe(false);
    expect(segmentRegex('\\*')).toBeNull();
    expect(segmentRegex('plain')).toBeNull();
  });
});

describe('globs', () => {
  it('cat with a glob reads every match, in sorted order', () => {
    const setup = [...STUCK];
    expect(one(`cat ${KLP}/*/transition`, setup)).toEqual({ out: ['1'], err: [], status: 0 });
    expect(one(`echo ${KLP}/*`, setup).out).toEqual([`${KLP}/test_klp_callbacks_demo`]);
  });

  it('grep . over several files prints file:line as grep does', () => {
    const r = one(`grep . ${KLP}/*/enabled ${KLP}/*/transition`, STUCK);
    expect(r).toEqual({ out: [`${KLP}/test_klp_callbacks_demo/enabled:1`, `${KLP}/test_klp_callbacks_demo/transition:1`], err: [], status: 0 });
  });

  it('a pattern that matches nothing stays as it was typed (no nullglob), so cat names it', () => {
    expect(one(`cat ${KLP}/*/enabled`)).toEqual({ out: [], err: [`cat: ${KLP}/*/enabled: No such file or directory`], status: 1 });
    expect(one("echo '*'").out).toEqual(['*']);
  });

  it('an expansion bigger than ARG_MAX is refused as execve refuses it, without walking the rest', () => {
    const names = Array.from({ length: 400_000 }, (_, i) => String(i));
    let lookups = 0;
    const fs = {
      lookup(p: string): Node | null {
        lookups++;
        if (p === '/proc') return { kind: 'dir', mode: 0o555, list: () => names };
        return /^\/proc\/\d+(\/stack)?$/.test(p) ? { kind: 'file', mode: 0o444, read: () => '' } : null;
      },
    };
    expect(expandGlob(fs, '/proc/*/stack', '/proc/*/stack')).toEqual({ ok: false, tooLong: true });
    expect(lookups).toBeLessThan(200_000);
    const small = expandGlob(fs, '/proc/1?/stack', '/proc/1?/stack');
    expect(small.ok && small.words).toHaveLength(10);
  });
});

describe('pipes into grep, head, tail and wc', () => {
  it('dmesg | tail -3 and dmesg | head -n 1', () => {
    const sim = new Simulation();
    const [tail, head] = runToEnd(sim, ['dmesg | tail -3', 'dmesg | head -n 1']).map((o) => o.result);
    const all = sim.log.map((r) => `[${(r.time / 1e6).toFixed(6).padStart(12)}] ${r.text}`);
    expect(tail.out).toEqual(all.slice(-3));
    expect(head.out).toEqual(all.slice(0, 1));
  });

  it('wc -l of a pipe is one unpadded number; wc of a pipe pads to 7 as coreutils does', () => {
    expect(one('echo one two | wc -l')).toEqual({ out: ['1'], err: [], status: 0 });
    expect(one('echo one two | wc')).toEqual({ out: ['      1       2       8'], err: [], status: 0 });
  });

  it('wc -l over several sysfs files: padded to the width of their total size, with a total line', () => {
    const r = one(`wc -l ${KLP}/*/enabled ${KLP}/*/transition`, STUCK);
    expect(r.out).toEqual([`   1 ${KLP}/test_klp_callbacks_demo/enabled`, `   1 ${KLP}/test_klp_callbacks_demo/transition`, '   2 total']);
  });

  it('grep -c counts the matching lines of a pipe; the status is the last command\'s', () => {
    expect(one('dmesg | grep -c livepatch', STUCK)).toEqual({ out: ['3'], err: [], status: 0 });
    expect(one('dmesg | grep nomatch')).toEqual({ out: [], err: [], status: 1 });
    expect(one('cat /nope | wc -l')).toEqual({ out: ['0'], err: ['cat: /nope: No such file or directory'], status: 0 });
  });

  it('head and tail of several files print ==> name <== headers; tail -n +N starts at line N', () => {
    expect(one('head -n 1 /proc/cmdline /proc/sys/kernel/ftrace_enabled').out).toEqual([
      '==> /proc/cmdline <==',
      'BOOT_IMAGE=/boot/vmlinuz root=/dev/vda1 ro console=ttyS0,115200 quiet',
      '',
      '==> /proc/sys/kernel/ftrace_enabled <==',
      '1',
    ]);
    const [n, rest] = results(['dmesg | wc -l', 'dmesg | tail -n +2 | wc -l'], STUCK).map((x) => Number(x.out[0]));
    expect(n).toBeGreaterThan(5);
    expect(rest).toBe(n - 1);
  });

  it('the tools\' own errors', () => {
    expect(one('head -n abc')).toEqual({ out: [], err: ['head: invalid number of lines: ‘abc’'], status: 1 });
    expect(one('tail -x')).toEqual({ out: [], err: ["tail: invalid option -- 'x'", "Try 'tail --help' for more information."], status: 1 });
    expect(one('head /nope')).toEqual({ out: [], err: ["head: cannot open '/nope' for reading: No such file or directory"], status: 1 });
    expect(one('tail /sys')).toEqual({ out: [], err: ["tail: error reading '/sys': Is a directory"], status: 1 });
    expect(one('wc -l /nope')).toEqual({ out: [], err: ['wc: /nope: No such file or directory'], status: 1 });
    expect(one('cat /sys')).toEqual({ out: [], err: ['cat: /sys: Is a directory'], status: 1 });
  });

  it('grep -v, -n, -H / -h, -e and --, options after the pattern (getopt permutes them), and `-` for the pipe', () => {
    const [all, inverted, numbered] = results(['dmesg | wc -l', 'dmesg | grep -vc livepatch', 'dmesg | grep -n starting'], STUCK);
    expect(Number(inverted.out[0])).toBe(Number(all.out[0]) - 3);
    expect(numbered.out).toEqual([expect.stringMatching(/^\d+:\[ +\d+\.\d{6}\] livepatch: 'test_klp_callbacks_demo': starting patching transition$/)]);
    expect(one('grep ro /proc/cmdline -H').out).toEqual(['/proc/cmdline:BOOT_IMAGE=/boot/vmlinuz root=/dev/vda1 ro console=ttyS0,115200 quiet']);
    expect(one(`grep -h 1 ${KLP}/*/enabled ${KLP}/*/transition`, STUCK).out).toEqual(['1', '1']);
    expect(one('echo -x | grep -e -x')).toEqual({ out: ['-x'], err: [], status: 0 });
    expect(one('echo -x | grep -- -x -')).toEqual({ out: ['-x'], err: [], status: 0 });
    expect(one('echo hi | grep -c hi - /proc/cmdline').out).toEqual(['(standard input):1', '/proc/cmdline:0']);
  });

  it("grep's own errors: an unknown option is refused (never taken for the pattern), exit 2; an error wins over a match unless -q", () => {
    const usage = ['Usage: grep [OPTION]... PATTERNS [FILE]...', "Try 'grep --help' for more information."];
    expect(one('grep -z x /proc/cmdline')).toEqual({ out: [], err: ["grep: invalid option -- 'z'", ...usage], status: 2 });
    expect(one('grep --color x /proc/cmdline')).toEqual({ out: [], err: ["grep: unrecognized option '--color'", ...usage], status: 2 });
    expect(one('grep -e')).toEqual({ out: [], err: ["grep: option requires an argument -- 'e'", ...usage], status: 2 });
    expect(one('grep -c')).toEqual({ out: [], err: usage, status: 2 });
    expect(one('grep ro /proc/cmdline /nope')).toMatchObject({ err: ['grep: /nope: No such file or directory'], status: 2 });
    expect(one('grep -q ro /proc/cmdline /nope')).toEqual({ out: [], err: [], status: 0 });
  });

  it('ls: its own option errors (exit 2), files before directories, a blank line between listings', () => {
    expect(one('ls -z')).toEqual({ out: [], err: ["ls: invalid option -- 'z'", "Try 'ls --help' for more information."], status: 2 });
    expect(one('ls --all')).toEqual({ out: [], err: ["ls: unrecognized option '--all'", "Try 'ls --help' for more information."], status: 2 });
    expect(one('ls /sys /proc/cmdline /nope /sys/kernel')).toEqual({
      out: ['/proc/cmdline', '', '/sys:', 'kernel', 'module', '', '/sys/kernel:', 'debug', 'livepatch', 'tracing'],
      err: ["ls: cannot access '/nope': No such file or directory"],
      status: 2,
    });
    expect(one('ls -1 -l /proc/cmdline').out).toEqual(['-r--r--r-- 1 root root 0 /proc/cmdline']);
  });

  it('`-` names the pipe for cat, head and wc', () => {
    expect(one('echo hi | cat - /proc/sys/kernel/ftrace_enabled').out).toEqual(['hi', '1']);
    expect(one('echo hi | head -n 1 - /proc/sys/kernel/ftrace_enabled').out).toEqual(['==> standard input <==', 'hi', '', '==> /proc/sys/kernel/ftrace_enabled <==', '1']);
    expect(one('echo hi | wc -l - /proc/cmdline').out).toEqual(['      1 -', '      1 /proc/cmdline', '      2 total']);
  });
});

describe('cd and pwd', () => {
  it('relative paths, .., cd - and the working directory other commands resolve against', () => {
    const r = results(['cd /sys/kernel/livepatch', 'pwd', 'cd test_klp_callbacks_demo', 'cat enabled transition', 'cd ../..', 'pwd', 'cd -', 'ls'], STUCK);
    expect(r.map((x) => x.out)).toEqual([[], [KLP], [], ['1', '1'], [], ['/sys/kernel'], [`${KLP}/test_klp_callbacks_demo`], r[7].out]);
    expect(r[7].out).toContain('transition');
  });

  it("errors exactly as bash prints them", () => {
    expect(one('cd /x')).toEqual({ out: [], err: ['bash: cd: /x: No such file or directory'], status: 1 });
    expect(one('cd /proc/cmdline')).toEqual({ out: [], err: ['bash: cd: /proc/cmdline: Not a directory'], status: 1 });
    expect(one('cd /a /b')).toEqual({ out: [], err: ['bash: cd: too many arguments'], status: 1 });
    expect(one('cd -')).toEqual({ out: [], err: ['bash: cd: OLDPWD not set'], status: 1 });
  });

  it('cd in a pipeline runs in a subshell: the shell stays where it was', () => {
    expect(results(['cd /sys | cat', 'pwd']).map((x) => x.out)).toEqual([[], ['/']]);
  });
});

describe('ps', () => {
  it('plain ps: the processes on the terminal (the shell and ps itself)', () => {
    const r = one('ps');
    expect(r.out).toHaveLength(3);
    expect(r.out[0]).toBe('    PID TTY          TIME CMD');
    expect(r.out[1]).toBe('   1000 pts/0    00:00:00 bash');
    expect(r.out[2]).toMatch(/^ {3}\d{4} pts\/0 {4}00:00:00 ps$/);
  });

  it('ps -eo pid,comm,stat: every task, padded as procps pads, the state from /proc/<pid>/stat', () => {
    const r = one('ps -eo pid,comm,stat | head -4');
    expect(r.out).toEqual(['    PID COMMAND         STAT', '      1 systemd         S', '      2 kthreadd        S', '      3 rcu_preempt     D']);
    expect(one('ps -eo pid,comm,stat | grep bash').out).toEqual(['   1000 bash            Ss']);
  });

  it('ps -L adds the LWP column (one thread per task in the model); ps -ef shows PPID and the command line', () => {
    expect(one('ps -L').out[0]).toBe('    PID     LWP TTY          TIME CMD');
    expect(one('ps -L').out[1]).toBe('   1000    1000 pts/0    00:00:00 bash');
    const ef = one('ps -ef | grep -F [kthreadd]').out;
    expect(ef).toEqual(['root           2       0  0 00:00 ?        00:00:00 [kthreadd]']);
    expect(one('ps -ef').out[0]).toBe('UID          PID    PPID  C STIME TTY          TIME CMD');
  });

  it('WCHAN is the first function outside .sched.text', () => {
    expect(one('ps -eo pid,wchan:WCHAN,comm | grep systemd$').out).toEqual(['      1 ep_poll systemd']);
  });

  it('an unknown format specifier is procps\' error and usage', () => {
    const r = one('ps -o pid,foo');
    expect(r.status).toBe(1);
    expect(r.err[0]).toBe('error: unknown user-defined format specifier "foo"');
    expect(r.err.at(-1)).toBe('For more details see ps(1).');
  });

  it('ps takes virtual time for every task it reads', () => {
    const sim = new Simulation();
    const [a, b] = runToEnd(sim, ['ps -e | wc -l', 'ps | wc -l']);
    expect(Number(a.result.out[0])).toBeGreaterThan(30);
    expect(b.result.out).toEqual(['3']);
  });
});

describe('/proc', () => {
  it('ls /proc lists the pid directories and the files', () => {
    const r = one('ls /proc');
    expect(r.out).toContain('1');
    expect(r.out).toContain('1000');
    expect(r.out).toContain('cmdline');
  });

  it("cat /proc/<pid>/stack: the kernel's `[<0>] func+0xoff/0xsize` lines, innermost first, without .sched.text", () => {
    const r = one('cat /proc/1/stack');
    expect(r.out).toHaveLength(5);
    for (const l of r.out) expect(l).toMatch(/^\[<0>\] [A-Za-z_0-9]+\+0x[0-9a-f]+\/0x[0-9a-f]+$/);
    expect(r.out.map((l) => l.replace(/^\[<0>\] ([A-Za-z_0-9]+)\+.*$/, '$1'))).toEqual(['ep_poll', 'do_epoll_wait', '__x64_sys_epoll_wait', 'do_syscall_64', 'entry_SYSCALL_64_after_hwframe']);
  });
});

describe('the terminal keeps at most TERMINAL_MAX_LINES lines of one command', () => {
  it('cuts a longer output with a note; a pipe still gets every line', () => {
    const doc = validateScenario({
      format: 'livepatch-explorer/scenario',
      version: 1,
      tasks: { classes: [{ comm: 'nginx-%d', count: 12_000, kind: 'user', phases: [{ frames: ['entry_SYSCALL_64_after_hwframe', 'do_syscall_64', '__x64_sys_epoll_wait', 'ep_poll', 'schedule'], weight: 1, dwellUs: 5000, sched: 'interruptible' }] }] },
      script: ['ps -e', 'ps -e | wc -l'],
    });
    if (!doc.ok) throw new Error(doc.errors.join('; '));
    const { run } = bootScenario(doc.scenario);
    const [all, count] = run().outcomes.map((o) => o.result);
    expect(all.out).toHaveLength(TERMINAL_MAX_LINES);
    const n = Number(count.out[0]);
    expect(n).toBeGreaterThan(12_000);
    expect(all.err).toEqual([`(${n.toLocaleString('en-US')} lines of output; the terminal keeps the first 10,000: pipe it through grep, head, tail or wc -l)`]);
  });
});

describe('/proc/<pid>/task', () => {
  it('holds the process\'s one thread, with the same files and no task/ of its own', () => {
    expect(one('ls /proc/1/task')).toEqual({ out: ['1'], err: [], status: 0 });
    expect(one('ls /proc/1/task/1')).toEqual({ out: ['comm', 'patch_state', 'stack', 'stat', 'status'], err: [], status: 0 });
    expect(one('cat /proc/1/task/1/comm')).toEqual({ out: ['systemd'], err: [], status: 0 });
    expect(one('cat /proc/1/task/2/comm').err).toEqual(['cat: /proc/1/task/2/comm: No such file or directory']);
  });
});
