// The shell commands: bash's `echo` builtin and the external tools (coreutils, kmod, procps,
// util-linux) as they behave on a real machine. Each external tool runs as a forked task
// doing real syscalls on the model (see Shell.spawn); their messages are the tools' own.

import { insmodStrerror, strerror } from '../../kernel/errno';
import type { Exec, Step } from '../../kernel/exec';
import { deleteModule, loadModule } from '../../kernel/module';
import { Sched } from '../../kernel/tasks';
import { modeString } from '../../kernel/vfs';
import type { Shell } from '../shell';
import { compileGrepPattern } from '../bre';
import { selftestHelpers, shellCommands, type CmdResult, type Redirect } from './registry';

const NANOSLEEP_FRAMES = ['entry_SYSCALL_64_after_hwframe', 'do_syscall_64', '__x64_sys_clock_nanosleep', 'hrtimer_nanosleep', 'do_nanosleep', 'schedule'];
/** What fork+exec costs before the tool's own work starts (virtual µs). */
export const EXEC_COST_US = 400;

/** A file's contents as lines (no trailing empty line). */
export function lines(data: string): string[] {
  if (data === '') return [];
  const l = data.split('\n');
  if (l[l.length - 1] === '') l.pop();
  return l;
}

// ------------------------------------------------------------------ kmod

shellCommands.register({
  name: 'insmod',
  usage: 'insmod PATH.ko [param=value ...]',
  args: { min: 1, max: Infinity },
  *run(sh, x, args) {
    const [path, ...params] = args;
    const def = sh.files.find(path);
    if (!def) return { out: [], err: [`insmod: ERROR: could not load module ${path}: No such file or directory`], status: 1 };
    const r = yield* loadModule(sh.k, x, def, params);
    sh.k.exitToUserMode(x.slot);
    if (r.err) return { out: [], err: [`insmod: ERROR: could not insert module ${path}: ${insmodStrerror(r.err)}`], status: 1 };
    return { out: [], err: [], status: 0 };
  },
});

shellCommands.register({
  name: 'rmmod',
  usage: 'rmmod NAME',
  args: { min: 1, max: 1 },
  *run(sh, x, [name]) {
    const mod = sh.k.modules.get(name.replace(/\.ko$/, ''));
    if (!mod) return { out: [], err: [`rmmod: ERROR: Module ${name} is not currently loaded`], status: 1 };
    // kmod checks /sys/module/<m>/refcnt before calling delete_module().
    if (mod.refcnt > 0) return { out: [], err: [`rmmod: ERROR: Module ${name} is in use`], status: 1 };
    const err = yield* deleteModule(sh.k, x, mod.name);
    sh.k.exitToUserMode(x.slot);
    if (err) return { out: [], err: [`rmmod: ERROR: could not remove module ${name}: ${strerror(err)}`], status: 1 };
    return { out: [], err: [], status: 0 };
  },
});

// ------------------------------------------------------------------ bash builtins

shellCommands.register({
  name: 'echo',
  usage: 'echo VALUE > PATH',
  args: { min: 0, max: Infinity },
  builtin: true,
  check: (_args, ctx) => (ctx.redirected ? null : 'echo needs a target (usage: echo VALUE > PATH)'),
  *run(sh: Shell, x: Exec, args: string[], redirect?: Redirect): Step<CmdResult> {
    let newline = true;
    const words = [...args];
    while (words[0] === '-n' || words[0] === '-e') {
      if (words.shift() === '-n') newline = false;
    }
    const text = words.join(' ');
    if (!redirect) return { out: [text], err: [], status: 0 };
    const w = yield* sh.writeFile(x, redirect.path, text + (newline ? '\n' : ''));
    if (w.errno) return { out: [], err: [sh.redirectError(redirect.path, w)], status: 1 };
    return { out: [], err: [], status: 0 };
  },
});

shellCommands.register({
  name: 'help',
  usage: 'help',
  args: { min: 0, max: 0 },
  builtin: true,
  *run() {
    const out = ['Shell commands:', ...shellCommands.all().map((c) => `  ${c.usage}`), 'Selftest helpers (functions.sh), waits and checks:', ...selftestHelpers.all().map((c) => `  ${c.usage}`)];
    return { out, err: [], status: 0 };
  },
});

// ------------------------------------------------------------------ coreutils, grep

shellCommands.register({
  name: 'cat',
  usage: 'cat PATH...',
  args: { min: 1, max: Infinity },
  *run(sh, x, args) {
    const out: string[] = [];
    const err: string[] = [];
    for (const p of args) {
      const r = sh.readFile(x, p);
      if (r.ok) out.push(...lines(r.data));
      else err.push(`cat: ${p}: ${strerror(r.errno)}`);
    }
    return { out, err, status: err.length ? 1 : 0 };
  },
});

