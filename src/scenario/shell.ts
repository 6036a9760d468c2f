// The root shell of the simulated machine: the script language of conformance/README.md.
// Shell commands behave as bash and the real tools do (each external command is a forked
// task doing real syscalls on the model); the selftest helpers follow functions.sh
// (HELPERS.md) line by line, built from those commands.

import { insmodStrerror, strerror } from '../kernel/errno';
import { Exec, runToEnd, WaitQueue, type Step } from '../kernel/exec';
import type { Kernel } from '../kernel/kernel';
import { deleteModule, loadModule, type ModuleDef } from '../kernel/module';
import { Sched, TF } from '../kernel/tasks';
import { modeString, Vfs } from '../kernel/vfs';
import { compileGrepPattern } from './bre';
import { ParseError, splitWords } from './words';

/** Thrown by `die`: the script (like a selftest) ends here. */
export class ScriptDied extends Error {
  constructor(
    readonly reason: string,
    readonly status: number,
  ) {
    super(reason);
  }
}

export interface CmdResult {
  out: string[];
  err: string[];
  status: number;
}

interface CommandSpec {
  min: number;
  max: number;
  usage: string;
  kind: 'shell' | 'helper' | 'check';
}

/** The vocabulary, with argument counts for validation before anything runs. */
export const COMMANDS: Record<string, CommandSpec> = {
  insmod: { min: 1, max: Infinity, usage: 'insmod PATH.ko [param=value ...]', kind: 'shell' },
  rmmod: { min: 1, max: 1, usage: 'rmmod NAME', kind: 'shell' },
  echo: { min: 0, max: Infinity, usage: 'echo VALUE > PATH', kind: 'shell' },
  cat: { min: 1, max: Infinity, usage: 'cat PATH...', kind: 'shell' },
  ls: { min: 0, max: Infinity, usage: 'ls [-l] [DIR...]', kind: 'shell' },
  grep: { min: 2, max: Infinity, usage: 'grep [-q] [-F] [-w] [-c] PATTERN FILE...', kind: 'shell' },
  sysctl: { min: 1, max: 3, usage: 'sysctl [-q] kernel.ftrace_enabled=N | sysctl [-n|--values] kernel.ftrace_enabled', kind: 'shell' },
  sleep: { min: 1, max: 1, usage: 'sleep SECONDS', kind: 'shell' },
  dmesg: { min: 0, max: 0, usage: 'dmesg', kind: 'shell' },
  lsmod: { min: 0, max: 0, usage: 'lsmod', kind: 'shell' },
  load_mod: { min: 1, max: Infinity, usage: 'load_mod MODULE [param=value ...]', kind: 'helper' },
  load_lp: { min: 1, max: Infinity, usage: 'load_lp MODULE [param=value ...]', kind: 'helper' },
  load_lp_nowait: { min: 1, max: Infinity, usage: 'load_lp_nowait MODULE [param=value ...]', kind: 'helper' },
  load_failing_mod: { min: 1, max: Infinity, usage: 'load_failing_mod MODULE [param=value ...]', kind: 'helper' },
  unload_mod: { min: 1, max: 1, usage: 'unload_mod MODULE', kind: 'helper' },
  unload_lp: { min: 1, max: 1, usage: 'unload_lp MODULE', kind: 'helper' },
  disable_lp: { min: 1, max: 1, usage: 'disable_lp MODULE', kind: 'helper' },
  set_pre_patch_ret: { min: 2, max: 2, usage: 'set_pre_patch_ret MODULE RET', kind: 'helper' },
  set_ftrace_enabled: { min: 1, max: 2, usage: 'set_ftrace_enabled [--fail] 0|1', kind: 'helper' },
  check_sysfs_value: { min: 3, max: 3, usage: 'check_sysfs_value MODULE ATTR VALUE', kind: 'helper' },
  check_sysfs_rights: { min: 3, max: 3, usage: 'check_sysfs_rights MODULE ATTR MODE', kind: 'helper' },
  trace_function: { min: 1, max: 1, usage: 'trace_function FUNCTION', kind: 'helper' },
  check_traced_functions: { min: 1, max: Infinity, usage: 'check_traced_functions FUNCTION...', kind: 'helper' },
  log: { min: 1, max: 1, usage: "log 'TEXT'", kind: 'helper' },
  wait_sysfs: { min: 2, max: 2, usage: 'wait_sysfs PATH VALUE', kind: 'check' },
  wait_count: { min: 2, max: 2, usage: "wait_count 'CMD' N", kind: 'check' },
  assert_count: { min: 2, max: 2, usage: "assert_count 'CMD' N", kind: 'check' },
  assert_output: { min: 2, max: 2, usage: "assert_output 'CMD' 'TEXT'", kind: 'check' },
  assert_output_not: { min: 2, max: 2, usage: "assert_output_not 'CMD' 'TEXT'", kind: 'check' },
};

