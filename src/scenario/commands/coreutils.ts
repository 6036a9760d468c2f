// coreutils (cat, ls, head, tail, wc, sleep) and util-linux's dmesg, as they behave on a real
// machine. Each runs as a forked task doing real syscalls on the model (see Shell.spawn);
// their messages are the tools' own. A tool given no FILE reads what is piped in; with no
// pipe it reads the terminal, which has nothing typed ahead: end of file at once.

import { strerror } from '../../kernel/errno';
import type { Exec, Step } from '../../kernel/exec';
import { Sched } from '../../kernel/tasks';
import { modeString } from '../../kernel/vfs';
import type { Shell } from '../shell';
import { gnuOptions } from './getopt';
import { shellCommands, type CmdResult } from './registry';

const NANOSLEEP_FRAMES = ['entry_SYSCALL_64_after_hwframe', 'do_syscall_64', '__x64_sys_clock_nanosleep', 'hrtimer_nanosleep', 'do_nanosleep', 'schedule'];
/** What fork+exec costs before the tool's own work starts (virtual µs). */
export const EXEC_COST_US = 400;

/** Append every line of `more` to `out` (a spread of a million lines would overflow the call stack). */
export function append(out: string[], more: readonly string[]): void {
  for (const l of more) out.push(l);
}

/** A file's contents as lines (no trailing empty line). */
export function lines(data: string): string[] {
  if (data === '') return [];
  const l = data.split('\n');
  if (l[l.length - 1] === '') l.pop();
  return l;
}

/** The size stat(2) reports: sysfs attributes are a page, procfs files 0. */
function statSize(sh: Shell, path: string): number {
  return sh.path(path).startsWith('/proc/') ? 0 : 4096;
}

// ------------------------------------------------------------------ cat, ls

shellCommands.register({
  name: 'cat',
  usage: 'cat [PATH...]',
  args: { min: 0, max: Infinity },
  *run(sh, x, args, io) {
    if (!args.length) return { out: io.stdin ?? [], err: [], status: 0 };
    const out: string[] = [];
    const err: string[] = [];
    for (const p of args) {
      if (p === '-') {
        append(out, io.stdin ?? []);
        continue;
      }
      const r = sh.readFile(x, p);
      if (r.ok) append(out, lines(r.data));
      else err.push(`cat: ${p}: ${strerror(r.errno)}`);
    }
    return { out, err, status: err.length ? 1 : 0 };
  },
});

shellCommands.register({
  name: 'ls',
  usage: 'ls [-l] [-1] [PATH...]',
  args: { min: 0, max: Infinity },
  *run(sh, x, args) {
    // GNU ls: options anywhere before `--` (-l long, -1 one per line, as a pipe gets anyway);
    // file operands listed first, then each directory under a `DIR:` header when there are
    // several operands, a blank line between the parts.
    const o = gnuOptions('ls', args, 'l1');
    if ('error' in o) return { out: [], err: [o.error, "Try 'ls --help' for more information."], status: 2 };
    const long = o.flags.has('l');
    const paths = o.operands;
    if (!paths.length) paths.push('.');
    const err: string[] = [];
    const files: string[] = [];
    const dirs: { path: string; names: string[] }[] = [];
    for (const p of paths) {
      const n = sh.lookup(p);
      sh.k.exitToUserMode(x.slot);
      if (!n) err.push(`ls: cannot access '${p}': No such file or directory`);
      else if (n.kind === 'file') files.push(p);
      else dirs.push({ path: p, names: [...n.list()].sort() });
    }
    const entry = (path: string, name: string): string => {
      const c = sh.lookup(path);
      if (!long || !c) return name;
      return c.kind === 'dir' ? `${modeString(c)} 2 root root 0 ${name}` : `${modeString(c)} 1 root root ${statSize(sh, path)} ${name}`;
    };
    const out: string[] = [];
    for (const f of files.sort()) out.push(entry(f, f));
    dirs.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
    dirs.forEach((d, i) => {
      if (files.length || i > 0) out.push('');
      if (paths.length > 1) out.push(`${d.path}:`);
      if (long) out.push('total 0');
      for (const name of d.names) out.push(entry(`${d.path}/${name}`, name));
    });
    return { out, err, status: err.length ? 2 : 0 };
  },
});

// ------------------------------------------------------------------ head, tail, wc

/** The inputs of a filter: each FILE, or the pipe when there is none. */
function* inputs(sh: Shell, x: Exec, tool: string, files: string[], stdin: string[] | undefined, err: string[]): Generator<{ name: string; data: string[] }> {
  if (!files.length) {
    yield { name: '-', data: stdin ?? [] };
    return;
  }
  for (const f of files) {
    if (f === '-') {
      yield { name: tool === 'wc' ? '-' : 'standard input', data: stdin ?? [] };
      continue;
    }
    const r = sh.readFile(x, f);
    if (r.ok) yield { name: f, data: lines(r.data) };
    // head and tail open(), then read(): a directory opens, and its read fails.
    else if (tool !== 'wc' && r.errno !== -21) err.push(`${tool}: cannot open '${f}' for reading: ${strerror(r.errno)}`);
    else if (tool !== 'wc') err.push(`${tool}: error reading '${f}': ${strerror(r.errno)}`);
    else err.push(`wc: ${f}: ${strerror(r.errno)}`);
  }
}

