// procps-ng: sysctl, and ps as an SRE types it (`ps`, `ps -e`, `ps -ef`, `ps -eo
// pid,comm,stat`, `ps -L`, `ps aux`). ps reads what /proc/<pid>/stat and /proc/<pid>/stack
// show (the task table; SCHED_LETTER is the one rule for the state letter) and pays the
// reads in virtual time, PS_US_PER_TASK per task, so a million tasks take seconds as they do.
//
// The model has no thread groups: every task is a process of one thread (`ps -L` shows LWP
// = PID, NLWP 1). It keeps no CPU accounting, start times, parents or memory sizes: TIME is
// 0:00, STIME and START the boot, PPID 2 for kthreads (kthreadd), the shell for its children
// and 1 otherwise, %CPU, %MEM, VSZ and RSS 0. Those columns are stand-ins (docs/console.md).

import { strerror } from '../../kernel/errno';
import type { Exec, Step } from '../../kernel/exec';
import { inSchedFunctions } from '../../kernel/schedText';
import { SCHED_LETTER, Sched, TF } from '../../kernel/tasks';
import type { Shell } from '../shell';
import { shellCommands, type CmdResult } from './registry';

/** What reading one task's /proc files costs ps (virtual µs). */
const PS_US_PER_TASK = 5;

// ------------------------------------------------------------------ sysctl

