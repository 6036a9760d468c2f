// ftrace as livepatch meets it (kernel/trace/ftrace.c): ops registered per function, the
// IPMODIFY exclusivity that makes a kprobe with a post handler and a livepatch refuse each
// other, FTRACE_OPS_FL_PERMANENT against `sysctl kernel.ftrace_enabled=0`, kprobes on ftrace
// (kernel/kprobes.c), and the function tracer of /sys/kernel/tracing.

import { EBUSY, EINVAL, ENOENT } from './errno';
import type { Kernel } from './kernel';
import { formatTimestamp } from './printk';

export interface FtraceOps {
  name: string;
  /** FTRACE_OPS_FL_IPMODIFY: the handler changes the return address (livepatch, kprobe post handlers). */
  ipmodify: boolean;
  /** FTRACE_OPS_FL_PERMANENT: refuses ftrace_enabled=0 while registered (livepatch). */
  permanent: boolean;
  /** Functions (code ids) in the ops' filter. */
  funcs: Set<number>;
  registered: boolean;
}

export interface Kprobe {
  symbol: string;
  code: number;
  postHandler: boolean;
  armed: boolean;
}

export class Ftrace {
  /** sysctl kernel.ftrace_enabled */
  enabled: boolean;
  private ops: FtraceOps[] = [];
  // kprobes on ftrace: the two shared ops of kernel/kprobes.c
  readonly kprobeOps: FtraceOps = { name: 'kprobe_ftrace_ops', ipmodify: false, permanent: false, funcs: new Set(), registered: false };
  readonly kprobeIpmodifyOps: FtraceOps = { name: 'kprobe_ipmodify_ops', ipmodify: true, permanent: false, funcs: new Set(), registered: false };
  kprobesEnabled = true;
  readonly kprobes: Kprobe[] = [];
  // function tracer
  tracingOn = true;
  currentTracer: 'nop' | 'function' = 'nop';
  filter: string[] = [];
  readonly trace: string[] = [];
  private written = 0;

  constructor(private readonly k: Kernel) {
    this.enabled = k.config.ftraceEnabled;
  }

  /** ftrace_location(): functions built without fentry cannot be hooked. */
  location(code: number): boolean {
    return !this.k.syms.codes[code].notrace;
  }

  newOps(name: string, ipmodify: boolean, permanent: boolean): FtraceOps {
    return { name, ipmodify, permanent, funcs: new Set(), registered: false };
  }

  /** register_ftrace_function(): returns 0 or -errno. */
  register(ops: FtraceOps): number {
    if (ops.permanent && !this.enabled) return -EBUSY;
    if (ops.ipmodify) {
      for (const f of ops.funcs) if (this.ipmodifyOwner(f, ops)) return -EBUSY;
    }
    ops.registered = true;
    this.ops.push(ops);
    return 0;
  }

  unregister(ops: FtraceOps): void {
    ops.registered = false;
    this.ops = this.ops.filter((o) => o !== ops);
  }

  /** Another registered IPMODIFY ops already holds this function. */
  ipmodifyOwner(code: number, except?: FtraceOps): FtraceOps | undefined {
    return this.ops.find((o) => o !== except && o.registered && o.ipmodify && o.funcs.has(code));
  }

  /** ftrace_set_filter_ip() on a registered ops re-checks IPMODIFY. */
  addFilter(ops: FtraceOps, code: number): number {
    if (ops.registered && ops.ipmodify && this.ipmodifyOwner(code, ops)) return -EBUSY;
    ops.funcs.add(code);
    return 0;
  }

  removeFilter(ops: FtraceOps, code: number): void {
    ops.funcs.delete(code);
  }

  anyPermanent(): boolean {
    return this.ops.some((o) => o.permanent && o.registered);
  }

  /** ftrace_enable_sysctl(): refuse to turn ftrace off under a permanent ops. */
  setEnabled(v: boolean): number {
    if (!v && this.anyPermanent()) return -EBUSY;
    this.enabled = v;
    return 0;
  }

  /** Functions that have any ftrace ops attached (for views). */
  hooked(code: number): FtraceOps[] {
    return this.ops.filter((o) => o.registered && o.funcs.has(code));
  }

  // ------------------------------------------------------------------ kprobes

