// The root shell of the simulated machine: the script language of conformance/README.md.
// The shell runs a parsed line (script.ts) by looking its command up in the registries
// (commands/): a shell command behaves as bash and the real tool do (an external command is
// a forked task doing real syscalls on the model), a selftest helper follows functions.sh
// (HELPERS.md) line by line. This file holds what every command stands on: processes,
// syscalls, file reads and writes, output redirection.

import { strerror } from '../kernel/errno';
import { Exec, runToEnd, WaitQueue, type Step } from '../kernel/exec';
import type { Kernel } from '../kernel/kernel';
import type { ModuleDef } from '../kernel/module';
import { EMPTY_STACK } from '../kernel/stacks';
import { Sched, TF, wakesOnSignal } from '../kernel/tasks';
import { Vfs, type Node } from '../kernel/vfs';
import { EXEC_COST_US } from './commands/coreutils';
import { ok, selftestHelpers, shellCommands, type CmdResult, type CommandIO } from './commands/registry';
import { ARG_MAX, expandGlob } from './glob';
import { Jobs, type Job } from './jobs';
import { ASSIGNMENT, parseLine, type ScriptLine } from './script';
import type { Redirect, SimpleCommand, WordPart } from './words';

const EXECVE_FRAMES = ['entry_SYSCALL_64_after_hwframe', 'do_syscall_64', '__x64_sys_execve', 'do_execveat_common', 'bprm_execve'];
const READ_FRAMES = ['entry_SYSCALL_64_after_hwframe', 'do_syscall_64', 'ksys_read', 'vfs_read', 'seq_read', 'seq_read_iter'];
const WAIT4_FRAMES = ['entry_SYSCALL_64_after_hwframe', 'do_syscall_64', '__x64_sys_wait4', 'kernel_wait4', 'do_wait'];
const WRITE_FRAMES = ['entry_SYSCALL_64_after_hwframe', 'do_syscall_64', 'ksys_write', 'vfs_write', 'kernfs_fop_write_iter'];
/**
 * The most lines of one command's output the terminal keeps (the console and the CLI hold
 * every result): more are cut, with a note, so `ps -e` at a million tasks stays usable.
 * A pipe or a redirection gets every line.
 */