/** A parsed script line. */
export interface ScriptLine {
  line: number;
  text: string;
  words: string[];
  redirect?: { path: string; append: boolean };
  /** `at 5s: ...`: virtual time since the script started at which the line runs (µs). */
  at?: number;
}

/**
 * `at TIME: rest` split in one pass, or null when the line has no such prefix. (The regular
 * expression /^\s*at\s+([^:]*):(.*)$/ reads the same but backtracks quadratically on a
 * line of blanks.) `rest` is one line: no line terminator, as `.` would have required.
 */
function splitAtPrefix(text: string): [time: string, rest: string] | null {
  const blank = (i: number) => i < text.length && /\s/.test(text[i]);
  let i = 0;
  while (blank(i)) i++;
  if (!text.startsWith('at', i)) return null;
  i += 2;
  if (!blank(i)) return null;
  while (blank(i)) i++;
  const colon = text.indexOf(':', i);
  if (colon < 0 || /[\n\r\u2028\u2029]/.test(text.slice(colon + 1))) return null;
  return [text.slice(i, colon), text.slice(colon + 1)];
}
const AT_TIME = /^(\d+(?:\.\d*)?|\.\d+)(s|ms|us)$/;
const AT_UNIT_US = { s: 1_000_000, ms: 1_000, us: 1 } as const;

/** A time as scenario scripts write it: `5s`, `1500ms`, `2.5s`, `250us`; null if malformed. */
export function parseScriptTime(t: string): number | null {
  const m = AT_TIME.exec(t.trim());
  if (!m) return null;
  const us = Math.round(Number(m[1]) * AT_UNIT_US[m[2] as keyof typeof AT_UNIT_US]);
  return Number.isSafeInteger(us) ? us : null;
}

/** A time in µs as a script would write it (the shortest exact unit). */
export function formatScriptTime(us: number): string {
  if (us % 1000 !== 0) return `${us}us`;
  if (us % 1_000_000 !== 0) return `${us / 1000}ms`;
  return `${us / 1_000_000}s`;
}

