// The files a root shell reads and writes on the simulated machine: /sys/kernel/livepatch,
// /proc/<pid>/patch_state, /sys/module, the ftrace and kprobes knobs, dynamic debug, and
// module-created files. Each store handler returns the errno the kernel's would.

import { stackOrder, enabledStore, forceStore } from './core';
import { policyOf } from './policy';
import { EACCES, EINVAL, EISDIR, ENOENT, ENOTDIR } from './errno';
import { Exec, runToEnd } from './exec';
import type { KlpPatch } from './klp';
import type { Kernel } from './kernel';
import { formatParam, kstrtobool, kstrtoint, parseParam, type Module } from './module';
import { inSchedFunctions } from './schedText';
import { SCHED_LETTER, SCHED_STATUS_WORD, TF } from './tasks';
import { returnOffset } from './symbols';
import { SeqFile } from './vmlinux';

export type Node =
  | { kind: 'dir'; mode: number; list: () => string[] }
  | { kind: 'file'; mode: number; read?: () => string | number; write?: (data: string) => number };

type ReadResult = { ok: true; data: string } | { ok: false; errno: number };

/** ls -l style mode string. */
export function modeString(n: Node): string {
  const bits = n.mode;
  const r = (b: number, ch: string) => (bits & b ? ch : '-');
  return (
    (n.kind === 'dir' ? 'd' : '-') +
    r(0o400, 'r') + r(0o200, 'w') + r(0o100, 'x') +
    r(0o040, 'r') + r(0o020, 'w') + r(0o010, 'x') +
    r(0o004, 'r') + r(0o002, 'w') + r(0o001, 'x')
  );
}

const dir = (list: () => string[], mode = 0o755): Node => ({ kind: 'dir', mode, list });
const ro = (read: () => string | number, mode = 0o444): Node => ({ kind: 'file', mode, read });
const rw = (read: () => string | number, write: (d: string) => number, mode = 0o644): Node => ({ kind: 'file', mode, read, write });
const wo = (write: (d: string) => number, mode = 0o200): Node => ({ kind: 'file', mode, write });

export class Vfs {
  constructor(private readonly k: Kernel) {}

  normalize(path: string): string {
    const parts: string[] = [];
    for (const p of path.split('/')) {
      if (p === '' || p === '.') continue;
      if (p === '..') parts.pop();
      else parts.push(p);
    }
    return '/' + parts.join('/');
  }

  lookup(path: string): Node | null {
    const p = this.normalize(path);
    const seg = p === '/' ? [] : p.slice(1).split('/');
    return this.resolve(seg);
  }

  read(path: string, caller: number): ReadResult {
    const n = this.lookup(path);
    if (!n) return { ok: false, errno: -ENOENT };
    if (n.kind === 'dir') return { ok: false, errno: -EISDIR };
    if (!n.read || (n.mode & 0o444) === 0) return { ok: false, errno: -EACCES };
    const saved = this.k.current;
    this.k.current = caller;
    try {
      const r = n.read();
      return typeof r === 'number' ? { ok: false, errno: r } : { ok: true, data: r };
    } finally {
      this.k.current = saved;
    }
  }

  /** open(path, O_WRONLY|O_CREAT|O_TRUNC): 0 or the -errno open() fails with. */
  openForWrite(path: string): number {
    const p = this.normalize(path);
    const n = this.lookup(p);
    if (!n) {
      const parent = this.lookup(p.slice(0, p.lastIndexOf('/')) || '/');
      if (!parent) return -ENOENT;
      if (parent.kind !== 'dir') return -ENOTDIR;
      // sysfs and procfs cannot create files.
      return -EACCES;
    }
    if (n.kind === 'dir') return -EISDIR;
    // kernfs_fop_open(): no store method (or no write bit) refuses a writer; procfs opens
    // and fails the write itself.
    if (!n.write || (n.mode & 0o222) === 0) return p.startsWith('/proc/') && !p.startsWith('/proc/sys/') ? 0 : -EACCES;
    return 0;
  }

