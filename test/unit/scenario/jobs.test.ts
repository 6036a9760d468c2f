// Background jobs in the script language (issue 12 point 7): `CMD &`, `$!`, shell variables
// and `$(CMD)`, bash's `wait` and `kill` builtins with bash's own messages, and the selftest
// program test_klp-call_getpid (tools/testing/selftests/livepatch/test_programs/
// test_klp-call_getpid.c: SIGHUP and SIGINT stop its getpid loop; SIGTERM ends it).

import { describe, expect, it } from 'vitest';
import { Simulation } from '../../../src/engine/simulation';
import { parseSignal } from '../../../src/scenario/jobs';
import { parseLine } from '../../../src/scenario/script';
import { splitLine } from '../../../src/scenario/words';
import { runScript } from '../../support/helpers';

function run(lines: string[]) {
  const sim = new Simulation();
  const r = runScript(sim, lines);
  return { sim, r, results: r.outcomes.map((o) => o.result) };
}

describe('words: `&` and expansions (words.ts)', () => {
  it('a trailing & marks the line a background job; && and & in the middle are refused', () => {
    expect(splitLine('./test_klp-call_getpid &')).toEqual({ commands: [{ words: ['./test_klp-call_getpid'], patterns: [null] }], background: true });
    expect(() => splitLine('a && b')).toThrow("'&&' is not supported in the script language (one pipeline per line)");
    expect(() => splitLine('a & b')).toThrow("'&' is supported only at the end of a line (one background job per line)");
    expect(() => splitLine('&')).toThrow("syntax error near unexpected token `&'");
  });

  it('$NAME, ${NAME}, $!, $? and $(CMD) are parts of the word; single quotes keep them literal', () => {
    expect(splitLine('load_lp m klp_pids=$p1,${p2}').commands[0].expansions).toEqual([null, null, ['klp_pids=', { param: 'p1' }, ',', { param: 'p2' }]]);
    expect(splitLine('p=$!').commands[0].expansions).toEqual([['p=', { param: '!' }]]);
    expect(splitLine('log "left: $(cat /x)"').commands[0].expansions).toEqual([null, ['left: ', { command: 'cat /x', quoted: true }]]);
    expect(splitLine("echo '$x' c$").commands[0].expansions).toBeUndefined();
    expect(() => splitLine('echo ${a-b}')).toThrow('${a-b}: bad substitution');
    expect(() => splitLine('echo $(cat /x')).toThrow('unterminated command substitution $(');
  });

  it('the parser refuses a builtin or a helper in the background, and an assignment with a command', () => {
    expect(parseLine('wait &', 1)).toEqual({ error: 'line 1: only one external command (no pipeline, builtin, helper or redirection) can run in the background: wait &' });
    expect(parseLine('load_lp test_klp_syscall &', 1)).toHaveProperty('error');
    expect(parseLine('A=1 cat /proc/cmdline', 1)).toEqual({ error: "line 1: an assignment is a command of its own here ('NAME=value'; an environment for one command is not supported): A=1 cat /proc/cmdline" });
    expect(parseLine('x=$(nosuch)', 1)).toEqual({ error: 'line 1: bash: nosuch: command not found (inside $(...))' });
  });
});

describe('the shell: jobs, $!, wait and kill (bash semantics)', () => {
  it('CMD & returns at once; $! is the child pid; the job runs as its own task until killed; wait PID is 128+SIGTERM', () => {
    const { sim, results } = run(['./test_klp-call_getpid &', 'p=$!', 'echo $p', 'sleep 1', 'ps -o pid,comm', 'kill $p', 'wait $p', 'echo $?']);
    const pid = Number(results[2].out[0]);
    expect(pid).toBeGreaterThan(1000);
    expect(results[4].out).toContain(`   ${pid} test_klp-call_g`);
    expect(results[6].status).toBe(143);
    expect(results[7].out).toEqual(['143']);
    expect(sim.kernel.tasks.slotOfPid(pid, sim.kernel.firstThread)).toBe(-1);
  });

  it('SIGHUP and SIGINT are handled by test_klp-call_getpid: it leaves its loop and exits 0', () => {
    for (const sig of ['-HUP', '-s INT', '-2']) {
      const { results } = run(['./test_klp-call_getpid &', 'sleep 0.1', `kill ${sig} $!`, 'wait $!']);
      expect(results[2].status).toBe(0);
      expect(results[3].status).toBe(0);
    }
  });

  it("bash's messages: no such process, invalid signal, not a child, usage, not a pid", () => {
    const { results } = run(['kill 99999', 'kill -FOO 1', 'wait 4242', 'kill', 'kill abc', 'kill -0 1', 'kill 2']);
    expect(results.map((r) => [r.err, r.status])).toEqual([
      [['bash: kill: (99999) - No such process'], 1],
      [['bash: kill: FOO: invalid signal specification'], 1],
      [['bash: wait: pid 4242 is not a child of this shell'], 127],
      [['kill: usage: kill [-s sigspec | -n signum | -sigspec] pid | jobspec ... or kill -l [sigspec]'], 2],
      [['bash: kill: abc: arguments must be process or job IDs'], 1],
      [[], 0],
      // kthreadd (pid 2) ignores the signal.
      [[], 0],
    ]);
  });

  it('signal names and numbers as kill takes them', () => {
    expect(['TERM', 'SIGKILL', 'hup', '15', '0', 'FOO', '99'].map(parseSignal)).toEqual([15, 9, 1, 15, 0, null, null]);
  });

  it('wait with no argument waits for every job; a variable keeps a $(CMD) output', () => {
    const { results } = run(['./test_klp-call_getpid &', 'a=$!', './test_klp-call_getpid &', 'b=$!', 'kill -HUP $a $b', 'wait', 'n=$(echo one two)', 'echo "[$n] $a $b"']);
    expect(results[5].status).toBe(0);
    const [pa, pb] = [Number(results[7].out[0].split(' ')[2]), Number(results[7].out[0].split(' ')[3])];
    expect(results[7].out).toEqual([`[one two] ${pa} ${pb}`]);
    expect(pb).toBe(pa + 1);
  });

  it('test_klp-call_getpid switches at its syscall return and then runs lp_sys_getpid, which counts it off npids', () => {
    const { sim, results } = run([
      './test_klp-call_getpid &', 'p=$!',
      'load_lp test_klp_syscall klp_pids=$p',
      'wait_sysfs /sys/kernel/test_klp_syscall/npids 0',
      'cat /sys/kernel/test_klp_syscall/npids',
      'kill $p',
    ]);
    expect(results[4].out).toEqual(['0']);
    expect(sim.kernel.klpPatches.map((p) => p.name)).toEqual(['test_klp_syscall']);
    expect(sim.kernel.klpPatches[0].enabled).toBe(true);
    // Complete: every task, the job included, reached the patched state.
    expect(sim.kernel.klpTransitionPatch).toBeNull();
  });
});
