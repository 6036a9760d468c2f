// The modules a scenario defines: livepatch modules (objects, funcs, callbacks, klp_states) and
// target modules (functions, init/exit output, kthreads and work items), as JSON; their
// validation and compact form. moduleDef.ts turns them into the ModuleDef interface the
// selftest catalog uses.

import { KSYM_NAME_LEN, MODULE_NAME_LEN } from '../kernel/constants';
import { VMLINUX_SYMBOLS } from '../kernel/vmlinux';
import { array, boolean, field, get, integer, item, object, oneOf, present, Problems, string, strings, type StringRule } from './check';

export type SleepSched = 'interruptible' | 'uninterruptible' | 'freezable' | 'uninterruptible-freezable';

/** One thing a function body does, in order. */
type StepSpec =
  /** pr_info("<module>: <text>") */
  | { print: string }
  /** seq_printf() of a line, when the function is a /proc show routine */
  | { show: string }
  /** a call through the ftrace handler: a function of this module, or of vmlinux ("vmlinux:name") */
  | { call: string }
  /** sleep: msleep() (uninterruptible), msleep_interruptible(), or a freezable wait */
  | { sleep: { us: number; sched: SleepSched } }
  /** stay on the CPU, then optionally cond_resched() */
  | { run: { us: number; condResched: boolean } };

export interface FunctionSpec {
  name: string;
  body: StepSpec[];
  /** Repeat the body until kthread_stop() or module exit (a kthread's or work item's loop). */
  loop: boolean;
}

export interface CallbackSpec {
  print: string[];
  /** pre_patch only: 0 or -errno. */
  ret: number;
}

export interface CallbacksSpec {
  prePatch?: CallbackSpec;
  postPatch?: CallbackSpec;
  preUnpatch?: CallbackSpec;
  postUnpatch?: CallbackSpec;
}

interface KlpFuncSpec {
  oldName: string;
  /** A function of this module (its `functions`). */
  newFunc: string;
  oldSympos: number;
}

interface ObjectSpec {
  /** "vmlinux" or a module name. */
  name: string;
  funcs: KlpFuncSpec[];
  callbacks: CallbacksSpec;
}

export interface CustomModuleSpec {
  name: string;
  description: string;
  livepatch: boolean;
  replace: boolean;
  /** kernel.policy "hybrid-rfc-2025" only: klp_patch.replaceable; present only when false. */
  replaceable?: boolean;
  /** kernel.policy "replace-set-2026" only: klp_patch.replace_set; present only when not 0. */
  replaceSet?: number;
  states: { id: number; version: number }[];
  objects: ObjectSpec[];
  functions: FunctionSpec[];
  init: { print: string[]; ret: number };
  exit: { print: string[] };
  kthreads: { comm: string; fn: string }[];
  work: { fn: string }[];
}

/** A catalog module by name, or a module the scenario defines. */
export type ModuleSpec = string | CustomModuleSpec;

const MODULE_FIELDS = ['name', 'description', 'livepatch', 'replace', 'replaceable', 'replaceSet', 'states', 'objects', 'functions', 'init', 'exit', 'kthreads', 'work'] as const;
const LIVEPATCH_ONLY = ['replace', 'replaceable', 'replaceSet', 'states', 'objects'] as const;
const TARGET_ONLY = ['kthreads', 'work'] as const;
const CALLBACKS = ['prePatch', 'postPatch', 'preUnpatch', 'postUnpatch'] as const;
const STEP_KINDS = ['print', 'show', 'call', 'sleep', 'run'] as const;
const SLEEP_SCHED: readonly SleepSched[] = ['interruptible', 'uninterruptible', 'freezable', 'uninterruptible-freezable'];
/** The longest sleep or run step: one day of virtual time. */
const MAX_STEP_US = 86_400_000_000;
const MAX_ERRNO = 4095;
/** vmlinux functions that take an argument a scenario cannot supply: use a step instead. */
const NOT_CALLABLE = new Map<string, string>([
  ['msleep', 'use a sleep step with sched "uninterruptible"'],
  ['msleep_interruptible', 'use a sleep step with sched "interruptible"'],
]);
const VMLINUX_NAMES = new Set(VMLINUX_SYMBOLS.map((s) => s.name));