  /** register_kprobe() on a function entry (a kprobe on ftrace). */
  registerKprobe(symbol: string, postHandler: boolean): { err: number; kp?: Kprobe } {
    const sym = this.k.syms.find('vmlinux', symbol);
    if (!sym) return { err: -ENOENT };
    const kp: Kprobe = { symbol, code: sym.id, postHandler, armed: false };
    if (this.kprobesEnabled) {
      const err = this.armKprobe(kp);
      if (err) return { err };
    }
    this.kprobes.push(kp);
    return { err: 0, kp };
  }

  unregisterKprobe(kp: Kprobe): void {
    if (kp.armed) this.disarmKprobe(kp);
    const i = this.kprobes.indexOf(kp);
    if (i >= 0) this.kprobes.splice(i, 1);
  }

  /** __arm_kprobe_ftrace(): IPMODIFY only when the probe has a post handler. */
  private armKprobe(kp: Kprobe): number {
    const ops = kp.postHandler ? this.kprobeIpmodifyOps : this.kprobeOps;
    const err = this.addFilter(ops, kp.code);
    if (err) return err;
    if (!ops.registered) {
      const r = this.register(ops);
      if (r) {
        this.removeFilter(ops, kp.code);
        return r;
      }
    }
    kp.armed = true;
    return 0;
  }

  private disarmKprobe(kp: Kprobe): void {
    const ops = kp.postHandler ? this.kprobeIpmodifyOps : this.kprobeOps;
    if (!this.kprobes.some((o) => o !== kp && o.armed && o.postHandler === kp.postHandler && o.code === kp.code)) {
      this.removeFilter(ops, kp.code);
    }
    if (ops.funcs.size === 0 && ops.registered) this.unregister(ops);
    kp.armed = false;
  }

  /** /sys/kernel/debug/kprobes/enabled: arm or disarm every kprobe. */
  setKprobesEnabled(v: boolean): number {
    if (v === this.kprobesEnabled) return 0;
    this.kprobesEnabled = v;
    for (const kp of this.kprobes) {
      if (v && !kp.armed) this.armKprobe(kp);
      if (!v && kp.armed) this.disarmKprobe(kp);
    }
    return 0;
  }

  // ------------------------------------------------------------------ function tracer

  setTracer(name: string): number {
    if (name !== 'nop' && name !== 'function') return -EINVAL;
    this.currentTracer = name;
    return 0;
  }

  /** set_ftrace_filter: every name must be a traceable function. */
  setFilter(names: string[], append: boolean): number {
    for (const n of names) {
      const known = this.k.syms.codes.some((c) => !c.freed && c.name === n && !c.notrace);
      if (!known) return -EINVAL;
    }
    this.filter = append ? [...this.filter, ...names] : names;
    return 0;
  }

  clearTrace(): void {
    this.trace.length = 0;
    this.written = 0;
  }

  /** The function tracer sees the entry of the original and of a redirected-to function. */
  traceCall(slot: number, orig: number, code: number): void {
    if (this.currentTracer !== 'function' || !this.tracingOn) return;
    const k = this.k;
    const parent = k.trie.code(k.tasks.stack[slot]);
    const parentName = parent >= 0 ? k.syms.codes[parent].name : '';
    const record = (c: number) => {
      const name = k.syms.codes[c].name;
      if (this.filter.length && !this.filter.includes(name)) return;
      const comm = k.tasks.commOf(slot);
      const pid = k.tasks.pid[slot];
      const ts = formatTimestamp(k.clock.now).slice(1, -1).trim();
      this.trace.push(`${`${comm}-${pid}`.padStart(16)}     [${String(k.cpuOf(slot)).padStart(3, '0')}] .....  ${ts}: ${name} <-${parentName}`);
      this.written++;
    };
    record(orig);
    if (code !== orig) record(code);
  }

  traceFile(): string {
    const head = [
      '# tracer: ' + this.currentTracer,
      '#',
      `# entries-in-buffer/entries-written: ${this.trace.length}/${this.written}   #P:${this.k.nrCpus}`,
      '#',
      '#           TASK-PID     CPU#  |||||  TIMESTAMP  FUNCTION',
      '#              | |         |   |||||     |         |',
    ];
    return [...head, ...this.trace].join('\n') + '\n';
  }
}
