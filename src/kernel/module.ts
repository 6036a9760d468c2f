// Modules: the definition interface every module uses (the selftest catalog and the
// modules a scenario defines), the module's runtime context (the kernel API its code
// calls), and the loader paths of kernel/module/main.c that livepatch hooks into.

import { klpEnablePatch, klpModuleComing, klpModuleGoing } from './core';
import { klpGetPrevState, klpGetState } from './state';
import { policyOf } from './policy';
import { EAGAIN, EBUSY, EEXIST, EINVAL, ENOENT } from './errno';
import { Exec, isStep, type Step, type Wait } from './exec';
import { KlpObject, KlpPatch, KlpFunc, type KlpState, type KlpCallbacks } from './klp';
import type { Kernel, WorkItem } from './kernel';
import { KERN_ERR, KERN_INFO, KERN_NOTICE, KERN_WARNING, type LogLevel } from './printk';
import type { SymbolSpec } from './symbols';
import type { Kprobe } from './ftrace';

type ModuleState = 'UNFORMED' | 'COMING' | 'LIVE' | 'GOING';

/** The strings the selftest modules print for a module state (module_state[] of the helpers). */
const MODULE_STATE_STRING: Record<ModuleState, string> = {
  LIVE: '[MODULE_STATE_LIVE] Normal state',
  COMING: '[MODULE_STATE_COMING] Full formed, running module_init',
  GOING: '[MODULE_STATE_GOING] Going away',
  UNFORMED: '[MODULE_STATE_UNFORMED] Still setting it up',
};

type ParamType = 'int' | 'bool' | 'intarray' | 'charp';
type ParamValue = number | boolean | number[] | string;

interface ParamSpec {
  name: string;
  type: ParamType;
  default: ParamValue;
  /** sysfs mode of /sys/module/<m>/parameters/<name>; 0 = not visible. */
  perm: number;
  /** intarray: maximum number of elements. */
  max?: number;
  description?: string;
}

interface PatchFuncDef {
  oldName: string;
  /** Name of the replacement symbol in this module. */
  newFunc: string;
  oldSympos?: number;
}

export interface PatchCallbacksDef {
  prePatch?: (m: ModuleCtx, obj: KlpObject) => number;
  postPatch?: (m: ModuleCtx, obj: KlpObject) => void;
  preUnpatch?: (m: ModuleCtx, obj: KlpObject) => void;
  postUnpatch?: (m: ModuleCtx, obj: KlpObject) => void;
}

interface PatchObjDef {
  /** null = vmlinux */
  name: string | null;
  funcs: PatchFuncDef[];
  callbacks?: PatchCallbacksDef;
}

/** The static `struct klp_patch` a livepatch module hands to klp_enable_patch(). */
export interface PatchDef {
  replace?: boolean;
  /** hybrid-rfc-2025: klp_patch.replaceable (default true). */
  replaceable?: boolean;
  /** replace-set-2026: klp_patch.replace_set (default 0). */
  replaceSet?: number;
  states?: { id: number; version: number }[];
  objs: PatchObjDef[];
}

export interface ModuleDef {
  name: string;
  /** MODULE_INFO(livepatch, "Y") */
  livepatch?: boolean;
  /** Built out of tree (O taint) and unsigned (E taint): true for the selftest modules. */
  outOfTree?: boolean;
  description?: string;
  params?: ParamSpec[];
  /** Functions in the module's text (replacement functions, target functions). */
  symbols?: SymbolSpec[];
  /** module_init: returns 0 or -errno; may sleep (a generator). */
  init?: (m: ModuleCtx) => number | Step;
  /** module_exit; may sleep. */
  exit?: (m: ModuleCtx) => void | Step;
}

export class Module {
  state: ModuleState = 'UNFORMED';
  refcnt = 0;
  /** mod->klp_alive: klp_module_coming() has run for it. */
  klpAlive = false;
  readonly params = new Map<string, ParamValue>();
  /** Module globals of its code. */
  readonly data: Record<string, unknown> = {};
  patch: KlpPatch | null = null;
  readonly procFiles = new Set<string>();
  /** Files the module created under /sys (path -> show function). */
  readonly sysfsFiles = new Map<string, { mode: number; show: () => string }>();
  readonly kprobes: Kprobe[] = [];
  ctx!: ModuleCtx;

  constructor(readonly def: ModuleDef) {}

  get name(): string {
    return this.def.name;
  }

  get livepatch(): boolean {
    return this.def.livepatch === true;
  }

  /** The "(OEK)" after a name in "Modules linked in:". */
  taintFlags(): string {
    let f = '';
    if (this.def.outOfTree) f += 'OE';
    if (this.livepatch) f += 'K';
    return f ? `(${f})` : '';
  }