export const MODULE_NAME: StringRule = {
  min: 1,
  max: MODULE_NAME_LEN - 1,
  pattern: { re: /^[A-Za-z0-9_]+$/, what: `a module name (letters, digits and _, at most ${MODULE_NAME_LEN - 1} characters)` },
};
export const FUNC_NAME: StringRule = {
  min: 1,
  max: KSYM_NAME_LEN - 1,
  pattern: { re: /^[A-Za-z_][A-Za-z0-9_.]*$/, what: 'a C function name' },
};
/** TASK_COMM_LEN - 1 */
export const COMM_MAX = 15;
const LINE: StringRule = { max: 1000, pattern: { re: /^[^\n\r]*$/, what: 'one line of text (no newline)' } };
const SHOW_TEXT: StringRule = { max: 4000 };

function printLines(v: unknown, path: string, p: Problems): string[] {
  if (typeof v === 'string') return [string(v, path, p, LINE)];
  return strings(v, path, p, 'lines', 1000, LINE);
}

function validateStep(v: unknown, path: string, p: Problems, ownFunctions: ReadonlySet<string>): StepSpec | undefined {
  const o = object(v, path, p, `a step (one of ${STEP_KINDS.join(', ')})`, STEP_KINDS);
  if (!o) return undefined;
  const kinds = STEP_KINDS.filter((k) => present(o, k));
  if (kinds.length !== 1) {
    p.add(path, `expected exactly one of ${STEP_KINDS.join(', ')} in a step, got ${kinds.length ? kinds.join(' and ') : 'none'}`);
    return undefined;
  }
  const kind = kinds[0];
  const at = field(path, kind);
  const val = get(o, kind);
  switch (kind) {
    case 'print':
      return { print: string(val, at, p, LINE) };
    case 'show':
      return { show: string(val, at, p, SHOW_TEXT) };
    case 'call': {
      const target = string(val, at, p, { min: 1, max: KSYM_NAME_LEN + 8 });
      checkCallTarget(target, at, p, ownFunctions);
      return { call: target };
    }
    case 'sleep': {
      const s = object(val, at, p, 'a sleep ({ us, sched })', ['us', 'sched'], ['us', 'sched']);
      if (!s) return undefined;
      return { sleep: { us: integer(get(s, 'us'), field(at, 'us'), p, 1, MAX_STEP_US, 1), sched: oneOf(get(s, 'sched'), field(at, 'sched'), p, SLEEP_SCHED, 'uninterruptible') } };
    }
    case 'run': {
      const r = object(val, at, p, 'a run ({ us, condResched })', ['us', 'condResched'], ['us']);
      if (!r) return undefined;
      return {
        run: {
          us: integer(get(r, 'us'), field(at, 'us'), p, 1, MAX_STEP_US, 1),
          condResched: present(r, 'condResched') ? boolean(get(r, 'condResched'), field(at, 'condResched'), p, false) : false,
        },
      };
    }
  }
}

/** Which code a call step reaches: the module's own function, else vmlinux. */
export function callTarget(target: string, ownFunctions: ReadonlySet<string>): { owner: 'self' | 'vmlinux'; name: string } {
  if (target.startsWith('vmlinux:')) return { owner: 'vmlinux', name: target.slice('vmlinux:'.length) };
  return ownFunctions.has(target) ? { owner: 'self', name: target } : { owner: 'vmlinux', name: target };
}

function checkCallTarget(target: string, path: string, p: Problems, ownFunctions: ReadonlySet<string>): void {
  if (!target) return;
  const colon = target.indexOf(':');
  if (colon >= 0 && !target.startsWith('vmlinux:')) {
    p.add(path, `a step calls a function of this module or of vmlinux ("name" or "vmlinux:name"), ${JSON.stringify(target)} names another owner`);
    return;
  }
  const t = callTarget(target, ownFunctions);
  if (t.owner === 'self') return;
  const instead = NOT_CALLABLE.get(t.name);
  if (instead) p.add(path, `${t.name}() takes an argument a step cannot give: ${instead}`);
  else if (!VMLINUX_NAMES.has(t.name)) p.add(path, `no function ${JSON.stringify(t.name)} in this module's functions or in vmlinux`);
}

