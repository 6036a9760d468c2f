// The script language of the simulated root shell (src/scenario/shell.ts): parsing and
// validation before anything runs, and the behaviour of the shell commands and selftest helpers
// (functions.sh) against the kernel model.

import { describe, it, expect } from 'vitest';
import { Simulation } from '../../../src/engine/simulation';
import { parseLine, parseScript } from '../../../src/scenario/script';
import { selftestHelpers, shellCommands } from '../../../src/scenario/commands';
import { validateScenario } from '../../../src/scenario/document';
import { sessionSourceOf } from '../../../src/scenario/build';
import { runScript } from '../../support/helpers';

function errorsOf(lines: string[]): string[] {
  const p = parseScript(lines);
  expect(p.ok).toBe(false);
  return p.ok ? [] : p.errors;
}

const run = runScript;

describe('parseScript / parseLine: errors name the line and what was expected', () => {
  it('an unknown command is reported with its line number, in bash\'s words', () => {
    expect(errorsOf(['sleep 1', 'frobnicate now'])).toEqual(['line 2: bash: frobnicate: command not found']);
  });

  it('a wrong number of arguments names the command, the count and the usage', () => {
    expect(errorsOf(['rmmod a b'])).toEqual(['line 1: rmmod takes 1 argument, got 2 (usage: rmmod NAME)']);
    expect(errorsOf(['', 'insmod'])[0]).toBe('line 2: insmod takes 1 or more arguments, got 0 (usage: insmod PATH.ko [param=value ...])');
  });


  it('sleep requires a number of seconds; wait_count/assert_count require a line count', () => {
    expect(errorsOf(['sleep soon'])).toEqual(["line 1: sleep expects a number of seconds, got 'soon'"]);
    expect(errorsOf(["wait_count 'cat /proc/cmdline' many"])).toEqual(["line 1: wait_count expects a line count, got 'many'"]);
  });

  it('a helper cannot be redirected; a redirection needs a command', () => {
    expect(errorsOf(['load_lp test_klp_livepatch > /tmp/x'])).toEqual(['line 1: load_lp is a helper; redirect a shell command instead']);
    expect(errorsOf(['> /tmp/x'])).toEqual(['line 1: a redirection needs a command: > /tmp/x']);
  });

  it('an unterminated quote is a parse error naming the line', () => {
    const [e] = errorsOf(["echo 'abc > /x"]);
    expect(e).toMatch(/^line 1: unterminated single quote/);
  });

  it('errors inside the quoted command of assert_count are reported with "(inside assert_count)"', () => {
    const [e] = errorsOf(["assert_count 'nosuch' 1"]);
    expect(e).toBe('line 1: bash: nosuch: command not found (inside assert_count)');
  });

  it('every error of the script is reported at once, and nothing is returned to run', () => {
    const p = parseScript(['sleep x', 'cat /proc/cmdline', 'rmmod', 'bogus']);
    expect(p.ok).toBe(false);
    if (!p.ok) expect(p.errors.map((e) => e.split(':')[0])).toEqual(['line 1', 'line 3', 'line 4']);
  });

  it('blank and comment lines are skipped but keep the numbering of later lines', () => {
    const p = parseScript(['# setup', '', 'load_lp test_klp_livepatch', "echo 0 > '/sys/kernel/livepatch/test_klp_livepatch/enabled'"]);
    expect(p.ok).toBe(true);
    if (!p.ok) return;
    expect(p.lines.map((l) => l.line)).toEqual([3, 4]);
    expect(p.lines[1].commands[0].words).toEqual(['echo', '0']);
    expect(p.lines[1].commands[0].redirect).toEqual({ path: '/sys/kernel/livepatch/test_klp_livepatch/enabled', append: false });
    expect(parseLine('# only a comment', 7)).toBeNull();
  });

  it('set_ftrace_enabled accepts only 0 or 1 (optionally with --fail)', () => {
    expect(errorsOf(['set_ftrace_enabled 2'])).toEqual(['line 1: usage: set_ftrace_enabled [--fail] 0|1']);
    expect(parseScript(['set_ftrace_enabled --fail 0']).ok).toBe(true);
  });
});

describe('shell commands against the model', () => {
  it('sleep advances virtual time by the given seconds', () => {
    const sim = new Simulation();
    const r = run(sim, ['sleep 0.5', 'sleep 2']);
    expect(r.outcomes[1].time - r.outcomes[0].time).toBe(2_000_000);
  });

  it('grep prints matching lines, -c counts, no match exits 1', () => {
    const sim = new Simulation();
    const r = run(sim, ['load_lp test_klp_livepatch', 'grep live /proc/cmdline', 'grep -c livepatch /proc/cmdline', 'grep nomatch /proc/cmdline']);
    expect(r.outcomes[1].result.out).toEqual(['test_klp_livepatch: this has been live patched']);
    expect(r.outcomes[2].result.out).toEqual(['1']);
    expect(r.outcomes[3].result).toEqual({ out: [], err: [], status: 1 });
  });

  it('sysctl kernel.ftrace_enabled=0 is refused (EBUSY) while a livepatch holds a permanent ftrace_ops (FTRACE_OPS_FL_PERMANENT)', () => {
    const sim = new Simulation();
    const r = run(sim, ['load_lp test_klp_livepatch', 'sysctl kernel.ftrace_enabled', 'sysctl -q kernel.ftrace_enabled=0', 'sysctl -n kernel.ftrace_enabled']);
    expect(r.outcomes[1].result.out).toEqual(['kernel.ftrace_enabled = 1']);
    expect(r.outcomes[2].result.err).toEqual(['sysctl: setting key "kernel.ftrace_enabled": Device or resource busy']);
    expect(r.outcomes[2].result.status).toBe(1);
    expect(r.outcomes[3].result.out).toEqual(['1']);
  });

  it('sysctl kernel.ftrace_enabled=0 succeeds with no livepatch loaded', () => {
    const sim = new Simulation();
    const r = run(sim, ['sysctl -q kernel.ftrace_enabled=0', 'sysctl -n kernel.ftrace_enabled']);
    expect(r.outcomes[0].result.status).toBe(0);
    expect(r.outcomes[1].result.out).toEqual(['0']);
  });

  it('insmod of a file that is not there fails without touching the kernel', () => {
    const sim = new Simulation();
    const before = sim.log.length;
    const r = run(sim, ['insmod test_modules/nope.ko']);
    expect(r.outcomes[0].result.status).toBe(1);
    expect(r.outcomes[0].result.err[0]).toMatch(/^insmod: ERROR: could not load module test_modules\/nope\.ko: No such file or directory$/);
    expect(sim.log.slice(before).some((l) => l.text.startsWith('livepatch:'))).toBe(false);
  });
});