  paramSpec(name: string): ParamSpec | undefined {
    return this.def.params?.find((p) => p.name === name);
  }
}

/** What module code can do: the kernel API of the model. */
export class ModuleCtx {
  constructor(
    readonly k: Kernel,
    readonly mod: Module,
  ) {}

  get name(): string {
    return this.mod.name;
  }

  get data(): Record<string, unknown> {
    return this.mod.data;
  }

  /** pr_info() with the module's pr_fmt (KBUILD_MODNAME ": "). */
  info(text: string): void {
    this.k.printk(KERN_INFO, `${this.mod.name}: ${text}`);
  }

  printk(level: LogLevel, text: string): void {
    this.k.printk(level, text);
  }

  param(name: string): ParamValue {
    const v = this.mod.params.get(name);
    if (v === undefined) throw new Error(`model bug: module ${this.mod.name} has no parameter ${name}`);
    return v;
  }

  setParam(name: string, v: ParamValue): void {
    this.mod.params.set(name, v);
  }

  /** klp_enable_patch() with the module's static patch description. */
  klpEnablePatch(def: PatchDef): number {
    const patch = buildPatch(this.k, this.mod, def);
    return klpEnablePatch(this.k, patch);
  }

  /** klp_get_state() on this module's patch. */
  klpGetState(id: number): KlpState | null {
    return this.mod.patch ? klpGetState(this.mod.patch, id) : null;
  }

  /** klp_get_prev_state() */
  klpGetPrevState(id: number): KlpState | null {
    return klpGetPrevState(this.k, id);
  }

  /** The state string of an object's module, as the callbacks print it. */
  objectLine(callback: string, obj: KlpObject): string {
    if (!obj.isModule) return `${callback}: vmlinux`;
    const st = obj.mod ? obj.mod.state : 'UNFORMED';
    return `${callback}: ${obj.name} -> ${MODULE_STATE_STRING[st]}`;
  }

  /** proc_create_single(): a /proc file whose content is what the module's `showSymbol` prints. */
  procCreate(file: string, showSymbol: string): void {
    this.mod.procFiles.add(file);
    this.k.procFiles.set(file, { owner: this.mod.name, show: showSymbol });
  }

  procRemove(file: string): void {
    this.mod.procFiles.delete(file);
    this.k.procFiles.delete(file);
  }

  /** kobject + attribute under /sys (e.g. /sys/kernel/test_klp_syscall/npids). */
  sysfsCreate(path: string, mode: number, show: () => string): void {
    this.mod.sysfsFiles.set(path, { mode, show });
  }

  sysfsRemove(path: string): void {
    this.mod.sysfsFiles.delete(path);
  }

  newWork(fnSymbol: string): WorkItem {
    return this.k.newWork(fnSymbol, (x: Exec) => x.call(this.mod.name, fnSymbol));
  }

  /** schedule_work() */
  scheduleWork(w: WorkItem): boolean {
    return this.k.queueWork(w);
  }

  /** flush_work() */
  *flushWork(w: WorkItem): Step<void> {
    yield* this.k.flushWork(w);
  }

  /** kthread_run(threadfn, data, comm): the thread calls the module's `fnSymbol` through the ftrace handler. */
  kthreadRun(fnSymbol: string, comm: string): number {
    return this.k.kthreadRun(comm, (x: Exec) => x.call(this.mod.name, fnSymbol));
  }

  /** kthread_should_stop() as seen by the kthread running in `x`. */
  kthreadShouldStop(x: Exec): boolean {
    return this.k.kthreadShouldStop(x.slot);
  }

  /** kthread_stop(): in the caller's context (module_exit), waits until the thread has exited. */
  *kthreadStop(slot: number): Step<void> {
    const k = this.k;
    const x = k.execOfCurrent();
    yield* x.within('vmlinux', ['kthread_stop', 'wait_for_completion', '__wait_for_common', 'schedule'], () => k.kthreadStop(slot));
  }

  registerKprobe(symbol: string, postHandler: boolean): number {
    const r = this.k.ftrace.registerKprobe(symbol, postHandler);
    if (r.kp) this.mod.kprobes.push(r.kp);
    return r.err;
  }

  unregisterKprobes(): void {
    for (const kp of this.mod.kprobes) this.k.ftrace.unregisterKprobe(kp);
    this.mod.kprobes.length = 0;
  }
}