  /** write(2) of `data` to an opened `path` by task `caller`: 0 or -errno. */
  write(path: string, data: string, caller: number): number {
    const n = this.lookup(path);
    if (!n || n.kind === 'dir') return -ENOENT;
    if (!n.write || (n.mode & 0o222) === 0) return -EINVAL;
    const saved = this.k.current;
    this.k.current = caller;
    try {
      return n.write(data);
    } finally {
      this.k.current = saved;
    }
  }

  readdir(path: string): string[] | number {
    const n = this.lookup(path);
    if (!n) return -ENOENT;
    if (n.kind !== 'dir') return -ENOTDIR;
    return n.list();
  }

  // ------------------------------------------------------------------ the tree

  private resolve(seg: string[]): Node | null {
    const k = this.k;
    if (seg.length === 0) return dir(() => ['proc', 'sys']);
    const [a, ...rest] = seg;
    if (a === 'sys') return this.sys(rest);
    if (a === 'proc') return this.proc(rest);
    if (a === 'dev' && rest.length === 1 && rest[0] === 'kmsg') {
      return rw(() => -EINVAL, (d) => {
        for (const line of d.split('\n').filter((l) => l.length)) k.log.printk(6, line, 1);
        return 0;
      }, 0o644);
    }
    if (a === 'dev' && rest.length === 1 && rest[0] === 'null') return rw(() => '', () => 0, 0o666);
    if (a === 'dev' && rest.length === 0) return dir(() => ['kmsg', 'null']);
    return null;
  }

  private sys(seg: string[]): Node | null {
    if (seg.length === 0) return dir(() => ['kernel', 'module']);
    const [a, ...rest] = seg;
    if (a === 'kernel') {
      if (rest.length === 0) return dir(() => ['debug', 'livepatch', 'tracing', ...this.moduleSysfsDirs('/sys/kernel')]);
      const [b, ...r2] = rest;
      if (b === 'livepatch') return this.livepatch(r2);
      if (b === 'tracing') return this.tracing(r2);
      if (b === 'debug') return this.debugfs(r2);
      return this.moduleSysfs(['', 'sys', ...seg].join('/'));
    }
    if (a === 'module') return this.sysModule(rest);
    return null;
  }

  /** Directories created by modules under a prefix (e.g. /sys/kernel/test_klp_syscall). */
  private moduleSysfsDirs(prefix: string): string[] {
    const out = new Set<string>();
    for (const m of this.k.modules.values()) {
      for (const path of m.sysfsFiles.keys()) {
        if (path.startsWith(prefix + '/')) out.add(path.slice(prefix.length + 1).split('/')[0]);
      }
    }
    return [...out];
  }

  private moduleSysfs(path: string): Node | null {
    for (const m of this.k.modules.values()) {
      const f = m.sysfsFiles.get(path);
      if (f) return ro(f.show, f.mode);
      for (const p of m.sysfsFiles.keys()) {
        if (p.startsWith(path + '/')) {
          return dir(() => [...m.sysfsFiles.keys()].filter((q) => q.startsWith(path + '/')).map((q) => q.slice(path.length + 1).split('/')[0]));
        }
      }
    }
    return null;
  }