function validateFunction(v: unknown, path: string, p: Problems, ownFunctions: ReadonlySet<string>): FunctionSpec | undefined {
  const o = object(v, path, p, 'a function ({ name, body, loop })', ['name', 'body', 'loop'], ['name']);
  if (!o) return undefined;
  const name = string(get(o, 'name'), field(path, 'name'), p, FUNC_NAME);
  const body: StepSpec[] = [];
  if (present(o, 'body')) {
    array(get(o, 'body'), field(path, 'body'), p, 'steps', 1000).forEach((s, i) => {
      const step = validateStep(s, item(field(path, 'body'), i), p, ownFunctions);
      if (step) body.push(step);
    });
  }
  const loop = present(o, 'loop') ? boolean(get(o, 'loop'), field(path, 'loop'), p, false) : false;
  if (loop && !body.some((s) => ('sleep' in s) || ('run' in s))) {
    p.add(field(path, 'loop'), 'a looping function needs a sleep or run step, or it would spin without virtual time passing');
  }
  return { name, body, loop };
}

function validateCallback(v: unknown, path: string, p: Problems, pre: boolean): CallbackSpec | undefined {
  const o = object(v, path, p, pre ? 'a callback ({ print, ret })' : 'a callback ({ print })', pre ? ['print', 'ret'] : ['print']);
  if (!o) return undefined;
  return {
    print: present(o, 'print') ? printLines(get(o, 'print'), field(path, 'print'), p) : [],
    ret: present(o, 'ret') ? integer(get(o, 'ret'), field(path, 'ret'), p, -MAX_ERRNO, 0, 0) : 0,
  };
}

function validateObject(v: unknown, path: string, p: Problems, functions: ReadonlySet<string>): ObjectSpec | undefined {
  const o = object(v, path, p, 'a patched object ({ name, funcs, callbacks })', ['name', 'funcs', 'callbacks'], ['name']);
  if (!o) return undefined;
  const name = string(get(o, 'name'), field(path, 'name'), p, { ...MODULE_NAME, pattern: { re: MODULE_NAME.pattern!.re, what: '"vmlinux" or a module name' } });
  const funcs: KlpFuncSpec[] = [];
  if (present(o, 'funcs')) {
    const fp = field(path, 'funcs');
    array(get(o, 'funcs'), fp, p, 'funcs', 10000).forEach((f, i) => {
      const at = item(fp, i);
      const fo = object(f, at, p, 'a patched function ({ oldName, newFunc, oldSympos })', ['oldName', 'newFunc', 'oldSympos'], ['oldName', 'newFunc']);
      if (!fo) return;
      const newFunc = string(get(fo, 'newFunc'), field(at, 'newFunc'), p, FUNC_NAME);
      if (newFunc && !functions.has(newFunc)) p.add(field(at, 'newFunc'), `no function ${JSON.stringify(newFunc)} in this module's functions (define what it does there)`);
      funcs.push({
        oldName: string(get(fo, 'oldName'), field(at, 'oldName'), p, FUNC_NAME),
        newFunc,
        oldSympos: present(fo, 'oldSympos') ? integer(get(fo, 'oldSympos'), field(at, 'oldSympos'), p, 0, 2147483647) : 0,
      });
    });
  }
  const callbacks: CallbacksSpec = {};
  if (present(o, 'callbacks')) {
    const cp = field(path, 'callbacks');
    const co = object(get(o, 'callbacks'), cp, p, 'callbacks', CALLBACKS);
    if (co) {
      for (const c of CALLBACKS) {
        if (!present(co, c)) continue;
        const cb = validateCallback(get(co, c), field(cp, c), p, c === 'prePatch');
        if (cb) callbacks[c] = cb;
      }
    }
  }
  return { name, funcs, callbacks };
}

/**
 * Validate one entry of `modules`: a catalog module's name, or a module definition.
 * `catalog` lists the names of the built-in modules.
 */
