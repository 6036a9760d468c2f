// The kernel's livepatch selftest modules (tools/testing/selftests/livepatch/test_modules),
// as module definitions: data plus small behaviours, through the same ModuleDef interface a
// scenario's own modules use. Behaviour and output follow conformance/MODULES.md.

import type { Exec, Step } from '../../kernel/exec';
import { WaitQueue } from '../../kernel/exec';
import type { KlpObject } from '../../kernel/klp';
import type { ModuleCtx, ModuleDef, PatchCallbacksDef } from '../../kernel/module';
import { Sched } from '../../kernel/tasks';
import type { SeqFile } from '../../kernel/vmlinux';
import { runShadowVarsSelftest } from './shadowVars';
import type { Kernel } from '../../kernel/kernel';

const OUT_OF_TREE = true;

/** The module context of a loaded module, from code running in it. */
function ctxOf(x: Exec, name: string): ModuleCtx {
  const m = x.k.modules.get(name);
  if (!m) throw new Error(`model bug: ${name} runs but is not loaded`);
  return m.ctx;
}

/** A show routine that writes one "<prefix>: <text>" line. */
function showLine(prefix: string, text: string) {
  return (_x: Exec, seq: unknown) => {
    (seq as SeqFile).printf(`${prefix}: ${text}\n`);
    return 0;
  };
}

/** The four callbacks of the callbacks/state modules: print the callback line first. */
function printingCallbacks(extra: Partial<Record<'pre' | 'post' | 'preUn' | 'postUn', (m: ModuleCtx, obj: KlpObject) => number | void>> = {}, preRet?: (m: ModuleCtx) => number): PatchCallbacksDef {
  return {
    prePatch: (m, obj) => {
      m.info(m.objectLine('pre_patch_callback', obj));
      const r = extra.pre?.(m, obj);
      return typeof r === 'number' ? r : preRet ? preRet(m) : 0;
    },
    postPatch: (m, obj) => {
      m.info(m.objectLine('post_patch_callback', obj));
      extra.post?.(m, obj);
    },
    preUnpatch: (m, obj) => {
      m.info(m.objectLine('pre_unpatch_callback', obj));
      extra.preUn?.(m, obj);
    },
    postUnpatch: (m, obj) => {
      m.info(m.objectLine('post_unpatch_callback', obj));
      extra.postUn?.(m, obj);
    },
  };
}

// ------------------------------------------------------------------ simple livepatches

const testKlpLivepatch: ModuleDef = {
  name: 'test_klp_livepatch',
  livepatch: true,
  outOfTree: OUT_OF_TREE,
  description: 'Livepatch test: livepatch module (replaces cmdline_proc_show)',
  symbols: [{ name: 'livepatch_cmdline_proc_show', size: 0x30, body: showLine('test_klp_livepatch', 'this has been live patched') }],
  init: (m) => m.klpEnablePatch({ objs: [{ name: null, funcs: [{ oldName: 'cmdline_proc_show', newFunc: 'livepatch_cmdline_proc_show' }] }] }),
};

const testKlpAtomicReplace: ModuleDef = {
  name: 'test_klp_atomic_replace',
  livepatch: true,
  outOfTree: OUT_OF_TREE,
  description: 'Livepatch test: atomic replace (replaces meminfo_proc_show)',
  params: [{ name: 'replace', type: 'int', default: 0, perm: 0o644, description: 'replace (default=0)' }],
  symbols: [{ name: 'livepatch_meminfo_proc_show', size: 0x30, body: showLine('test_klp_atomic_replace', 'this has been live patched') }],
  init: (m) =>
    m.klpEnablePatch({
      replace: m.param('replace') !== 0,
      objs: [{ name: null, funcs: [{ oldName: 'meminfo_proc_show', newFunc: 'livepatch_meminfo_proc_show' }] }],
    }),
};

// ------------------------------------------------------------------ callbacks