  private livepatch(seg: string[]): Node | null {
    const k = this.k;
    const patches = (): KlpPatch[] => {
      const list = [...k.klpPatches];
      // Freed patches keep their directory until klp_free_patch_finish() runs.
      for (const m of k.modules.values()) if (m.patch && m.patch.sysfs && !list.includes(m.patch)) list.push(m.patch);
      return list;
    };
    if (seg.length === 0) return dir(() => patches().map((p) => p.name));
    const patch = patches().find((p) => p.name === seg[0]);
    if (!patch) return null;
    // replace (v6.11+) or what a policy shows instead (replace_set, replaceable).
    const policyAttrs = policyOf(k).patchAttrs(k, patch);
    const attrs = ['enabled', 'force', ...policyAttrs.map((a) => a.name), ...(k.features.stackOrderAttr ? ['stack_order'] : []), 'transition'].sort();
    if (seg.length === 1) return dir(() => [...attrs, ...patch.objs.map((o) => o.displayName)]);
    const name = seg[1];
    if (seg.length === 2) {
      switch (name) {
        case 'enabled':
          return rw(() => `${patch.enabled ? 1 : 0}\n`, (d) => enabledStore(k, patch, d));
        case 'transition':
          return ro(() => `${patch === k.klpTransitionPatch ? 1 : 0}\n`);
        case 'force':
          return wo((d) => forceStore(k, patch, d));
        case 'stack_order':
          return k.features.stackOrderAttr ? ro(() => `${stackOrder(k, patch)}\n`) : null;
      }
      const pa = policyAttrs.find((a) => a.name === name);
      if (pa) return pa.store ? rw(pa.show, pa.store) : ro(pa.show);
    }
    const obj = patch.objs.find((o) => o.displayName === name);
    if (!obj) return null;
    if (seg.length === 2) return dir(() => ['patched', ...obj.funcs.map((f) => f.sysfsName)]);
    if (seg.length === 3 && seg[2] === 'patched') return ro(() => `${obj.patched ? 1 : 0}\n`);
    const func = obj.funcs.find((f) => f.sysfsName === seg[2]);
    if (func && seg.length === 3) return dir(() => []);
    return null;
  }

  private sysModule(seg: string[]): Node | null {
    const k = this.k;
    if (seg.length === 0) return dir(() => ['livepatch', ...k.moduleOrder]);
    if (seg[0] === 'livepatch' && seg.length === 1) return dir(() => ['parameters']);
    const mod = k.modules.get(seg[0]);
    if (!mod) return null;
    if (seg.length === 1) return dir(() => ['holders', 'initstate', 'parameters', 'refcnt', 'taint']);
    switch (seg[1]) {
      case 'refcnt':
        return seg.length === 2 ? ro(() => `${mod.refcnt}\n`) : null;
      case 'initstate':
        return seg.length === 2 ? ro(() => `${mod.state.toLowerCase()}\n`) : null;
      case 'taint':
        return seg.length === 2 ? ro(() => `${mod.taintFlags().replace(/[()]/g, '')}\n`) : null;
      case 'holders':
        return seg.length === 2 ? dir(() => []) : null;
      case 'parameters':
        return this.moduleParams(mod, seg.slice(2));
    }
    return null;
  }

  private moduleParams(mod: Module, seg: string[]): Node | null {
    const visible = (mod.def.params ?? []).filter((p) => p.perm !== 0);
    if (seg.length === 0) return dir(() => visible.map((p) => p.name));
    const spec = visible.find((p) => p.name === seg[0]);
    if (!spec || seg.length > 1) return null;
    const read = () => `${formatParam(mod.params.get(spec.name) as never)}\n`;
    const write = (d: string) => {
      const v = parseParam(spec, d.replace(/\n$/, ''));
      if (v === null || v === 'too-many') return -EINVAL;
      mod.params.set(spec.name, v);
      return 0;
    };
    return { kind: 'file', mode: spec.perm, read, write: spec.perm & 0o222 ? write : undefined };
  }