export function validateModule(v: unknown, path: string, p: Problems, catalog: readonly string[]): ModuleSpec | undefined {
  if (typeof v === 'string') {
    if (!catalog.includes(v)) p.add(path, `no catalog module ${JSON.stringify(v)} (the catalog has ${catalog.join(', ')}); define the module as an object instead`);
    return v;
  }
  const o = object(v, path, p, 'a catalog module name or a module definition', MODULE_FIELDS, ['name']);
  if (!o) return undefined;
  const name = string(get(o, 'name'), field(path, 'name'), p, MODULE_NAME);
  if (catalog.includes(name)) p.add(field(path, 'name'), `${JSON.stringify(name)} is a catalog module; list it by name ("${name}") or give this module another name`);
  const livepatch = present(o, 'livepatch') ? boolean(get(o, 'livepatch'), field(path, 'livepatch'), p, false) : false;
  for (const key of livepatch ? TARGET_ONLY : LIVEPATCH_ONLY) {
    if (present(o, key)) p.add(field(path, key), livepatch ? `a livepatch module does not start ${key} (put them in a target module)` : `only a livepatch module (livepatch: true) has ${key}`);
  }

  const functions: FunctionSpec[] = [];
  const fnNames = new Set<string>();
  const fnPath = field(path, 'functions');
  const rawFns = present(o, 'functions') ? array(get(o, 'functions'), fnPath, p, 'functions', 10000) : [];
  for (const f of rawFns) {
    const n = typeof f === 'object' && f !== null && !Array.isArray(f) ? get(f as Record<string, unknown>, 'name') : undefined;
    if (typeof n === 'string') fnNames.add(n);
  }
  const seen = new Set<string>();
  rawFns.forEach((f, i) => {
    const fn = validateFunction(f, item(fnPath, i), p, fnNames);
    if (!fn) return;
    if (seen.has(fn.name)) p.add(field(item(fnPath, i), 'name'), `duplicate function ${JSON.stringify(fn.name)} in this module`);
    else if (fn.name === `${name}_init` || fn.name === `${name}_exit`) p.add(field(item(fnPath, i), 'name'), `${fn.name} is the module's own init/exit function; use init and exit`);
    seen.add(fn.name);
    functions.push(fn);
  });

  const states: { id: number; version: number }[] = [];
  if (livepatch && present(o, 'states')) {
    const sp = field(path, 'states');
    array(get(o, 'states'), sp, p, 'klp_states', 1000).forEach((s, i) => {
      const at = item(sp, i);
      const so = object(s, at, p, 'a klp_state ({ id, version })', ['id', 'version'], ['id', 'version']);
      if (!so) return;
      const id = integer(get(so, 'id'), field(at, 'id'), p, 0, 4294967295);
      if (states.some((x) => x.id === id)) p.add(field(at, 'id'), `duplicate klp_state id ${id} in this patch`);
      states.push({ id, version: integer(get(so, 'version'), field(at, 'version'), p, 0, 2147483647) });
    });
  }
  const objects: ObjectSpec[] = [];
  if (livepatch) {
    const op = field(path, 'objects');
    if (!present(o, 'objects')) p.add(op, 'missing (a livepatch module patches at least one object, e.g. { "name": "vmlinux", "funcs": [...] })');
    else {
      const raw = array(get(o, 'objects'), op, p, 'objects', 1000);
      if (Array.isArray(get(o, 'objects')) && raw.length === 0) p.add(op, 'expected at least one object');
      raw.forEach((ob, i) => {
        const spec = validateObject(ob, item(op, i), p, fnNames);
        if (spec) objects.push(spec);
      });
    }
  }

  const init = { print: [] as string[], ret: 0 };
  if (present(o, 'init')) {
    const ip = field(path, 'init');
    const io = object(get(o, 'init'), ip, p, livepatch ? 'init ({ print })' : 'init ({ print, ret })', livepatch ? ['print'] : ['print', 'ret']);
    if (io) {
      if (present(io, 'print')) init.print = printLines(get(io, 'print'), field(ip, 'print'), p);
      if (present(io, 'ret')) init.ret = integer(get(io, 'ret'), field(ip, 'ret'), p, -MAX_ERRNO, 0, 0);
    }
  }
  const exit = { print: [] as string[] };
  if (present(o, 'exit')) {
    const ep = field(path, 'exit');
    const eo = object(get(o, 'exit'), ep, p, 'exit ({ print })', ['print']);
    if (eo && present(eo, 'print')) exit.print = printLines(get(eo, 'print'), field(ep, 'print'), p);
  }

  const fnRef = (v2: unknown, at: string): string => {
    const fn = string(v2, at, p, FUNC_NAME);
    if (fn && !fnNames.has(fn)) p.add(at, `no function ${JSON.stringify(fn)} in this module's functions`);
    return fn;
  };
  const kthreads: { comm: string; fn: string }[] = [];
  if (!livepatch && present(o, 'kthreads')) {
    const kp = field(path, 'kthreads');
    array(get(o, 'kthreads'), kp, p, 'kthreads', 1000).forEach((t, i) => {
      const at = item(kp, i);
      const to = object(t, at, p, 'a kthread ({ comm, fn })', ['comm', 'fn'], ['comm', 'fn']);
      if (to) kthreads.push({ comm: string(get(to, 'comm'), field(at, 'comm'), p, { min: 1, max: COMM_MAX }), fn: fnRef(get(to, 'fn'), field(at, 'fn')) });
    });
  }
  const work: { fn: string }[] = [];
  if (!livepatch && present(o, 'work')) {
    const wp = field(path, 'work');
    array(get(o, 'work'), wp, p, 'work items', 1000).forEach((w, i) => {
      const at = item(wp, i);
      const wo = object(w, at, p, 'a work item ({ fn })', ['fn'], ['fn']);
      if (wo) work.push({ fn: fnRef(get(wo, 'fn'), field(at, 'fn')) });
    });
  }
  const spec: CustomModuleSpec = {
    name,
    description: present(o, 'description') ? string(get(o, 'description'), field(path, 'description'), p, { max: 1000 }) : '',
    livepatch,
    replace: livepatch && present(o, 'replace') ? boolean(get(o, 'replace'), field(path, 'replace'), p, false) : false,
    states,
    objects,
    functions,
    init,
    exit,
    kthreads,
    work,
  };
  // The policy fields (which policy allows them is checked with the kernel settings, policySpec.ts).
  if (livepatch && present(o, 'replaceable') && !boolean(get(o, 'replaceable'), field(path, 'replaceable'), p, true)) spec.replaceable = false;
  if (livepatch && present(o, 'replaceSet')) {
    const set = integer(get(o, 'replaceSet'), field(path, 'replaceSet'), p, 0, 4294967295, 0);
    if (set) spec.replaceSet = set;
  }
  return spec;
}