const testKlpCallbacksDemo: ModuleDef = {
  name: 'test_klp_callbacks_demo',
  livepatch: true,
  outOfTree: OUT_OF_TREE,
  description: 'Livepatch test: livepatch demo with callbacks',
  params: [{ name: 'pre_patch_ret', type: 'int', default: 0, perm: 0o644, description: 'pre_patch_ret (default=0)' }],
  symbols: [
    {
      name: 'patched_work_func',
      size: 0x20,
      body: (x: Exec) => {
        ctxOf(x, 'test_klp_callbacks_demo').info('patched_work_func');
      },
    },
  ],
  init: (m) => {
    const cb = printingCallbacks({}, (mm) => mm.param('pre_patch_ret') as number);
    return m.klpEnablePatch({
      objs: [
        { name: null, funcs: [], callbacks: cb },
        { name: 'test_klp_callbacks_mod', funcs: [], callbacks: cb },
        { name: 'test_klp_callbacks_busy', funcs: [{ oldName: 'busymod_work_func', newFunc: 'patched_work_func' }], callbacks: cb },
      ],
    });
  },
};

const testKlpCallbacksDemo2: ModuleDef = {
  name: 'test_klp_callbacks_demo2',
  livepatch: true,
  outOfTree: OUT_OF_TREE,
  description: 'Livepatch test: livepatch demo2 with callbacks',
  params: [{ name: 'replace', type: 'int', default: 0, perm: 0o644, description: 'replace (default=0)' }],
  init: (m) => m.klpEnablePatch({ replace: m.param('replace') !== 0, objs: [{ name: null, funcs: [], callbacks: printingCallbacks() }] }),
};

const testKlpCallbacksMod: ModuleDef = {
  name: 'test_klp_callbacks_mod',
  outOfTree: OUT_OF_TREE,
  description: 'Livepatch test: target module',
  init: (m) => {
    m.info('test_klp_callbacks_mod_init');
    return 0;
  },
  exit: (m) => {
    m.info('test_klp_callbacks_mod_exit');
  },
};

/** A completion (struct completion): done once, waiters woken. */
class Completion {
  done = false;
  readonly wq = new WaitQueue('completion');
  complete(k: Kernel): void {
    this.done = true;
    k.wakeQueue(this.wq);
  }
  *wait(x: Exec): Step<void> {
    const self = this;
    yield* x.within('vmlinux', ['wait_for_completion', '__wait_for_common', 'schedule'], function* () {
      while (!self.done) yield { kind: 'block', state: Sched.UNINTERRUPTIBLE, wq: self.wq, until: () => self.done };
    });
  }
}

const testKlpCallbacksBusy: ModuleDef = {
  name: 'test_klp_callbacks_busy',
  outOfTree: OUT_OF_TREE,
  description: 'Livepatch test: busy target module',
  params: [{ name: 'block_transition', type: 'bool', default: false, perm: 0o644, description: 'block_transition (default=false)' }],
  symbols: [
    {
      name: 'busymod_work_func',
      size: 0x70,
      body: function* (x: Exec): Step<void> {
        const m = ctxOf(x, 'test_klp_callbacks_busy');
        m.info('busymod_work_func enter');
        (m.data.workStarted as Completion).complete(x.k);
        while (m.param('block_transition') === true) yield* x.call('vmlinux', 'msleep', 20);
        m.info('busymod_work_func exit');
      },
    },
  ],
  init: function* (m: ModuleCtx): Step<number> {
    m.info('test_klp_callbacks_busy_init');
    const started = new Completion();
    m.data.workStarted = started;
    const work = m.newWork('busymod_work_func');
    m.data.work = work;
    m.scheduleWork(work);
    const x = m.k.execOfCurrent();
    yield* started.wait(x);
    if (m.param('block_transition') !== true) yield* m.flushWork(work);
    return 0;
  },
  exit: function* (m: ModuleCtx): Step<void> {
    m.setParam('block_transition', false);
    yield* m.flushWork(m.data.work as ReturnType<ModuleCtx['newWork']>);
    m.info('test_klp_callbacks_busy_exit');
  },
};

// ------------------------------------------------------------------ module target and its patch

const testKlpModTarget: ModuleDef = {
  name: 'test_klp_mod_target',
  outOfTree: OUT_OF_TREE,
  description: 'Livepatch test: target module with a proc file',
  symbols: [{ name: 'test_klp_mod_target_show', size: 0x30, body: showLine('test_klp_mod_target', 'original output') }],
  init: (m) => {
    m.info('test_klp_mod_target_init');
    m.procCreate('test_klp_mod_target', 'test_klp_mod_target_show');
    return 0;
  },
  exit: (m) => {
    m.info('test_klp_mod_target_exit');
    m.procRemove('test_klp_mod_target');
  },
};