  private debugfs(seg: string[]): Node | null {
    const k = this.k;
    if (seg.length === 0) return dir(() => ['dynamic_debug', 'kprobes', 'tracing'], 0o700);
    if (seg[0] === 'tracing') return this.tracing(seg.slice(1));
    if (seg[0] === 'kprobes') {
      if (seg.length === 1) return dir(() => ['enabled', 'list']);
      if (seg[1] === 'enabled' && seg.length === 2) {
        return rw(() => `${k.ftrace.kprobesEnabled ? 1 : 0}\n`, (d) => {
          const v = kstrtobool(d);
          if (v === null) return -EINVAL;
          return k.ftrace.setKprobesEnabled(v);
        }, 0o600);
      }
      if (seg[1] === 'list' && seg.length === 2) {
        return ro(() => k.ftrace.kprobes.map((p) => `${k.syms.find('vmlinux', p.symbol)?.addr.toString(16) ?? '0'}  k  ${p.symbol}+0x0    [FTRACE]${p.armed ? '' : ' [DISABLED]'}\n`).join(''), 0o400);
      }
      return null;
    }
    if (seg[0] === 'dynamic_debug') {
      if (seg.length === 1) return dir(() => ['control']);
      if (seg[1] === 'control' && seg.length === 2) {
        return rw(
          () => '# filename:lineno [module]function flags format\n' + k.log.dyndbg.describe(DEBUG_SITES).join('\n') + '\n',
          (d) => {
            for (const line of d.split(/[\n;]/)) {
              const err = k.log.dyndbg.write(line);
              if (err) return err;
            }
            return 0;
          },
        );
      }
    }
    return null;
  }

  private tracing(seg: string[]): Node | null {
    const f = this.k.ftrace;
    if (seg.length === 0) return dir(() => ['current_tracer', 'set_ftrace_filter', 'trace', 'tracing_on', 'available_tracers']);
    if (seg.length > 1) return null;
    switch (seg[0]) {
      case 'current_tracer':
        return rw(() => `${f.currentTracer}\n`, (d) => f.setTracer(d.trim()));
      case 'available_tracers':
        return ro(() => 'function nop\n');
      case 'tracing_on':
        return rw(() => `${f.tracingOn ? 1 : 0}\n`, (d) => {
          const v = kstrtoint(d.trim());
          if (v === null) return -EINVAL;
          f.tracingOn = v !== 0;
          return 0;
        });
      case 'set_ftrace_filter':
        return rw(() => (f.filter.length ? f.filter.join('\n') + '\n' : '#### all functions enabled ####\n'), (d) => f.setFilter(d.split(/\s+/).filter(Boolean), false));
      case 'trace':
        return rw(() => f.traceFile(), () => {
          f.clearTrace();
          return 0;
        });
    }
    return null;
  }

  private proc(seg: string[]): Node | null {
    const k = this.k;
    if (seg.length === 0) {
      return dir(() => ['cmdline', 'meminfo', 'modules', 'sys', ...k.procFiles.keys(), ...k.listedSlots().map((s) => String(k.tasks.pid[s]))], 0o555);
    }
    const [a, ...rest] = seg;
    if (rest.length === 0) {
      if (a === 'cmdline') return ro(() => this.showVia('vmlinux', 'cmdline_proc_show'));
      if (a === 'meminfo') return ro(() => this.showVia('vmlinux', 'meminfo_proc_show'));
      if (a === 'modules') return ro(() => this.procModules());
      const pf = k.procFiles.get(a);
      if (pf) return ro(() => this.showVia(pf.owner, pf.show));
    }
    if (a === 'sys') return this.procSys(rest);
    if (/^\d+$/.test(a)) return this.procPid(Number(a), rest);
    if (a === 'self') return this.procPid(k.tasks.pid[k.current], rest);
    return null;
  }

  /** A seq_file read: the show routine runs in the reader's context, through the ftrace handler. */
  private showVia(owner: string, sym: string): string {
    const seq = new SeqFile();
    const x = new Exec(this.k, this.k.current);
    runToEnd(x.within('vmlinux', ['entry_SYSCALL_64_after_hwframe', 'do_syscall_64', 'ksys_read', 'vfs_read', 'proc_reg_read_iter', 'seq_read_iter'], function* () {
      return yield* x.call(owner, sym, seq);
    }));
    return seq.buf;
  }

  private procModules(): string {
    const k = this.k;
    return [...k.moduleOrder]
      .reverse()
      .map((n) => {
        const m = k.modules.get(n) as Module;
        const size = 16384 + (n.length * 977) % 8192;
        const st = m.state === 'LIVE' ? 'Live' : m.state === 'COMING' ? 'Loading' : 'Unloading';
        const flags = m.taintFlags();
        return `${n} ${size} ${m.refcnt} - ${st} 0x0000000000000000${flags ? ' ' + flags : ''}\n`;
      })
      .join('');
  }