/** Build the klp_patch/klp_object/klp_func tree from a module's static description. */
function buildPatch(k: Kernel, mod: Module, def: PatchDef): KlpPatch {
  const states: KlpState[] = (def.states ?? []).map((s) => ({ id: s.id, version: s.version, data: null }));
  const patch = new KlpPatch(mod, policyOf(k).replaceFlag(def.replace === true), states);
  patch.replaceable = def.replaceable ?? true;
  patch.replaceSet = def.replaceSet ?? 0;
  for (const od of def.objs) {
    const m = mod.ctx;
    const cb: KlpCallbacks = {};
    const c = od.callbacks;
    if (c?.prePatch) cb.prePatch = (o) => c.prePatch!(m, o);
    if (c?.postPatch) cb.postPatch = (o) => c.postPatch!(m, o);
    if (c?.preUnpatch) cb.preUnpatch = (o) => c.preUnpatch!(m, o);
    if (c?.postUnpatch) cb.postUnpatch = (o) => c.postUnpatch!(m, o);
    const obj = new KlpObject(patch, od.name, cb, false);
    for (const fd of od.funcs) {
      const sym = k.syms.find(mod.name, fd.newFunc) ?? null;
      obj.funcs.push(new KlpFunc(obj, fd.oldName, sym, fd.oldSympos ?? 0, false, fd.newFunc));
    }
    patch.objs.push(obj);
  }
  return patch;
}

// ------------------------------------------------------------------ parameters (kernel/params.c)

/** kstrtobool() (lib/kstrtox.c): y/t/e/1/on -> true, n/f/d/0/off -> false, by first letters. */
export function kstrtobool(s: string): boolean | null {
  const c0 = s[0];
  if (c0 !== undefined && 'yYtTeE1'.includes(c0)) return true;
  if (c0 !== undefined && 'nNfFdD0'.includes(c0)) return false;
  if (c0 === 'o' || c0 === 'O') {
    const c1 = s[1];
    if (c1 === 'n' || c1 === 'N') return true;
    if (c1 === 'f' || c1 === 'F') return false;
  }
  return null;
}

/** kstrtoint(s, 0): decimal, 0x hex or 0 octal, optional sign, trailing newline allowed. */
export function kstrtoint(s: string): number | null {
  const t = s.endsWith('\n') ? s.slice(0, -1) : s;
  const m = /^([+-]?)(0[xX][0-9a-fA-F]+|0[0-7]*|[1-9][0-9]*)$/.exec(t);
  if (!m) return null;
  const body = m[2];
  let v = body.startsWith('0x') || body.startsWith('0X') ? parseInt(body.slice(2), 16) : body.length > 1 && body[0] === '0' ? parseInt(body, 8) : parseInt(body, 10);
  if (m[1] === '-') v = -v;
  if (v > 2147483647 || v < -2147483648) return null;
  return v;
}

/** param_set_*(): parse a value for a parameter; null when invalid. */
export function parseParam(spec: ParamSpec, val: string | undefined): ParamValue | null | 'too-many' {
  switch (spec.type) {
    case 'bool':
      return val === undefined ? true : kstrtobool(val);
    case 'int':
      return val === undefined ? null : kstrtoint(val);
    case 'charp':
      return val ?? null;
    case 'intarray': {
      if (val === undefined) return null;
      const parts = val.split(',');
      if (spec.max !== undefined && parts.length > spec.max) return 'too-many';
      const out: number[] = [];
      for (const p of parts) {
        const v = kstrtoint(p);
        if (v === null) return null;
        out.push(v);
      }
      return out;
    }
  }
}

/** param_get_*(): the text of /sys/module/<m>/parameters/<p>. */
export function formatParam(v: ParamValue): string {
  if (typeof v === 'boolean') return v ? 'Y' : 'N';
  if (Array.isArray(v)) return v.join(',');
  return String(v);
}

// ------------------------------------------------------------------ loader

interface LoadResult {
  /** 0 or -errno, as finit_module() returns it. */
  err: number;
  /** The file could not be opened (insmod's "could not load module"). */
  notFound?: boolean;
}

const INSMOD_FRAMES = ['entry_SYSCALL_64_after_hwframe', 'do_syscall_64', '__x64_sys_finit_module', 'idempotent_init_module', 'init_module_from_file', 'load_module'];
const RMMOD_FRAMES = ['entry_SYSCALL_64_after_hwframe', 'do_syscall_64', '__x64_sys_delete_module'];

/**
 * finit_module(): load_module() then do_init_module(), in the context `x` (the insmod task).
 * `args` are the module parameters as insmod passes them ("name=value" or "name").
 */