const testKlpModPatch: ModuleDef = {
  name: 'test_klp_mod_patch',
  livepatch: true,
  outOfTree: OUT_OF_TREE,
  description: 'Livepatch test: patch for a module function',
  symbols: [{ name: 'livepatch_mod_target_show', size: 0x30, body: showLine('test_klp_mod_patch', 'this has been live patched') }],
  init: (m) => m.klpEnablePatch({ objs: [{ name: 'test_klp_mod_target', funcs: [{ oldName: 'test_klp_mod_target_show', newFunc: 'livepatch_mod_target_show' }] }] }),
};

// ------------------------------------------------------------------ system state

const CONSOLE_LOGLEVEL_STATE = 1;
const CONSOLE_LOGLEVEL_MOTORMOUTH = 15;

interface LoglevelStore {
  saved: number;
}

/** test_klp_state: version 1, no migration support. */
function stateV1(): ModuleDef {
  const own = (m: ModuleCtx) => m.klpGetState(CONSOLE_LOGLEVEL_STATE);
  return {
    name: 'test_klp_state',
    livepatch: true,
    outOfTree: OUT_OF_TREE,
    description: 'Livepatch test: system state modification',
    init: (m) =>
      m.klpEnablePatch({
        replace: true,
        states: [{ id: CONSOLE_LOGLEVEL_STATE, version: 1 }],
        objs: [
          {
            name: null,
            funcs: [],
            callbacks: printingCallbacks({
              pre: (mm) => {
                const st = own(mm);
                if (!st) return -22;
                st.data = { saved: 0 } satisfies LoglevelStore;
                mm.info('allocate_loglevel_state: allocating space to store console_loglevel');
                return 0;
              },
              post: (mm) => {
                const st = own(mm);
                if (!st) return;
                mm.info('fix_console_loglevel: fixing console_loglevel');
                (st.data as LoglevelStore).saved = mm.k.consoleLoglevel;
                mm.k.consoleLoglevel = CONSOLE_LOGLEVEL_MOTORMOUTH;
              },
              preUn: (mm) => {
                const st = own(mm);
                if (!st) return;
                mm.info('restore_console_loglevel: restoring console_loglevel');
                mm.k.consoleLoglevel = (st.data as LoglevelStore).saved;
              },
              postUn: (mm) => {
                const st = own(mm);
                if (!st) return;
                mm.info('free_loglevel_state: freeing space for the stored console_loglevel');
                st.data = null;
              },
            }),
          },
        ],
      }),
  };
}

/** test_klp_state2 / test_klp_state3: version 2, takes over a previous patch's state. */
function stateV2(name: string): ModuleDef {
  const own = (m: ModuleCtx) => m.klpGetState(CONSOLE_LOGLEVEL_STATE);
  const prev = (m: ModuleCtx) => m.klpGetPrevState(CONSOLE_LOGLEVEL_STATE);
  return {
    name,
    livepatch: true,
    outOfTree: OUT_OF_TREE,
    description: 'Livepatch test: system state modification with migration support',
    init: (m) =>
      m.klpEnablePatch({
        replace: true,
        states: [{ id: CONSOLE_LOGLEVEL_STATE, version: 2 }],
        objs: [
          {
            name: null,
            funcs: [],
            callbacks: printingCallbacks({
              pre: (mm) => {
                const st = own(mm);
                if (!st) return -22;
                if (prev(mm)) {
                  mm.info('allocate_loglevel_state: space to store console_loglevel already allocated');
                  return 0;
                }
                st.data = { saved: 0 } satisfies LoglevelStore;
                mm.info('allocate_loglevel_state: allocating space to store console_loglevel');
                return 0;
              },
              post: (mm) => {
                const st = own(mm);
                if (!st) return;
                const p = prev(mm);
                if (p) {
                  mm.info('fix_console_loglevel: taking over the console_loglevel change');
                  st.data = p.data;
                  return;
                }
                mm.info('fix_console_loglevel: fixing console_loglevel');
                (st.data as LoglevelStore).saved = mm.k.consoleLoglevel;
                mm.k.consoleLoglevel = CONSOLE_LOGLEVEL_MOTORMOUTH;
              },
              preUn: (mm) => {
                const st = own(mm);
                if (!st) return;
                if (prev(mm)) {
                  mm.info('restore_console_loglevel: passing the console_loglevel change back to the old livepatch');
                  return;
                }
                mm.info('restore_console_loglevel: restoring console_loglevel');
                mm.k.consoleLoglevel = (st.data as LoglevelStore).saved;
              },
              postUn: (mm) => {
                const st = own(mm);
                if (!st) return;
                if (prev(mm)) {
                  mm.info('free_loglevel_state: keeping space to store console_loglevel');
                  return;
                }
                mm.info('free_loglevel_state: freeing space for the stored console_loglevel');
                st.data = null;
              },
            }),
          },
        ],
      }),
  };
}