shellCommands.register({
  name: 'ls',
  usage: 'ls [-l] [DIR...]',
  args: { min: 0, max: Infinity },
  *run(sh, x, args) {
    const long = args.includes('-l');
    const paths = args.filter((a) => !a.startsWith('-'));
    if (!paths.length) paths.push('/');
    const out: string[] = [];
    const err: string[] = [];
    for (const p of paths) {
      const n = sh.vfs.lookup(p);
      sh.k.exitToUserMode(x.slot);
      if (!n) {
        err.push(`ls: cannot access '${p}': No such file or directory`);
        continue;
      }
      if (n.kind === 'file') {
        out.push(long ? `${modeString(n)} 1 root root 4096 ${p}` : p);
        continue;
      }
      const names = [...n.list()].sort();
      if (paths.length > 1) out.push(`${p}:`);
      if (long) out.push(`total 0`);
      for (const name of names) {
        const c = sh.vfs.lookup(`${p}/${name}`);
        out.push(long && c ? `${modeString(c)} ${c.kind === 'dir' ? 2 : 1} root root ${c.kind === 'dir' ? 0 : 4096} ${name}` : name);
      }
    }
    return { out, err, status: err.length ? 2 : 0 };
  },
});

shellCommands.register({
  name: 'grep',
  usage: 'grep [-q] [-F] [-w] [-c] PATTERN FILE...',
  args: { min: 2, max: Infinity },
  *run(sh, x, args) {
    let quiet = false;
    let fixed = false;
    let word = false;
    let count = false;
    const rest: string[] = [];
    for (const a of args) {
      if (/^-[qFwc]+$/.test(a)) {
        quiet ||= a.includes('q');
        fixed ||= a.includes('F');
        word ||= a.includes('w');
        count ||= a.includes('c');
      } else rest.push(a);
    }
    if (rest.length < 2) return { out: [], err: ['Usage: grep [OPTION]... PATTERNS [FILE]...'], status: 2 };
    const [pattern, ...paths] = rest;
    const compiled = compileGrepPattern(pattern, { fixed, word });
    if (!compiled.ok) return { out: [], err: [`grep: ${compiled.error}`], status: 2 };
    const re = compiled.matcher;
    const out: string[] = [];
    const err: string[] = [];
    let matched = 0;
    for (const p of paths) {
      const r = sh.readFile(x, p);
      if (!r.ok) {
        err.push(`grep: ${p}: ${strerror(r.errno)}`);
        continue;
      }
      const hits = lines(r.data).filter((l) => re.test(l));
      matched += hits.length;
      const prefix = paths.length > 1 ? `${p}:` : '';
      if (count) out.push(`${prefix}${hits.length}`);
      else out.push(...hits.map((h) => prefix + h));
    }
    return { out: quiet ? [] : out, err, status: err.length && !matched ? 2 : matched ? 0 : 1 };
  },
});

shellCommands.register({
  name: 'sysctl',
  usage: 'sysctl [-q] kernel.ftrace_enabled=N | sysctl [-n|--values] kernel.ftrace_enabled',
  args: { min: 1, max: 3 },
  *run(sh, x, args) {
    let quiet = false;
    let valuesOnly = false;
    const rest: string[] = [];
    for (const a of args) {
      if (a === '-q') quiet = true;
      else if (a === '-n' || a === '--values') valuesOnly = true;
      else rest.push(a);
    }
    const out: string[] = [];
    const err: string[] = [];
    for (const a of rest) {
      const eq = a.indexOf('=');
      const key = eq < 0 ? a : a.slice(0, eq);
      const path = `/proc/sys/${key.replace(/\./g, '/')}`;
      if (!sh.vfs.lookup(path)) {
        err.push(`sysctl: cannot stat ${path}: No such file or directory`);
        continue;
      }
      if (eq < 0) {
        const r = sh.readFile(x, path);
        if (r.ok) out.push(valuesOnly ? r.data.trim() : `${key} = ${r.data.trim()}`);
        continue;
      }
      const val = a.slice(eq + 1);
      const w = yield* sh.writeFile(x, path, val + '\n');
      if (w.errno) err.push(`sysctl: setting key "${key}": ${strerror(w.errno)}`);
      else if (!quiet) out.push(`${key} = ${val}`);
    }
    return { out, err, status: err.length ? 1 : 0 };
  },
});

shellCommands.register({
  name: 'sleep',
  usage: 'sleep SECONDS',
  args: { min: 1, max: 1 },
  check: ([s]) => (/^(\d+(\.\d*)?|\.\d+)$/.test(s) ? null : `sleep expects a number of seconds, got '${s}'`),
  *run(sh, x, [s]) {
    const us = Math.round(Number(s) * 1_000_000);
    yield* sh.syscall(x, NANOSLEEP_FRAMES, function* (): Step<void> {
      yield { kind: 'sleep', us: Math.max(0, us - EXEC_COST_US), state: Sched.INTERRUPTIBLE };
    });
    return { out: [], err: [], status: 0 };
  },
});

shellCommands.register({
  name: 'dmesg',
  usage: 'dmesg',
  args: { min: 0, max: 0 },
  *run(sh) {
    return { out: sh.k.log.records.map((r) => `[${(r.time / 1e6).toFixed(6).padStart(12)}] ${r.text}`), err: [], status: 0 };
  },
});

shellCommands.register({
  name: 'lsmod',
  usage: 'lsmod',
  args: { min: 0, max: 0 },
  *run(sh, x) {
    const r = sh.readFile(x, '/proc/modules');
    const rows = r.ok ? lines(r.data).map((l) => l.split(' ')) : [];
    return { out: ['Module                  Size  Used by', ...rows.map((c) => `${c[0].padEnd(24)}${c[1].padStart(6)}  ${c[2]}`)], err: [], status: 0 };
  },
});