export function* loadModule(k: Kernel, x: Exec, def: ModuleDef, args: readonly string[]): Generator<Wait, LoadResult, unknown> {
  const r = yield* x.within('vmlinux', INSMOD_FRAMES, () => loadModuleInner(k, x, def, args));
  return r as LoadResult;
}

function* loadModuleInner(k: Kernel, x: Exec, def: ModuleDef, args: readonly string[]): Step {
  if (k.modules.has(def.name)) return { err: -EEXIST };
  const mod = new Module(def);
  mod.ctx = new ModuleCtx(k, mod);
  // module_sig_check() / check_modinfo(): the once-per-boot taint messages.
  if (def.outOfTree) {
    k.log.once('sig', KERN_WARNING, `${def.name}: module verification failed: signature and/or required key missing - tainting kernel`);
    k.log.once('oot', KERN_WARNING, `${def.name}: loading out-of-tree module taints kernel.`);
    k.taints.add('O');
    k.taints.add('E');
  }
  if (def.livepatch) {
    k.taints.add('K');
    k.log.once('livepatch-taint', KERN_NOTICE, `${def.name}: tainting kernel with TAINT_LIVEPATCH`);
  }
  // parse_args() on the module's parameters.
  for (const p of def.params ?? []) mod.params.set(p.name, Array.isArray(p.default) ? [...p.default] : p.default);
  for (const a of args) {
    const eq = a.indexOf('=');
    const name = (eq < 0 ? a : a.slice(0, eq)).replace(/-/g, '_');
    const val = eq < 0 ? undefined : a.slice(eq + 1);
    const spec = mod.paramSpec(name);
    if (!spec) {
      // unknown_module_param_cb(): ignored with a warning.
      k.printk(KERN_WARNING, `${def.name}: unknown parameter '${name}' ignored`);
      continue;
    }
    const v = parseParam(spec, val);
    if (v === 'too-many') {
      k.printk(KERN_ERR, `${name}: can only take ${spec.max} arguments`);
    }
    if (v === null || v === 'too-many') {
      k.printk(KERN_ERR, `${def.name}: \`${val ?? ''}' invalid for parameter \`${name}'`);
      return { err: -EINVAL };
    }
    mod.params.set(name, v);
  }
  k.addModuleSymbols(def.name, [{ name: `${def.name}_init`, size: 0x40 }, { name: `${def.name}_exit`, size: 0x30 }, ...(def.symbols ?? [])]);
  k.modules.set(def.name, mod);
  k.moduleOrder.push(def.name);
  mod.state = 'COMING';
  // prepare_coming_module(): klp_module_coming() first; its error fails the load.
  const cerr = klpModuleComing(k, mod);
  if (cerr) {
    freeModule(k, mod);
    return { err: cerr };
  }
  // do_init_module()
  let ret = 0;
  if (def.init) {
    const init = def.init;
    ret = (yield* x.within('vmlinux', ['do_init_module', 'do_one_initcall'], function* (): Step {
      k.pushFrame(x.slot, k.codeOf(def.name, `${def.name}_init`));
      const v = init(mod.ctx);
      return isStep(v) ? yield* v : v;
    })) as number;
  }
  if (ret !== 0) {
    // do_init_module() failure: GOING, klp_module_going(), free.
    mod.state = 'GOING';
    klpModuleGoing(k, mod);
    freeModule(k, mod);
    return { err: ret };
  }
  mod.state = 'LIVE';
  return { err: 0 };
}

/** delete_module(): exit, then klp_module_going(), then free. */
export function* deleteModule(k: Kernel, x: Exec, name: string): Generator<Wait, number, unknown> {
  const r = yield* x.within('vmlinux', RMMOD_FRAMES, function* (): Step {
    const mod = k.modules.get(name);
    if (!mod) return -ENOENT;
    if (mod.state !== 'LIVE') return -EBUSY;
    if (mod.refcnt !== 0) return -EAGAIN;
    mod.state = 'GOING';
    if (mod.def.exit) {
      const exit = mod.def.exit;
      yield* x.within(mod.name, [`${mod.name}_exit`], function* (): Step<void> {
        const v = exit(mod.ctx);
        if (isStep(v)) yield* v;
      });
    }
    klpModuleGoing(k, mod);
    freeModule(k, mod);
    return 0;
  });
  return r as number;
}

/** free_module(): the module's text is freed and its files disappear. */
function freeModule(k: Kernel, mod: Module): void {
  for (const f of mod.procFiles) k.procFiles.delete(f);
  mod.ctx.unregisterKprobes();
  k.syms.removeOwner(mod.name);
  k.modules.delete(mod.name);
  k.moduleOrder = k.moduleOrder.filter((n) => n !== mod.name);
}