describe('selftest helpers (functions.sh)', () => {
  it('load_lp waits until the transition is over (transition reads 0) and logs "% insmod" to the kernel log', () => {
    const sim = new Simulation();
    const r = run(sim, ['load_lp test_klp_livepatch', 'cat /sys/kernel/livepatch/test_klp_livepatch/transition']);
    expect(r.outcomes[1].result.out).toEqual(['0']);
    expect(sim.log.some((l) => l.text === '% insmod test_modules/test_klp_livepatch.ko')).toBe(true);
    expect(sim.kernel.klpTransitionPatch).toBeNull();
  });

  it('load_failing_mod succeeds when insmod fails (klp_enable_patch: pre-patch callback failed → klp_cancel_transition); load_lp dies on the same failure', () => {
    const sim = new Simulation();
    const r = run(sim, ['load_failing_mod test_klp_callbacks_demo pre_patch_ret=-19', 'load_lp test_klp_callbacks_demo pre_patch_ret=-19', 'sleep 1']);
    expect(r.outcomes).toHaveLength(1);
    expect(r.died?.line.line).toBe(2);
    expect(r.died?.reason).toBe('insmod: ERROR: could not insert module test_modules/test_klp_callbacks_demo.ko: No such device');
    const texts = sim.log.map((l) => l.text);
    expect(texts).toContain("livepatch: pre-patch callback failed for object 'vmlinux'");
    expect(texts).toContain("livepatch: 'test_klp_callbacks_demo': canceling patching transition, going to unpatch");
  });

  it('assert_output dies when the command prints something else', () => {
    const sim = new Simulation();
    const r = run(sim, ["assert_output 'cat /proc/cmdline' 'nope'", 'sleep 1']);
    expect(r.died?.status).toBe(1);
    expect(r.died?.reason).toMatch(/^'cat \/proc\/cmdline' printed '.*', expected 'nope'$/);
    expect(r.outcomes).toHaveLength(0);
  });

  it('disable_lp then unload_lp: the patch is disabled, freed from sysfs and its module removed', () => {
    const sim = new Simulation();
    const r = run(sim, ['load_lp test_klp_livepatch', 'disable_lp test_klp_livepatch', 'unload_lp test_klp_livepatch', 'ls /sys/kernel/livepatch', 'lsmod']);
    expect(r.died).toBeUndefined();
    expect(r.outcomes[3].result.out).toEqual([]);
    expect(r.outcomes[4].result.out.some((l) => l.startsWith('test_klp_livepatch'))).toBe(false);
    expect(sim.log.map((l) => l.text)).toContain("livepatch: 'test_klp_livepatch': unpatching complete");
  });
});

describe('one registry per kind of command', () => {
  it('names that are properties of every object are unknown commands, not a crash', () => {
    for (const name of ['constructor', '__proto__', 'toString', 'valueOf', 'hasOwnProperty']) {
      const [e] = errorsOf([`${name} x`]);
      expect(e).toBe(`line 1: bash: ${name}: command not found`);
    }
  });

  it('every command of the script language is registered once, with a usage that starts with its name', () => {
    const all = [...shellCommands.all(), ...selftestHelpers.all()];
    expect(new Set(all.map((c) => c.name)).size).toBe(all.length);
    for (const c of all) expect(c.usage.startsWith(c.name) || c.usage.startsWith(`${c.name} `)).toBe(true);
    expect(() => shellCommands.register({ ...shellCommands.get('cat')! })).toThrow('command cat registered twice');
  });

  it('a script is parsed once: the same unchanged array gives the same parse, a changed one is parsed again', () => {
    const script = ['load_lp test_klp_livepatch', 'at 2s: cat /proc/cmdline'];
    const a = parseScript(script);
    expect(parseScript(script)).toBe(a);
    script[1] = 'at 3s: cat /proc/cmdline';
    const b = parseScript(script);
    expect(b).not.toBe(a);
    expect(b.ok && b.lines[1].at).toBe(3_000_000);
  });

  it('validating a document and replaying it share one parse of the script: the Session reads the entries validation parsed', () => {
    const r = validateScenario({ format: 'livepatch-explorer/scenario', version: 1, script: ['load_lp test_klp_livepatch', '# done'] });
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    const parsed = parseScript(r.scenario.script);
    const source = sessionSourceOf(r.scenario);
    expect(parsed.ok && source.parsed).toBe(parsed.ok && parsed.entries);
  });
});