  private procSys(seg: string[]): Node | null {
    const k = this.k;
    if (seg.length === 0) return dir(() => ['kernel'], 0o555);
    if (seg[0] !== 'kernel') return null;
    if (seg.length === 1) return dir(() => ['ftrace_enabled'], 0o555);
    if (seg[1] === 'ftrace_enabled' && seg.length === 2) {
      return rw(() => `${k.ftrace.enabled ? 1 : 0}\n`, (d) => {
        const v = kstrtoint(d.trim());
        if (v === null) return -EINVAL;
        return k.ftrace.setEnabled(v !== 0);
      });
    }
    return null;
  }

  /** /proc/<pid>/..., or with `thread` /proc/<pid>/task/<tid>/... (which has no task/). */
  private procPid(pid: number, seg: string[], thread = false): Node | null {
    const k = this.k;
    const slot = k.tasks.slotOfPid(pid, k.firstThread);
    if (slot < 0 || !k.tasks.has(slot, TF.LISTED)) return null;
    if (seg.length === 0) return dir(() => ['comm', 'patch_state', 'stack', 'stat', 'status', ...(thread ? [] : ['task'])], 0o555);
    // task/<tid>/: the model has no thread groups, so each process's one thread is itself.
    if (seg[0] === 'task' && !thread) {
      if (seg.length === 1) return dir(() => [String(pid)], 0o555);
      return seg[1] === String(pid) ? this.procPid(pid, seg.slice(2), true) : null;
    }
    if (seg.length > 1) return null;
    const t = k.tasks;
    switch (seg[0]) {
      case 'patch_state':
        return ro(() => `${t.patchState[slot]}\n`);
      case 'comm':
        return ro(() => `${t.commOf(slot)}\n`);
      case 'stack':
        // proc_pid_stack() (fs/proc/base.c): stack_trace_save_tsk() of another task skips the
        // scheduler's own __sched functions (stack_trace_consume_entry_nosched()).
        return ro(() => k.trie.frames(t.stack[slot]).filter((c) => slot === k.current || !inSchedFunctions(k.syms.codes[c].owner, k.syms.codes[c].name)).map((c) => {
          const s = k.syms.codes[c];
          return `[<0>] ${s.name}+0x${returnOffset(s).toString(16)}/0x${s.size.toString(16)}${s.owner === 'vmlinux' ? '' : ` [${s.owner}]`}\n`;
        }).join(''), 0o400);
      case 'stat':
        return ro(() => `${pid} (${t.commOf(slot)}) ${SCHED_LETTER[t.sched[slot]]} 1\n`);
      case 'status':
        return ro(() => [
          `Name:\t${t.commOf(slot)}`,
          `State:\t${SCHED_LETTER[t.sched[slot]]} (${SCHED_STATUS_WORD[t.sched[slot]]})`,
          `Pid:\t${pid}`,
          `Kthread:\t${t.has(slot, TF.KTHREAD) ? 1 : 0}`,
        ].join('\n') + '\n');
    }
    return null;
  }
}

/** The pr_debug sites of kernel/livepatch (what `cat control` lists). */
const DEBUG_SITES = [
  { file: 'kernel/livepatch/transition.c', func: 'klp_init_transition', module: 'livepatch' },
  { file: 'kernel/livepatch/transition.c', func: 'klp_complete_transition', module: 'livepatch' },
  { file: 'kernel/livepatch/transition.c', func: 'klp_cancel_transition', module: 'livepatch' },
  { file: 'kernel/livepatch/transition.c', func: 'klp_reverse_transition', module: 'livepatch' },
  { file: 'kernel/livepatch/transition.c', func: 'klp_try_switch_task', module: 'livepatch' },
];