/** head and tail's `-n N`, `-nN`, `-N`, `--lines=N`: the count and the rest, or an error. */
function lineCount(tool: string, args: string[]): { n: number; fromStart: boolean; files: string[] } | { error: string[] } {
  let n = 10;
  let fromStart = false;
  const files: string[] = [];
  const take = (v: string | undefined): string | null => {
    if (v !== undefined && /^[+-]?\d+$/.test(v)) {
      fromStart = tool === 'tail' && v.startsWith('+');
      n = Math.abs(Number(v));
      return null;
    }
    return `${tool}: invalid number of lines: ‘${v ?? ''}’`;
  };
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    let bad: string | null = null;
    if (a === '-n' || a === '--lines') {
      if (i + 1 >= args.length) return { error: [`${tool}: option requires an argument -- 'n'`, `Try '${tool} --help' for more information.`] };
      bad = take(args[++i]);
    } else if (a.startsWith('--lines=')) bad = take(a.slice(8));
    else if (a.startsWith('-n')) bad = take(a.slice(2));
    else if (/^-\d+$/.test(a)) bad = take(a.slice(1));
    else if (a.startsWith('-') && a !== '-') return { error: [`${tool}: invalid option -- '${a[1]}'`, `Try '${tool} --help' for more information.`] };
    else files.push(a);
    if (bad) return { error: [bad] };
  }
  return { n, fromStart, files };
}

const utf8 = new TextEncoder();

function headTail(tool: 'head' | 'tail') {
  return function* (sh: Shell, x: Exec, args: string[], io: { stdin?: string[] }): Step<CmdResult> {
    const o = lineCount(tool, args);
    if ('error' in o) return { out: [], err: o.error, status: 1 };
    const out: string[] = [];
    const err: string[] = [];
    let first = true;
    for (const input of inputs(sh, x, tool, o.files, io.stdin, err)) {
      if (o.files.length > 1) {
        if (!first) out.push('');
        out.push(`==> ${input.name} <==`);
      }
      first = false;
      const d = input.data;
      if (tool === 'head') append(out, d.slice(0, o.n));
      else append(out, o.fromStart ? d.slice(Math.max(0, o.n - 1)) : o.n === 0 ? [] : d.slice(-o.n));
    }
    return { out, err, status: err.length ? 1 : 0 };
  };
}

shellCommands.register({ name: 'head', usage: 'head [-n N | -N] [FILE...]', args: { min: 0, max: Infinity }, run: headTail('head') });
shellCommands.register({ name: 'tail', usage: 'tail [-n N | -N | -n +N] [FILE...]', args: { min: 0, max: Infinity }, run: headTail('tail') });

shellCommands.register({
  name: 'wc',
  usage: 'wc [-l] [-w] [-c] [FILE...]',
  args: { min: 0, max: Infinity },
  *run(sh, x, args, io) {
    const flags = new Set<string>();
    const files: string[] = [];
    for (const a of args) {
      if (/^-[lwcm]+$/.test(a)) for (const f of a.slice(1)) flags.add(f === 'm' ? 'c' : f);
      else if (a.startsWith('-') && a !== '-') return { out: [], err: [`wc: invalid option -- '${a[1]}'`, "Try 'wc --help' for more information."], status: 1 };
      else files.push(a);
    }
    if (!flags.size) ['l', 'w', 'c'].forEach((f) => flags.add(f));
    const shown = ['l', 'w', 'c'].filter((f) => flags.has(f));
    const err: string[] = [];
    const rows: { counts: number[]; name: string }[] = [];
    for (const input of inputs(sh, x, 'wc', files, io.stdin, err)) {
      const count = (f: string): number => {
        if (f === 'l') return input.data.length;
        if (f === 'w') return input.data.reduce((n, l) => n + l.split(/\s+/).filter(Boolean).length, 0);
        return input.data.reduce((n, l) => n + utf8.encode(l).length + 1, 0);
      };
      rows.push({ counts: shown.map(count), name: files.length ? input.name : '' });
    }
    if (files.length > 1) rows.push({ counts: shown.map((_, i) => rows.reduce((n, r) => n + r.counts[i], 0)), name: 'total' });
    // coreutils' compute_number_width(): one count of one input is not padded; otherwise the
    // width of the regular files' total size, at least 7 when an input is not a regular file.
    let width = 1;
    if (!(files.length <= 1 && shown.length === 1)) {
      const sizes = files.filter((f) => sh.lookup(f)?.kind === 'file').reduce((n, f) => n + statSize(sh, f), 0);
      width = Math.max(String(sizes).length, files.length && !files.includes('-') ? 1 : 7);
    }
    const out = rows.map((r) => r.counts.map((c) => String(c).padStart(width)).join(' ') + (r.name ? ` ${r.name}` : ''));
    return { out, err, status: err.length ? 1 : 0 };
  },
});

// ------------------------------------------------------------------ sleep, dmesg

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