// ------------------------------------------------------------------ syscall, kprobe, shadow vars

const testKlpSyscall: ModuleDef = {
  name: 'test_klp_syscall',
  livepatch: true,
  outOfTree: OUT_OF_TREE,
  description: 'Livepatch test: patch the getpid syscall',
  params: [{ name: 'klp_pids', type: 'intarray', default: [], perm: 0, max: 8192, description: 'Array of pids to be transitioned to livepatched state.' }],
  symbols: [
    {
      name: 'lp_sys_getpid',
      size: 0x60,
      body: (x: Exec) => {
        const m = ctxOf(x, 'test_klp_syscall');
        const pid = x.k.tasks.pid[x.slot];
        const pids = m.param('klp_pids') as number[];
        const npids = m.data.npids as number;
        if ((m.data.npidsPending as number) > 0) {
          for (let i = 0; i < npids; i++) {
            if (pids[i] === pid) {
              pids[i] = 0;
              m.data.npidsPending = (m.data.npidsPending as number) - 1;
              break;
            }
          }
        }
        return pid;
      },
    },
  ],
  init: (m) => {
    const pids = m.param('klp_pids') as number[];
    m.data.npidsPending = pids.length;
    m.data.npids = pids.length;
    m.sysfsCreate('/sys/kernel/test_klp_syscall/npids', 0o444, () => `${m.data.npidsPending as number}\n`);
    return m.klpEnablePatch({ objs: [{ name: null, funcs: [{ oldName: '__x64_sys_getpid', newFunc: 'lp_sys_getpid' }] }] });
  },
  exit: (m) => {
    m.sysfsRemove('/sys/kernel/test_klp_syscall/npids');
  },
};

const testKlpKprobe: ModuleDef = {
  name: 'test_klp_kprobe',
  outOfTree: OUT_OF_TREE,
  description: 'Livepatch test: kprobe on cmdline_proc_show',
  params: [{ name: 'has_post_handler', type: 'bool', default: true, perm: 0o444, description: 'Whether the kprobe has a post_handler' }],
  init: (m) => m.registerKprobe('cmdline_proc_show', m.param('has_post_handler') === true),
  exit: (m) => m.unregisterKprobes(),
};

const testKlpShadowVars: ModuleDef = {
  name: 'test_klp_shadow_vars',
  outOfTree: OUT_OF_TREE,
  description: 'Livepatch test: shadow variables',
  // shadow.c __klp_shadow_get_or_alloc(): WARN(1, "Duplicate shadow variable <%p, %lx>\n") is a
  // full WARN (cut here, the message, the report, the W taint).
  init: (m) =>
    runShadowVarsSelftest(
      (line) => m.printk(6, line),
      (line) => m.printk(6, line),
      (message) => m.k.warn('kernel/livepatch/shadow.c', '__klp_shadow_get_or_alloc', false, 'duplicate', message),
    ),
};

export const SELFTEST_MODULES: readonly ModuleDef[] = [
  testKlpLivepatch,
  testKlpAtomicReplace,
  testKlpCallbacksDemo,
  testKlpCallbacksDemo2,
  testKlpCallbacksMod,
  testKlpCallbacksBusy,
  testKlpModTarget,
  testKlpModPatch,
  stateV1(),
  stateV2('test_klp_state2'),
  stateV2('test_klp_state3'),
  testKlpSyscall,
  testKlpKprobe,
  testKlpShadowVars,
];

/** The directory the selftests load their modules from. */
export const SELFTEST_MODULE_DIR = 'test_modules';
