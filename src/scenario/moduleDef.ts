// A scenario module as the ModuleDef interface the selftest catalog uses: its functions'
// bodies as steps on the model, its callbacks, init and exit, and its klp_patch.

import type { Exec, Step } from '../kernel/exec';
import type { WorkItem } from '../kernel/kernel';
import type { ModuleCtx, ModuleDef, PatchCallbacksDef, PatchDef } from '../kernel/module';
import { Sched, type SchedState } from '../kernel/tasks';
import { SeqFile } from '../kernel/vmlinux';
import { callTarget, type CallbackSpec, type CallbacksSpec, type CustomModuleSpec, type FunctionSpec, type SleepSched } from './moduleSpec';

const SLEEP_STATE: Record<SleepSched, { state: SchedState; frames: string[] }> = {
  uninterruptible: { state: Sched.UNINTERRUPTIBLE, frames: ['msleep', 'schedule_timeout', 'schedule'] },
  interruptible: { state: Sched.INTERRUPTIBLE, frames: ['msleep_interruptible', 'schedule_timeout', 'schedule'] },
  freezable: { state: Sched.FREEZABLE, frames: ['schedule_timeout', 'schedule'] },
  'uninterruptible-freezable': { state: Sched.FREEZABLE_UNINTERRUPTIBLE, frames: ['schedule_timeout', 'schedule'] },
};

function ctxOf(x: Exec, module: string): ModuleCtx {
  const m = x.k.modules.get(module);
  if (!m) throw new Error(`model bug: code of ${module} runs but the module is not loaded`);
  return m.ctx;
}

/** The body of a scenario function: its steps, repeated while `loop` and not told to stop. */
function functionBody(module: string, f: FunctionSpec, own: ReadonlySet<string>) {
  return function* (x: Exec, arg?: unknown): Step<number> {
    const m = ctxOf(x, module);
    const stopping = () => m.data.stopping === true || m.kthreadShouldStop(x);
    do {
      for (const s of f.body) {
        if ('print' in s) m.info(s.print);
        else if ('show' in s) {
          if (arg instanceof SeqFile) arg.printf(`${s.show}\n`);
        } else if ('call' in s) {
          const t = callTarget(s.call, own);
          x.k.clock.budget?.call(x.k.trie.depth(x.k.tasks.stack[x.slot]), x.slot, t.name);
          yield* x.call(t.owner === 'self' ? module : 'vmlinux', t.name, arg);
        } else if ('sleep' in s) {
          const { state, frames } = SLEEP_STATE[s.sleep.sched];
          const end = x.k.clock.now + s.sleep.us;
          // msleep() sleeps its whole time; the interruptible kinds return early when woken.
          do {
            yield* x.sleep(end - x.k.clock.now, state, frames);
          } while ((s.sleep.sched === 'uninterruptible' || s.sleep.sched === 'uninterruptible-freezable') && x.k.clock.now < end);
        } else {
          yield { kind: 'run', us: s.run.us };
          if (s.run.condResched) x.condResched();
        }
      }
    } while (f.loop && !stopping());
    return 0;
  };
}

function callbacksDef(cbs: CallbacksSpec): PatchCallbacksDef {
  const out: PatchCallbacksDef = {};
  const print = (m: ModuleCtx, cb: CallbackSpec) => {
    for (const l of cb.print) m.info(l);
  };
  const { prePatch, postPatch, preUnpatch, postUnpatch } = cbs;
  if (prePatch) out.prePatch = (m) => (print(m, prePatch), prePatch.ret);
  if (postPatch) out.postPatch = (m) => print(m, postPatch);
  if (preUnpatch) out.preUnpatch = (m) => print(m, preUnpatch);
  if (postUnpatch) out.postUnpatch = (m) => print(m, postUnpatch);
  return out;
}

/** The ModuleDef of a scenario module (the same interface the selftest catalog uses). */
export function toModuleDef(spec: CustomModuleSpec): ModuleDef {
  const own = new Set(spec.functions.map((f) => f.name));
  const patch: PatchDef = {
    replace: spec.replace,
    replaceable: spec.replaceable ?? true,
    replaceSet: spec.replaceSet ?? 0,
    states: spec.states,
    objs: spec.objects.map((ob) => ({
      name: ob.name === 'vmlinux' ? null : ob.name,
      funcs: ob.funcs.map((f) => ({ oldName: f.oldName, newFunc: f.newFunc, oldSympos: f.oldSympos })),
      callbacks: callbacksDef(ob.callbacks),
    })),
  };
  const def: ModuleDef = {
    name: spec.name,
    livepatch: spec.livepatch,
    outOfTree: true,
    description: spec.description,
    symbols: spec.functions.map((f) => ({ name: f.name, body: functionBody(spec.name, f, own) })),
    init: (m) => {
      for (const l of spec.init.print) m.info(l);
      if (spec.livepatch) return m.klpEnablePatch(patch);
      if (spec.init.ret !== 0) return spec.init.ret;
      m.data.kthreads = spec.kthreads.map((t) => m.kthreadRun(t.fn, t.comm));
      m.data.work = spec.work.map((w) => {
        const item = m.newWork(w.fn);
        m.scheduleWork(item);
        return item;
      });
      return 0;
    },
  };
  if (spec.kthreads.length || spec.work.length || spec.exit.print.length) {
    def.exit = function* (m: ModuleCtx): Step<void> {
      // Tell the loops to end, then wait for them, as a module_exit must before its text goes.
      m.data.stopping = true;
      for (const slot of (m.data.kthreads as number[] | undefined) ?? []) yield* m.kthreadStop(slot);
      for (const w of (m.data.work as WorkItem[] | undefined) ?? []) yield* m.flushWork(w);
      for (const l of spec.exit.print) m.info(l);
    };
  }
  return def;
}