/** Validate one line; returns the parsed line, null for blank/comment, or an error message. */
export function parseLine(text: string, line: number): ScriptLine | null | { error: string } {
  const split = splitAtPrefix(text);
  const at = split && ([text, ...split] as const);
  if (at) {
    const us = parseScriptTime(at[1]);
    if (us === null) return { error: `line ${line}: expected a time such as 'at 5s:', 'at 1500ms:' or 'at 2.5s:', got 'at ${at[1].trim()}:'` };
    const inner = parseLine(at[2], line);
    if (inner === null) return { error: `line ${line}: 'at ${at[1].trim()}:' needs a command after it` };
    if ('error' in inner) return inner;
    if (inner.at !== undefined) return { error: `line ${line}: a line takes one 'at TIME:' prefix` };
    return { ...inner, text, at: us };
  }
  let w;
  try {
    w = splitWords(text);
  } catch (e) {
    return { error: `line ${line}: ${(e as ParseError).message}: ${text}` };
  }
  if (w.words.length === 0) {
    if (w.redirect) return { error: `line ${line}: a redirection needs a command: ${text}` };
    return null;
  }
  const [cmd, ...args] = w.words;
  const spec = Object.hasOwn(COMMANDS, cmd) ? COMMANDS[cmd] : undefined;
  if (!spec) {
    return { error: `line ${line}: unknown command '${cmd}' (expected a shell command: insmod, rmmod, echo, cat, ls, grep, sysctl, sleep, dmesg, lsmod; a selftest helper such as load_lp or disable_lp; or wait_sysfs, wait_count, assert_count, assert_output, assert_output_not)` };
  }
  if (args.length < spec.min || args.length > spec.max) {
    return { error: `line ${line}: ${cmd} takes ${spec.min === spec.max ? spec.min : `${spec.min}${spec.max === Infinity ? ' or more' : `-${spec.max}`}`} argument${spec.max === 1 && spec.min === 1 ? '' : 's'}, got ${args.length} (usage: ${spec.usage})` };
  }
  if (w.redirect && spec.kind !== 'shell') return { error: `line ${line}: ${cmd} is a helper; redirect a shell command instead` };
  if (cmd === 'echo' && !w.redirect) return { error: `line ${line}: echo needs a target (usage: echo VALUE > PATH)` };
  if (cmd === 'sleep' && !/^(\d+(\.\d*)?|\.\d+)$/.test(args[0])) return { error: `line ${line}: sleep expects a number of seconds, got '${args[0]}'` };
  if ((cmd === 'wait_count' || cmd === 'assert_count') && !/^\d+$/.test(args[1])) {
    return { error: `line ${line}: ${cmd} expects a line count, got '${args[1]}'` };
  }
  if (cmd === 'wait_count' || cmd === 'assert_count' || cmd === 'assert_output' || cmd === 'assert_output_not') {
    const inner = parseLine(args[0], line);
    if (inner === null) return { error: `line ${line}: ${cmd} needs a command to run` };
    if ('error' in inner) return { error: `${inner.error} (inside ${cmd})` };
    if (inner.at !== undefined) return { error: `line ${line}: the command inside ${cmd} cannot have an 'at TIME:' prefix` };
  }
  if (cmd === 'set_ftrace_enabled') {
    const vals = args[0] === '--fail' ? args.slice(1) : args;
    if (vals.length !== 1 || !/^[01]$/.test(vals[0])) return { error: `line ${line}: usage: ${spec.usage}` };
  }
  return { line, text, words: w.words, redirect: w.redirect };
}

/** Parse a whole script; all errors are reported, nothing runs if any. */
export function parseScript(lines: readonly string[]): { ok: true; lines: ScriptLine[] } | { ok: false; errors: string[] } {
  const out: ScriptLine[] = [];
  const errors: string[] = [];
  let last: ScriptLine | undefined;
  lines.forEach((t, i) => {
    const r = parseLine(t, i + 1);
    if (r === null) return;
    if ('error' in r) {
      errors.push(r.error);
      return;
    }
    if (r.at !== undefined) {
      // The shell waits for a line's time; one earlier than the previous timed line cannot be honoured.
      if (last?.at !== undefined && r.at < last.at) {
        errors.push(`line ${r.line}: time ${formatScriptTime(r.at)} is earlier than ${formatScriptTime(last.at)} on line ${last.line}; times must not go backwards`);
      }
      last = r;
    }
    out.push(r);
  });
  return errors.length ? { ok: false, errors } : { ok: true, lines: out };
}

const SYSFS_KLP_DIR = '/sys/kernel/livepatch';
const MAX_RETRIES = 600;
const RETRY_INTERVAL_US = 100_000;
/** Rough costs of a process's life in user space (fork+exec, work, exit). */
const EXEC_COST_US = 400;
const WAIT4_FRAMES = ['entry_SYSCALL_64_after_hwframe', 'do_syscall_64', '__x64_sys_wait4', 'kernel_wait4', 'do_wait'];
const NANOSLEEP_FRAMES = ['entry_SYSCALL_64_after_hwframe', 'do_syscall_64', '__x64_sys_clock_nanosleep', 'hrtimer_nanosleep', 'do_nanosleep', 'schedule'];
const WRITE_FRAMES = ['entry_SYSCALL_64_after_hwframe', 'do_syscall_64', 'ksys_write', 'vfs_write', 'kernfs_fop_write_iter'];