export const TERMINAL_MAX_LINES = 10_000;

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
  /** The working directory (bash's $PWD) and the previous one ($OLDPWD). */
  cwd = '/';
  oldpwd?: string;
  /** The shell and the children it runs on its terminal (ps shows them on pts/0). */
  readonly ttySlots = new Set<number>();
  /** Shell variables (`NAME=value`, read as `$NAME`). */
  readonly vars = new Map<string, string>();
  /** `$?`: the status of the last line. */
  lastStatus = 0;
  /** Background jobs (`CMD &`). */
  readonly jobs = new Jobs();

  constructor(
    readonly k: Kernel,
    readonly slot: number,
    readonly files: ModuleFiles,
  ) {
    this.vfs = new Vfs(k);
    this.ttySlots.add(slot);
  }

  /** The shell process itself, for the syscalls it makes (builtins, redirections). */
  get x(): Exec {
    return new Exec(this.k, this.slot);
  }

  /** A path as the kernel resolves it for this shell: absolute, normalised. */
  path(p: string): string {
    return this.vfs.normalize(p.startsWith('/') ? p : `${this.cwd}/${p}`);
  }

  /** stat(2) of a path relative to the working directory (no syscall bookkeeping). */
  lookup(p: string): Node | null {
    return this.vfs.lookup(this.path(p));
  }

  /** Run one parsed line. Helpers may throw ScriptDied. */
  *run(l: ScriptLine): Step<CmdResult> {
    // read() on the terminal returned the line: bash runs it from user space (a command's
    // syscalls start from an empty kernel stack), then goes back to reading the next one.
    const k = this.k;
    const reading = k.tasks.stack[this.slot];
    k.tasks.stack[this.slot] = EMPTY_STACK;
    try {
      const r = l.background ? yield* this.background(l.commands[0]) : yield* this.runLine(l);
      this.lastStatus = r.status;
      return r;
    } finally {
      k.tasks.stack[this.slot] = reading;
    }
  }

  private *runLine(l: ScriptLine): Step<CmdResult> {
    const first = l.commands[0];
    if (l.commands.length === 1 && ASSIGNMENT.test(first.words[0])) {
      const [word] = yield* this.expandParams(first);
      const eq = word.indexOf('=');
      this.vars.set(word.slice(0, eq), word.slice(eq + 1));
      return ok();
    }
    const helper = l.commands.length === 1 ? selftestHelpers.get(first.words[0]) : undefined;
    if (helper) {
      const words = yield* this.expand(first);
      if (!words) return tooLong(helper.name);
      return yield* helper.run(this, words.slice(1));
    }
    const r = yield* this.pipeline(l.commands);
    const redirected = l.commands[l.commands.length - 1].redirect !== undefined;
    if (redirected || r.out.length <= TERMINAL_MAX_LINES) return r;
    const cut = `(${r.out.length.toLocaleString('en-US')} lines of output; the terminal keeps the first ${TERMINAL_MAX_LINES.toLocaleString('en-US')}: pipe it through grep, head, tail or wc -l)`;
    return { out: r.out.slice(0, TERMINAL_MAX_LINES), err: [...r.err, cut], status: r.status };
  }

  /** A pipeline: each command's output is the next one's input; the status is the last one's. */
  private *pipeline(commands: readonly SimpleCommand[]): Step<CmdResult> {
    let stdin: string[] | undefined;
    const err: string[] = [];
    let last: CmdResult = ok();
    for (let i = 0; i < commands.length; i++) {
      const c = commands[i];
      const words = yield* this.expand(c);
      const r = words
        ? yield* this.shellCommand(words[0], words.slice(1), c.redirect, { stdin, subshell: commands.length > 1 })
        : tooLong(shellCommands.get(c.words[0])?.bin ?? `/usr/bin/${c.words[0]}`);
      err.push(...r.err);
      stdin = r.out;
      last = r;
    }
    return commands.length === 1 ? last : { out: last.out, err, status: last.status };
  }

  /** The words with their parameters and command substitutions filled in. */
  private *expandParams(c: SimpleCommand): Step<string[]> {
    if (!c.expansions) return c.words;
    const out: string[] = [];
    for (let i = 0; i < c.words.length; i++) {
      const parts = c.expansions[i];
      if (!parts) {
        out.push(c.words[i]);
        continue;
      }
      let w = '';
      for (const p of parts) w += yield* this.expandPart(p);
      out.push(w);
    }
    return out;
  }

  private *expandPart(p: WordPart): Step<string> {
    if (typeof p === 'string') return p;
    if ('param' in p) {
      switch (p.param) {
        case '!':
          return this.jobs.lastPid === undefined ? '' : String(this.jobs.lastPid);
        case '?':
          return String(this.lastStatus);
        case '$':
          return String(this.k.tasks.pid[this.slot]);
        case '#':
          return '0';
        default:
          return this.vars.get(p.param) ?? '';
      }
    }
    // $(CMD): its output without the trailing newlines; unquoted, split into words (joined
    // back by one space here: a word stays one word in this shell).
    const r = yield* this.runText(p.command);
    const text = r.out.join('\n').replace(/\n+$/, '');
    return p.quoted ? text : text.split(/\s+/).filter((s) => s !== '').join(' ');
  }

  /** The words of a command after expansion; null when they exceed ARG_MAX. */
  private *expand(c: SimpleCommand): Step<string[] | null> {
    if (c.expansions) return yield* this.expandParams(c);
    if (c.patterns.every((p) => p === null)) return c.words;
    const budget = { bytes: 0 };
    const out: string[] = [];
    for (let i = 0; i < c.words.length; i++) {
      const pattern = c.patterns[i];
      if (pattern === null) {
        out.push(c.words[i]);
        budget.bytes += c.words[i].length + 1;
        continue;
      }
      const e = expandGlob(this, pattern, c.words[i], budget);
      if (!e.ok) return null;
      for (const w of e.words) out.push(w);
    }
    // bash read the directories (getdents64, stat) and returned to user mode.
    this.k.exitToUserMode(this.slot);
    return budget.bytes > ARG_MAX ? null : out;
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

  /**
   * Ctrl-C on the terminal: the tty sends SIGINT to the foreground process group
   * (n_tty_receive_signal_char() -> isig() -> kill_pgrp()). A foreground child sleeping
   * interruptibly takes the default action and exits at once; one in a D-state sleep or on a
   * CPU takes it on its way back to user space (the runner drops what it did). The shell
   * itself, in an interruptible sleep (a helper's poll), is woken. Background jobs are in
   * another process group and are not touched.
   */
  interruptForeground(): void {
    const k = this.k;
    for (const s of [...this.ttySlots]) {
      if (s === this.slot || this.jobs.bySlot(s)) continue;
      if (wakesOnSignal(k.tasks.sched[s])) k.killTask(s);
    }
    k.wakeInterruptible(this.slot);
  }

  /** Run a command given as text (the CMD of the wait/assert commands). */
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
    const child = this.k.fork(this.slot, comm);
    const exited = new WaitQueue(`wait4 ${comm}`);
    let result: CmdResult | undefined;
    this.startChild(child, body, (r) => {
      result = r;
      this.k.wakeQueue(exited);
    });
    yield* this.x.within('vmlinux', WAIT4_FRAMES, function* (): Step<void> {
      while (!result) yield { kind: 'block', state: Sched.INTERRUPTIBLE, wq: exited, until: () => result !== undefined };
    });
    this.k.exitToUserMode(this.slot);
    return result as CmdResult;
  }

  /** `CMD &`: fork and exec the command as a job and go on without waiting; `$!` is its pid. */
  private *background(c: SimpleCommand): Step<CmdResult> {
    const words = yield* this.expand(c);
    if (!words) return tooLong(shellCommands.get(c.words[0])?.bin ?? `/usr/bin/${c.words[0]}`);
    const [cmd, ...args] = words;
    const spec = shellCommands.get(cmd);
    if (!spec || spec.builtin) return { out: [], err: [`bash: ${cmd}: command not found`], status: 127 };
    const k = this.k;
    const child = k.fork(this.slot, cmd.replace(/^.*\//, '').slice(0, 15));
    const job = this.jobs.add(k.tasks.pid[child], child, cmd);
    this.startChild(child, (x) => spec.run(this, x, args, {}), (r) => {
      job.result = job.killedBy !== undefined ? { ...r, status: 128 + job.killedBy } : r;
      k.wakeQueue(job.exited);
    }, () => {
      job.started = true;
      return job.killedBy !== undefined;
    });
    return ok();
  }

  /** `wait` for one job (its status), or for every job (0), as bash's builtin does. */
  *waitJobs(pids: number[] | null): Step<CmdResult> {
    const targets: Job[] = [];
    const err: string[] = [];
    let status = 0;
    for (const pid of pids ?? this.jobs.all().map((j) => j.pid)) {
      const job = this.jobs.get(pid);
      if (!job) {
        err.push(`bash: wait: pid ${pid} is not a child of this shell`);
        status = 127;
      } else targets.push(job);
    }
    for (const job of targets) {
      if (!job.result) {
        yield* this.x.within('vmlinux', WAIT4_FRAMES, function* (): Step<void> {
          while (!job.result) yield { kind: 'block', state: Sched.INTERRUPTIBLE, wq: job.exited, until: () => job.result !== undefined };
        });
        this.k.exitToUserMode(this.slot);
      }
      this.jobs.forget(job);
      if (pids) status = (job.result as CmdResult).status;
    }
    return { out: [], err, status };
  }

  /** Run `body` as the program of the forked `child`; `done` gets its result when it has exited. */
  private startChild(child: number, body: (x: Exec) => Step<CmdResult>, done: (r: CmdResult) => void, killed: () => boolean = () => false): void {
    const k = this.k;
    k.tasks.set(child, TF.USER_MODE);
    let result: CmdResult | undefined;
    const cx = new Exec(k, child);
    const tty = this.ttySlots;
    tty.add(child);
    k.startTask(child, (function* (): Step<void> {
      // ret_from_fork -> syscall_exit_to_user_mode(): the child leaves its fresh kernel stack
      // for user space, where the forked bash execve()s the command.
      k.tasks.stack[child] = EMPTY_STACK;
      k.exitToUserMode(child);
      try {
        // A fatal signal that came before the child first ran: it dies at once.
        if (killed()) return;
        yield* cx.within('vmlinux', EXECVE_FRAMES, function* (): Step<void> {
          yield { kind: 'run', us: EXEC_COST_US };
        });
        k.exitToUserMode(child);
        result = yield* body(cx);
      } finally {
        // do_exit() -> exit_notify(); the waiting parent reaps it: release_task().
        k.tasks.set(child, TF.EXITING);
        k.unhash(child);
        tty.delete(child);
        done(result ?? { out: [], err: [], status: 137 });
        k.reap(child);
      }
    })(), k.cpuOf(this.slot));
  }

  /** An external command, run as a child process (no redirection). */
  *external(cmd: string, args: string[], io: CommandIO = {}): Step<CmdResult> {
    const c = shellCommands.get(cmd);
    if (!c || c.builtin) return { out: [], err: [`bash: ${cmd}: command not found`], status: 127 };
    return yield* this.spawn(cmd, (x) => c.run(this, x, args, io));
  }

  /** A syscall made by task `x`: kernel frames while it runs, then the exit to user mode. */
  *syscall<T>(x: Exec, frames: readonly string[], inner: () => Step<T>): Step<T> {
    const r = (yield* x.within('vmlinux', frames, inner)) as T;
    this.k.exitToUserMode(x.slot);
    return r;
  }

  readFile(x: Exec, path: string): { ok: true; data: string } | { ok: false; errno: number } {
    // read(2) of a seq_file; /proc/<pid>/stack is shown by proc_pid_stack() (fs/proc/base.c),
    // so `cat /proc/self/stack` sees the reader inside it.
    const vfs = this.vfs;
    const file = this.path(path);
    const frames = /^\/proc\/[^/]+\/(task\/[^/]+\/)?stack$/.test(file) ? [...READ_FRAMES, 'proc_single_show', 'proc_pid_stack'] : READ_FRAMES;
    const r = runToEnd(x.within('vmlinux', frames, function* () {
      return vfs.read(file, x.slot);
    })) as ReturnType<Vfs['read']>;
    this.k.exitToUserMode(x.slot);
    return r;
  }

  /** open(O_WRONLY) + write(2) as bash's `echo v > path` does it. */
  *writeFile(x: Exec, file: string, data: string): Step<{ stage: 'open' | 'write'; errno: number }> {
    const path = this.path(file);
    const open = this.vfs.openForWrite(path);
    if (open) return { stage: 'open' as const, errno: open };
    const vfs = this.vfs;
    const errno = runToEnd(x.within('vmlinux', WRITE_FRAMES, function* (): Step<number> {
      return vfs.write(path, data, x.slot);
    })) as number;
    this.k.exitToUserMode(x.slot);
    return { stage: 'write' as const, errno };
  }

  // ------------------------------------------------------------------ redirection

  /** A shell command with its output redirection: builtins redirect themselves. */
  *shellCommand(cmd: string, args: string[], redirect?: Redirect, io: CommandIO = {}): Step<CmdResult> {
    const c = shellCommands.get(cmd);
    if (c?.builtin) return yield* c.run(this, this.x, args, { ...io, redirect });
    const r = yield* this.external(cmd, args, io);
    if (!redirect) return r;
    if (r.out.length) {
      const w = yield* this.writeFile(this.x, redirect.path, r.out.map((l) => l + '\n').join(''));
      if (w.errno) return { out: [], err: [...r.err, this.redirectError(redirect.path, w)], status: 1 };
    } else {
      const open = this.vfs.openForWrite(this.path(redirect.path));
      if (open) return { out: [], err: [...r.err, `bash: ${redirect.path}: ${strerror(open)}`], status: 1 };
    }
    return { out: [], err: r.err, status: r.status };
  }

  redirectError(path: string, w: { stage: 'open' | 'write'; errno: number }): string {
    return w.stage === 'open' ? `bash: ${path}: ${strerror(w.errno)}` : `bash: echo: write error: ${strerror(w.errno)}`;
  }
}

/** What bash says when execve() refuses the expanded words. */
function tooLong(bin: string): CmdResult {
  return { out: [], err: [`bash: ${bin}: Argument list too long`], status: 126 };
}