/** The module's fields that differ from their defaults (for compact documents and URLs). */
export function compactModule(m: ModuleSpec): unknown {
  if (typeof m === 'string') return m;
  const out: Record<string, unknown> = { name: m.name };
  if (m.description) out.description = m.description;
  if (m.livepatch) {
    out.livepatch = true;
    if (m.replace) out.replace = true;
    if (m.replaceable === false) out.replaceable = false;
    if (m.replaceSet) out.replaceSet = m.replaceSet;
    if (m.states.length) out.states = m.states;
    out.objects = m.objects.map((ob) => {
      const o: Record<string, unknown> = { name: ob.name };
      if (ob.funcs.length) o.funcs = ob.funcs.map((f) => (f.oldSympos ? f : { oldName: f.oldName, newFunc: f.newFunc }));
      const cbs: Record<string, unknown> = {};
      for (const c of CALLBACKS) {
        const cb = ob.callbacks[c];
        if (cb) cbs[c] = cb.ret ? cb : { print: cb.print };
      }
      if (Object.keys(cbs).length) o.callbacks = cbs;
      return o;
    });
  }
  if (m.functions.length) out.functions = m.functions.map((f) => (f.loop ? f : { name: f.name, body: f.body }));
  if (m.init.print.length || m.init.ret) out.init = m.init.ret ? m.init : { print: m.init.print };
  if (m.exit.print.length) out.exit = m.exit;
  if (m.kthreads.length) out.kthreads = m.kthreads;
  if (m.work.length) out.work = m.work;
  return out;
}