shellCommands.register({
  name: 'sysctl',
  usage: 'sysctl [-q] kernel.ftrace_enabled=N | sysctl [-n|--values] kernel.ftrace_enabled',
  args: { min: 1, max: 3 },
  bin: '/usr/sbin/sysctl',
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
      if (!sh.lookup(path)) {
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

// ------------------------------------------------------------------ ps

/** One task as ps sees it. */
interface Proc {
  slot: number;
  pid: number;
}

interface Column {
  header: string;
  width: number;
  right: boolean;
  value(p: Proc, c: PsContext): string;
}

interface PsContext {
  sh: Shell;
  /** The ps process itself, and the words it was run with. */
  self: number;
  argv: string[];
}

function kthread(c: PsContext, p: Proc): boolean {
  return c.sh.k.tasks.has(p.slot, TF.KTHREAD);
}

function ppid(c: PsContext, p: Proc): number {
  if (p.pid <= 2) return 0;
  if (kthread(c, p)) return 2;
  if (c.sh.ttySlots.has(p.slot) && p.slot !== c.sh.slot) return c.sh.k.tasks.pid[c.sh.slot];
  return 1;
}

function stat(c: PsContext, p: Proc): string {
  const t = c.sh.k.tasks;
  const letter = SCHED_LETTER[t.sched[p.slot]];
  if (p.slot === c.sh.slot) return `${letter}s`;
  if (p.slot === c.self) return `${letter}+`;
  return letter;
}

function args(c: PsContext, p: Proc): string {
  const comm = c.sh.k.tasks.commOf(p.slot);
  if (kthread(c, p)) return `[${comm}]`;
  if (p.slot === c.self) return c.argv.join(' ');
  if (p.slot === c.sh.slot) return '-bash';
  return comm;
}

/** get_wchan(): the first function of a sleeping task's stack outside .sched.text. */
function wchan(c: PsContext, p: Proc): string {
  const k = c.sh.k;
  const s = k.tasks.sched[p.slot];
  if (s === Sched.RUNNING || s === Sched.RUNNABLE) return '-';
  for (const code of k.trie.frames(k.tasks.stack[p.slot])) {
    const sym = k.syms.codes[code];
    if (!inSchedFunctions(sym.owner, sym.name)) return sym.name;
  }
  return '-';
}

const col = (header: string, width: number, right: boolean, value: Column['value']): Column => ({ header, width, right, value });
const pidCol = (h: string) => col(h, 7, true, (p) => String(p.pid));

/** procps-ng's format specifiers (ps/output.c) the model can answer. */
const COLUMNS = new Map<string, Column>([
  ['pid', pidCol('PID')],
  ['tgid', pidCol('TGID')],
  ['lwp', pidCol('LWP')],
  ['tid', pidCol('TID')],
  ['spid', pidCol('SPID')],
  ['ppid', col('PPID', 7, true, (p, c) => String(ppid(c, p)))],
  ['comm', col('COMMAND', 15, false, (p, c) => c.sh.k.tasks.commOf(p.slot))],
  ['ucomm', col('COMMAND', 15, false, (p, c) => c.sh.k.tasks.commOf(p.slot))],
  ['ucmd', col('CMD', 15, false, (p, c) => c.sh.k.tasks.commOf(p.slot))],
  ['args', col('COMMAND', 27, false, (p, c) => args(c, p))],
  ['command', col('COMMAND', 27, false, (p, c) => args(c, p))],
  ['cmd', col('CMD', 27, false, (p, c) => args(c, p))],
  ['stat', col('STAT', 4, false, (p, c) => stat(c, p))],
  ['s', col('S', 1, false, (p, c) => SCHED_LETTER[c.sh.k.tasks.sched[p.slot]])],
  ['state', col('S', 1, false, (p, c) => SCHED_LETTER[c.sh.k.tasks.sched[p.slot]])],
  ['tty', col('TT', 8, false, (p, c) => (c.sh.ttySlots.has(p.slot) ? 'pts/0' : '?'))],
  ['tt', col('TT', 8, false, (p, c) => (c.sh.ttySlots.has(p.slot) ? 'pts/0' : '?'))],
  ['tname', col('TTY', 8, false, (p, c) => (c.sh.ttySlots.has(p.slot) ? 'pts/0' : '?'))],
  ['time', col('TIME', 8, true, () => '00:00:00')],
  ['cputime', col('TIME', 8, true, () => '00:00:00')],
  ['bsdtime', col('TIME', 6, true, () => '0:00')],
  ['nlwp', col('NLWP', 4, true, () => '1')],
  ['psr', col('PSR', 3, true, (p, c) => String(c.sh.k.cpuOf(p.slot)))],
  ['wchan', col('WCHAN', 6, false, (p, c) => wchan(c, p))],
  ['uid', col('UID', 5, true, () => '0')],
  ['user', col('USER', 8, false, () => 'root')],
  ['euser', col('EUSER', 8, false, () => 'root')],
  ['c', col('C', 2, true, () => '0')],
  ['stime', col('STIME', 5, false, () => '00:00')],
  ['start', col('START', 5, false, () => '00:00')],
  ['pcpu', col('%CPU', 4, true, () => '0.0')],
  ['pmem', col('%MEM', 4, true, () => '0.0')],
  ['vsz', col('VSZ', 6, true, () => '0')],
  ['rss', col('RSS', 5, true, () => '0')],
]);

const FORMATS = {
  default: 'pid,tname,time,ucmd',
  threads: 'pid,lwp,tname,time,ucmd',
  full: 'user:UID,pid,ppid,c,stime,tname,time,cmd',
  fullThreads: 'user:UID,pid,ppid,lwp,c,nlwp,stime,tname,time,cmd',
  bsdUser: 'user,pid,pcpu,pmem,vsz,rss,tname:TTY,stat,start,bsdtime,command',
};

const USAGE = ['', 'Usage:', ' ps [options]', '', " Try 'ps --help <simple|list|output|threads|misc|all>'", "  or 'ps --help <s|l|o|t|m|a>'", ' for additional help text.', '', 'For more details see ps(1).'];

function psError(first: string): CmdResult {
  return { out: [], err: [first, ...USAGE], status: 1 };
}

/** A -o list (`pid,comm,stat`, `user:UID` renames a header) to columns, or the error ps prints. */
function columns(spec: string): Column[] | CmdResult {
  const out: Column[] = [];
  for (const item of spec.split(/[,\s]+/).filter(Boolean)) {
    const [name, header] = item.split(/[:=](.*)/s);
    const c = COLUMNS.get(name.toLowerCase());
    if (!c) return psError(`error: unknown user-defined format specifier "${name}"`);
    out.push(header !== undefined ? { ...c, header } : c);
  }
  if (!out.length) return psError('error: unknown user-defined format specifier ""');
  return out;
}

function line(cells: string[], cols: Column[]): string {
  return cells.map((v, i) => (cols[i].right ? v.padStart(cols[i].width) : i === cells.length - 1 ? v : v.padEnd(cols[i].width))).join(' ');
}

shellCommands.register({
  name: 'ps',
  usage: 'ps [-e|-A] [-f] [-L] [-o FORMAT] | ps aux',
  args: { min: 0, max: Infinity },
  *run(sh: Shell, x: Exec, argv: string[]): Step<CmdResult> {
    let all = false;
    let full = false;
    let threads = false;
    let bsd = false;
    const formats: string[] = [];
    for (let i = 0; i < argv.length; i++) {
      const a = argv[i];
      if (/^[aux]+$/.test(a)) {
        all ||= a.includes('a') || a.includes('x');
        bsd ||= a.includes('u');
        continue;
      }
      if (!a.startsWith('-') || a === '-') return psError('error: unsupported option (BSD syntax)');
      for (let j = 1; j < a.length; j++) {
        const f = a[j];
        if (f === 'e' || f === 'A') all = true;
        else if (f === 'f') full = true;
        else if (f === 'L') threads = true;
        else if (f === 'o') {
          const rest = a.slice(j + 1) || argv[++i];
          if (rest === undefined) return psError('error: improper list');
          formats.push(rest);
          break;
        } else return psError('error: unsupported SysV option');
      }
    }
    const spec = formats.length ? formats.join(',') : bsd ? FORMATS.bsdUser : full ? (threads ? FORMATS.fullThreads : FORMATS.full) : threads ? FORMATS.threads : FORMATS.default;
    const cols = columns(spec);
    if (!Array.isArray(cols)) return cols;
    const k = sh.k;
    const slots = all ? k.listedSlots() : k.listedSlots().filter((s) => sh.ttySlots.has(s));
    // ps opens /proc/<pid>/{stat,status,cmdline} for each task.
    yield { kind: 'run', us: slots.length * PS_US_PER_TASK };
    const ctx: PsContext = { sh, self: x.slot, argv: ['ps', ...argv] };
    const out = [line(cols.map((c) => c.header), cols)];
    for (const slot of slots) {
      const p = { slot, pid: k.tasks.pid[slot] };
      out.push(line(cols.map((c) => c.value(p, ctx)), cols));
    }
    k.exitToUserMode(x.slot);
    return { out, err: [], status: 0 };
  },
});