/** Where insmod finds module files. */
export class ModuleFiles {
  private byPath = new Map<string, ModuleDef>();
  add(path: string, def: ModuleDef): void {
    this.byPath.set(path.replace(/^\.\//, ''), def);
  }
  find(path: string): ModuleDef | undefined {
    return this.byPath.get(path.replace(/^\.\//, ''));
  }
}

export class Shell {
  readonly vfs: Vfs;
  /** Where `load_mod` and friends look ("test_modules"). */
  moduleDir = 'test_modules';

  constructor(
    readonly k: Kernel,
    readonly slot: number,
    readonly files: ModuleFiles,
  ) {
    this.vfs = new Vfs(k);
  }

  private get x(): Exec {
    return new Exec(this.k, this.slot);
  }

  /** Run one parsed line. Helpers may throw ScriptDied. */
  *run(l: ScriptLine): Step<CmdResult> {
    const [cmd, ...args] = l.words;
    const spec = COMMANDS[cmd];
    if (spec.kind === 'shell') return yield* this.shellCommand(cmd, args, l.redirect);
    return yield* this.helper(cmd, args);
  }

  /**
   * The shell sits in read() on its terminal until `until` (virtual µs): the next line of a
   * timed script is typed then. A signal that interrupts the read only restarts it, unless
   * the line is no longer `due` (a fork dropped it).
   */
  *waitForInput(until: number, due: () => boolean = () => true): Step<void> {
    const k = this.k;
    while (k.clock.now < until && due()) yield { kind: 'sleep', us: until - k.clock.now, state: Sched.INTERRUPTIBLE };
    k.exitToUserMode(this.slot);
  }

  /** Run a command given as text (the console, and the CMD of the wait/assert commands). */
  *runText(text: string): Step<CmdResult> {
    const p = parseLine(text, 1);
    if (p === null) return { out: [], err: [], status: 0 };
    if ('error' in p) return { out: [], err: [p.error.replace(/^line 1: /, '')], status: 2 };
    return yield* this.run(p);
  }

  // ------------------------------------------------------------------ processes

  /**
   * fork + exec of an external command: the child is a task of its own that runs `body`
   * and exits; the shell sleeps in wait4() meanwhile.
   */
  private *spawn(comm: string, body: (x: Exec) => Step<CmdResult>): Step<CmdResult> {
    const k = this.k;
    const child = k.fork(this.slot, comm);
    k.tasks.set(child, TF.USER_MODE);
    const exited = new WaitQueue(`wait4 ${comm}`);
    let result: CmdResult | undefined;
    const cx = new Exec(k, child);
    k.startTask(child, (function* (): Step<void> {
      yield { kind: 'run', us: EXEC_COST_US };
      try {
        result = yield* body(cx);
      } finally {
        // do_exit() -> exit_notify(); the waiting parent reaps it: release_task().
        k.tasks.set(child, TF.EXITING);
        k.unhash(child);
        if (!result) result = { out: [], err: [], status: 137 };
        k.wakeQueue(exited);
      }
      k.reap(child);
    })(), k.cpuOf(this.slot));
    yield* this.x.within('vmlinux', WAIT4_FRAMES, function* (): Step<void> {
      while (!result) yield { kind: 'block', state: Sched.INTERRUPTIBLE, wq: exited, until: () => result !== undefined };
    });
    k.exitToUserMode(this.slot);
    return result as CmdResult;
  }

  /** A syscall made by task `x`: kernel frames while it runs, then the exit to user mode. */
  private *syscall<T>(x: Exec, frames: readonly string[], inner: () => Step<T>): Step<T> {
    const r = (yield* x.within('vmlinux', frames, inner)) as T;
    this.k.exitToUserMode(x.slot);
    return r;
  }

  private readFile(x: Exec, path: string): { ok: true; data: string } | { ok: false; errno: number } {
    const r = this.vfs.read(path, x.slot);
    this.k.exitToUserMode(x.slot);
    return r;
  }

  /** open(O_WRONLY) + write(2) as bash's `echo v > path` does it. */
  private *writeFile(x: Exec, path: string, data: string): Step<{ stage: 'open' | 'write'; errno: number }> {
    const open = this.vfs.openForWrite(path);
    if (open) return { stage: 'open' as const, errno: open };
    const vfs = this.vfs;
    const errno = runToEnd(x.within('vmlinux', WRITE_FRAMES, function* (): Step<number> {
      return vfs.write(path, data, x.slot);
    })) as number;
    this.k.exitToUserMode(x.slot);
    return { stage: 'write' as const, errno };
  }

  // ------------------------------------------------------------------ shell commands

  *shellCommand(cmd: string, args: string[], redirect?: { path: string; append: boolean }): Step<CmdResult> {
    let r: CmdResult;
    if (cmd === 'echo') {
      r = yield* this.echo(args, redirect);
      return r;
    }
    r = yield* this.external(cmd, args);
    if (redirect) {
      if (r.out.length) {
        const w = yield* this.writeFile(this.x, redirect.path, r.out.map((l) => l + '\n').join(''));
        if (w.errno) return { out: [], err: [...r.err, this.redirectError(redirect.path, w)], status: 1 };
      } else {
        const open = this.vfs.openForWrite(redirect.path);
        if (open) return { out: [], err: [...r.err, `bash: ${redirect.path}: ${strerror(open)}`], status: 1 };
      }
      return { out: [], err: r.err, status: r.status };
    }
    return r;
  }

  private redirectError(path: string, w: { stage: 'open' | 'write'; errno: number }): string {
    return w.stage === 'open' ? `bash: ${path}: ${strerror(w.errno)}` : `bash: echo: write error: ${strerror(w.errno)}`;
  }

  private *echo(args: string[], redirect?: { path: string; append: boolean }): Step<CmdResult> {
    let newline = true;
    const words = [...args];
    while (words[0] === '-n' || words[0] === '-e') {
      if (words.shift() === '-n') newline = false;
    }
    const text = words.join(' ');
    if (!redirect) return { out: [text], err: [], status: 0 };
    const w = yield* this.writeFile(this.x, redirect.path, text + (newline ? '\n' : ''));
    if (w.errno) return { out: [], err: [this.redirectError(redirect.path, w)], status: 1 };
    return { out: [], err: [], status: 0 };
  }

  private *external(cmd: string, args: string[]): Step<CmdResult> {
    const sh = this;
    switch (cmd) {
      case 'sleep': {
        const us = Math.round(Number(args[0]) * 1_000_000);
        return yield* this.spawn('sleep', function* (x) {
          yield* sh.syscall(x, NANOSLEEP_FRAMES, function* (): Step<void> {
            yield { kind: 'sleep', us: Math.max(0, us - EXEC_COST_US), state: Sched.INTERRUPTIBLE };
          });
          return { out: [], err: [], status: 0 };
        });
      }
      case 'insmod':
        return yield* this.spawn('insmod', (x) => sh.insmod(x, args[0], args.slice(1)));
      case 'rmmod':
        return yield* this.spawn('rmmod', (x) => sh.rmmod(x, args[0]));
      case 'cat':
        return yield* this.spawn('cat', function* (x) {
          const out: string[] = [];
          const err: string[] = [];
          for (const p of args) {
            const r = sh.readFile(x, p);
            if (r.ok) out.push(...lines(r.data));
            else err.push(`cat: ${p}: ${strerror(r.errno)}`);
          }
          return { out, err, status: err.length ? 1 : 0 };
        });
      case 'grep':
        return yield* this.spawn('grep', function* (x) {
          return sh.grep(x, args);
        });
      case 'ls':
        return yield* this.spawn('ls', function* (x) {
          return sh.ls(x, args);
        });
      case 'sysctl':
        return yield* this.spawn('sysctl', function* (x) {
          return yield* sh.sysctl(x, args);
        });
      case 'dmesg':
        return yield* this.spawn('dmesg', function* () {
          return { out: sh.k.log.records.map((r) => `[${(r.time / 1e6).toFixed(6).padStart(12)}] ${r.text}`), err: [], status: 0 };
        });
      case 'lsmod':
        return yield* this.spawn('lsmod', function* (x) {
          const r = sh.readFile(x, '/proc/modules');
          const rows = r.ok ? lines(r.data).map((l) => l.split(' ')) : [];
          return { out: ['Module                  Size  Used by', ...rows.map((c) => `${c[0].padEnd(24)}${c[1].padStart(6)}  ${c[2]}`)], err: [], status: 0 };
        });
    }
    return { out: [], err: [`bash: ${cmd}: command not found`], status: 127 };
  }

  private *insmod(x: Exec, path: string, params: string[]): Step<CmdResult> {
    const def = this.files.find(path);
    if (!def) return { out: [], err: [`insmod: ERROR: could not load module ${path}: No such file or directory`], status: 1 };
    const r = yield* loadModule(this.k, x, def, params);
    this.k.exitToUserMode(x.slot);
    if (r.err) return { out: [], err: [`insmod: ERROR: could not insert module ${path}: ${insmodStrerror(r.err)}`], status: 1 };
    return { out: [], err: [], status: 0 };
  }

  private *rmmod(x: Exec, name: string): Step<CmdResult> {
    const mod = this.k.modules.get(name.replace(/\.ko$/, ''));
    if (!mod) return { out: [], err: [`rmmod: ERROR: Module ${name} is not currently loaded`], status: 1 };
    // kmod checks /sys/module/<m>/refcnt before calling delete_module().
    if (mod.refcnt > 0) return { out: [], err: [`rmmod: ERROR: Module ${name} is in use`], status: 1 };
    const err = yield* deleteModule(this.k, x, mod.name);
    this.k.exitToUserMode(x.slot);
    if (err) return { out: [], err: [`rmmod: ERROR: could not remove module ${name}: ${strerror(err)}`], status: 1 };
    return { out: [], err: [], status: 0 };
  }

  private grep(x: Exec, args: string[]): CmdResult {
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
      const r = this.readFile(x, p);
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
  }

  private ls(x: Exec, args: string[]): CmdResult {
    const long = args.includes('-l');
    const paths = args.filter((a) => !a.startsWith('-'));
    if (!paths.length) paths.push('/');
    const out: string[] = [];
    const err: string[] = [];
    for (const p of paths) {
      const n = this.vfs.lookup(p);
      this.k.exitToUserMode(x.slot);
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
        const c = this.vfs.lookup(`${p}/${name}`);
        out.push(long && c ? `${modeString(c)} ${c.kind === 'dir' ? 2 : 1} root root ${c.kind === 'dir' ? 0 : 4096} ${name}` : name);
      }
    }
    return { out, err, status: err.length ? 2 : 0 };
  }

  private *sysctl(x: Exec, args: string[]): Step<CmdResult> {
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
      if (!this.vfs.lookup(path)) {
        err.push(`sysctl: cannot stat ${path}: No such file or directory`);
        continue;
      }
      if (eq < 0) {
        const r = this.readFile(x, path);
        if (r.ok) out.push(valuesOnly ? r.data.trim() : `${key} = ${r.data.trim()}`);
        continue;
      }
      const val = a.slice(eq + 1);
      const w = yield* this.writeFile(x, path, val + '\n');
      if (w.errno) err.push(`sysctl: setting key "${key}": ${strerror(w.errno)}`);
      else if (!quiet) out.push(`${key} = ${val}`);
    }
    return { out, err, status: err.length ? 1 : 0 };
  }

  // ------------------------------------------------------------------ functions.sh helpers

  /** `log msg`: one kmsg record written by the shell itself. */
  private *log(msg: string): Step<void> {
    yield* this.writeFile(this.x, '/dev/kmsg', msg + '\n');
  }

  private *die(msg: string): Step<never> {
    yield* this.log(`ERROR: ${msg}`);
    throw new ScriptDied(msg, 1);
  }

  /** loop_until: up to 601 evaluations with `sleep .1` between them. */
  private *loopUntil(cond: () => Step<boolean>): Step<boolean> {
    for (let i = 0; ; i++) {
      if (yield* cond()) return true;
      if (i === MAX_RETRIES) return false;
      yield* this.external('sleep', [String(RETRY_INTERVAL_US / 1e6)]);
    }
  }

  private *exists(path: string): Step<boolean> {
    // [[ -e path ]] is a stat() by bash itself.
    const n = this.vfs.lookup(path);
    this.k.exitToUserMode(this.slot);
    return n !== null;
  }

  private *capture(cmd: string, args: string[]): Step<string> {
    const r = yield* this.external(cmd, args);
    return [...r.out, ...r.err].join('\n');
  }

  private *isLivepatchMod(mod: string): Step<boolean> {
    const def = this.files.find(`${this.moduleDir}/${mod}.ko`);
    if (!def) yield* this.die(`Can't find "${this.moduleDir}/${mod}.ko", try "make"`);
    return def?.livepatch === true;
  }

  private *loadModLine(mod: string, params: string[]): Step<string> {
    const msg = `% insmod ${this.moduleDir}/${mod}.ko ${params.join(' ')}`;
    yield* this.log(msg.endsWith(' ') ? msg.slice(0, -1) : msg);
    return yield* this.capture('insmod', [`${this.moduleDir}/${mod}.ko`, ...params]);
  }

  private *__loadMod(mod: string, params: string[]): Step<void> {
    const ret = yield* this.loadModLine(mod, params);
    if (ret) yield* this.die(ret);
    const sh = this;
    if (!(yield* this.loopUntil(() => sh.exists(`/sys/module/${mod}`)))) yield* this.die(`failed to load module ${mod}`);
  }

  private *loadLpNowait(mod: string, params: string[]): Step<void> {
    if (!(yield* this.isLivepatchMod(mod))) yield* this.die(`module ${mod} is not a livepatch`);
    yield* this.__loadMod(mod, params);
    const sh = this;
    if (!(yield* this.loopUntil(() => sh.exists(`${SYSFS_KLP_DIR}/${mod}`)))) yield* this.die(`failed to load module ${mod} (sysfs)`);
  }

  private *grepQ(pattern: string, path: string): Step<boolean> {
    const r = yield* this.external('grep', ['-q', pattern, path]);
    return r.status === 0;
  }

  private *catValue(path: string): Step<string> {
    const r = yield* this.external('cat', [path]);
    return r.out.join('\n');
  }

  private *unloadMod(mod: string): Step<void> {
    const sh = this;
    const ok = yield* this.loopUntil(function* () {
      return (yield* sh.catValue(`/sys/module/${mod}/refcnt`)) === '0';
    });
    if (!ok) yield* this.die(`failed to unload module ${mod} (refcnt)`);
    yield* this.log(`% rmmod ${mod}`);
    const ret = yield* this.capture('rmmod', [mod]);
    if (ret) yield* this.die(ret);
    if (!(yield* this.loopUntil(function* () {
      return !(yield* sh.exists(`/sys/module/${mod}`));
    }))) yield* this.die(`failed to unload module ${mod} (/sys/module)`);
  }

  *helper(cmd: string, args: string[]): Step<CmdResult> {
    const sh = this;
    const ok: CmdResult = { out: [], err: [], status: 0 };
    switch (cmd) {
      case 'log':
        yield* this.log(args[0]);
        return ok;
      case 'load_mod': {
        const [mod, ...params] = args;
        if (yield* this.isLivepatchMod(mod)) yield* this.die(`use load_lp() to load the livepatch module ${mod}`);
        yield* this.__loadMod(mod, params);
        return ok;
      }
      case 'load_lp_nowait':
        yield* this.loadLpNowait(args[0], args.slice(1));
        return ok;
      case 'load_lp': {
        const mod = args[0];
        yield* this.loadLpNowait(mod, args.slice(1));
        if (!(yield* this.loopUntil(() => sh.grepQ('^0$', `${SYSFS_KLP_DIR}/${mod}/transition`)))) yield* this.die('failed to complete transition');
        return ok;
      }
      case 'load_failing_mod': {
        const [mod, ...params] = args;
        const ret = yield* this.loadModLine(mod, params);
        if (!ret) yield* this.die(`${mod} unexpectedly loaded`);
        yield* this.log(ret);
        return ok;
      }
      case 'unload_mod':
      case 'unload_lp':
        yield* this.unloadMod(args[0]);
        return ok;
      case 'disable_lp': {
        const mod = args[0];
        const path = `${SYSFS_KLP_DIR}/${mod}/enabled`;
        yield* this.log(`% echo 0 > ${path}`);
        const r = yield* this.shellCommand('echo', ['0'], { path, append: false });
        if (!(yield* this.loopUntil(function* () {
          return !(yield* sh.exists(`${SYSFS_KLP_DIR}/${mod}`));
        }))) yield* this.die(`failed to disable livepatch ${mod}`);
        return { out: [], err: r.err, status: 0 };
      }
      case 'set_pre_patch_ret': {
        const [mod, ret] = args;
        const path = `/sys/module/${mod}/parameters/pre_patch_ret`;
        yield* this.log(`% echo ${ret} > ${path}`);
        yield* this.shellCommand('echo', [ret], { path, append: false });
        if (!(yield* this.loopUntil(function* () {
          return (yield* sh.catValue(path)) === ret;
        }))) yield* this.die(`failed to set pre_patch_ret parameter for ${mod} module`);
        return ok;
      }
      case 'set_ftrace_enabled': {
        const canFail = args[0] === '--fail';
        const value = canFail ? args[1] : args[0];
        const err = yield* this.capture('sysctl', ['-q', `kernel.ftrace_enabled=${value}`]);
        const result = yield* this.capture('sysctl', ['--values', 'kernel.ftrace_enabled']);
        if (result !== value) {
          if (canFail) {
            yield* this.log(`livepatch: ${err}`.replace('/proc/sys/kernel/', 'kernel.'));
            return ok;
          }
          yield* this.log(`SKIP: failed to set kernel.ftrace_enabled = ${value}`);
          throw new ScriptDied(`SKIP: failed to set kernel.ftrace_enabled = ${value}`, 4);
        }
        yield* this.log(`livepatch: kernel.ftrace_enabled = ${result}`);
        return ok;
      }
      case 'check_sysfs_rights': {
        const [mod, rel, expected] = args;
        const path = `${SYSFS_KLP_DIR}/${mod}/${rel}`;
        const n = this.vfs.lookup(path);
        const rights = n ? modeString(n) : '';
        if (rights !== expected) yield* this.die(`Unexpected access rights of ${path}: ${expected} vs. ${rights}`);
        return ok;
      }
      case 'check_sysfs_value': {
        const [mod, rel, expected] = args;
        const path = `${SYSFS_KLP_DIR}/${mod}/${rel}`;
        const value = (yield* this.catValue(path)).split(/\s+/).filter(Boolean).join(' ');
        if (value !== expected) yield* this.die(`Unexpected value in ${path}: ${expected} vs. ${value}`);
        return ok;
      }
      case 'trace_function': {
        yield* this.cleanupTracing();
        const dir = '/sys/kernel/tracing';
        yield* this.shellCommand('echo', ['function'], { path: `${dir}/current_tracer`, append: false });
        yield* this.shellCommand('echo', [args[0]], { path: `${dir}/set_ftrace_filter`, append: false });
        yield* this.shellCommand('echo', ['1'], { path: `${dir}/tracing_on`, append: false });
        return ok;
      }
      case 'check_traced_functions': {
        for (const f of args) {
          const r = yield* this.external('grep', ['-Fwq', f, '/sys/kernel/tracing/trace']);
          if (r.status !== 0) yield* this.die(`Function (${f}) did not appear in the trace`);
        }
        yield* this.cleanupTracing();
        return ok;
      }
      case 'wait_sysfs': {
        const [path, value] = args;
        if (!(yield* this.loopUntil(() => sh.grepQ(`^${value.replace(/[.*[\]\\^$]/g, '\\$&')}$`, path)))) yield* this.die(`timed out waiting for ${path} to read ${value}`);
        return ok;
      }
      case 'wait_count': {
        const [inner, n] = args;
        if (!(yield* this.loopUntil(function* () {
          return (yield* sh.countLines(inner)) === Number(n);
        }))) yield* this.die(`timed out waiting for '${inner}' to print ${n} lines`);
        return ok;
      }
      case 'assert_count': {
        const [inner, n] = args;
        const got = yield* this.countLines(inner);
        if (got !== Number(n)) yield* this.die(`'${inner}' printed ${got} lines, expected ${n}`);
        return ok;
      }
      case 'assert_output':
      case 'assert_output_not': {
        const [inner, text] = args;
        const r = yield* this.runText(inner);
        const got = [...r.out, ...r.err].join('\n');
        if (cmd === 'assert_output' && got !== text) yield* this.die(`'${inner}' printed '${got}', expected '${text}'`);
        if (cmd === 'assert_output_not' && got === text) yield* this.die(`'${inner}' printed '${got}'`);
        return ok;
      }
    }
    throw new Error(`model bug: helper ${cmd} not implemented`);
  }

  private *countLines(cmd: string): Step<number> {
    const r = yield* this.runText(cmd);
    return r.out.length;
  }

  private *cleanupTracing(): Step<void> {
    const dir = '/sys/kernel/tracing';
    yield* this.shellCommand('echo', ['0'], { path: `${dir}/tracing_on`, append: false });
    yield* this.shellCommand('echo', [''], { path: `${dir}/set_ftrace_filter`, append: false });
    yield* this.shellCommand('echo', ['nop'], { path: `${dir}/current_tracer`, append: false });
    yield* this.shellCommand('echo', [''], { path: `${dir}/trace`, append: false });
  }
}

function lines(data: string): string[] {
  if (data === '') return [];
  const l = data.split('\n');
  if (l[l.length - 1] === '') l.pop();
  return l;
}
