// A small machine for the attempt-walk tests: the selftest configuration plus a livepatch of
// d_delete and user threads of our own, some sleeping (D state) with d_delete on their stacks.

import { Simulation, SELFTEST_CONFIG } from '../../src/engine/simulation';
import type { KernelConfig } from '../../src/kernel/kernel';
import type { ModuleDef } from '../../src/kernel/module';
import { Sched } from '../../src/kernel/tasks';
import { runToEnd } from './helpers';

export const WALK_LP: ModuleDef = {
  name: 'walk_lp',
  livepatch: true,
  description: 'Livepatch of d_delete for the attempt-walk tests',
  symbols: [{ name: 'livepatch_d_delete', size: 0x40 }],
  init: (m) => m.klpEnablePatch({ objs: [{ name: null, funcs: [{ oldName: 'd_delete', newFunc: 'livepatch_d_delete' }] }] }),
};

export const CLEAN_FRAMES = ['entry_SYSCALL_64_after_hwframe', 'do_syscall_64', '__x64_sys_epoll_wait', 'do_epoll_wait', 'ep_poll', 'schedule'];
export const BLOCKED_FRAMES = ['entry_SYSCALL_64_after_hwframe', 'do_syscall_64', 'ksys_write', 'vfs_write', 'd_delete', 'io_schedule', 'schedule'];

export interface WalkMachine {
  sim: Simulation;
  /** Slots of our threads, in creation (task-list) order. */
  clean: number[];
  blocked: number[];
}

/** Boot, add `clean` + `blocked` threads (blocked ones interleaved after every few clean ones). */
export function walkMachine(config: Partial<KernelConfig>, clean: number, blocked: number): WalkMachine {
  const sim = new Simulation({ ...SELFTEST_CONFIG, ...config }, [WALK_LP]);
  const k = sim.kernel;
  const cleanStack = k.trie.fromFrames(k.codes('vmlinux', CLEAN_FRAMES));
  const blockedStack = k.trie.fromFrames(k.codes('vmlinux', BLOCKED_FRAMES));
  const out: WalkMachine = { sim, clean: [], blocked: [] };
  const every = Math.max(1, Math.floor(clean / Math.max(1, blocked)));
  for (let i = 0, b = 0; i < clean || b < blocked; i++) {
    if (b < blocked && i % every === every - 1) {
      out.blocked.push(k.addTask({ comm: `blocked-${b++}`, kthread: false, sched: Sched.UNINTERRUPTIBLE, stack: blockedStack }));
    }
    if (i < clean) out.clean.push(k.addTask({ comm: `app-${i}`, kthread: false, sched: Sched.INTERRUPTIBLE, stack: cleanStack }));
  }
  return out;
}

/**
 * insmod the livepatch (klp_enable_patch() makes the first attempt synchronously); returns
 * how many threads were on the task list at klp_start_transition().
 */
export function enable(m: WalkMachine): number {
  const k = m.sim.kernel;
  let listed = -1;
  const unsubscribe = k.events.subscribe((e) => {
    if (e.type === 'klp.start') listed = k.listedSlots().length;
  });
  runToEnd(m.sim, ['insmod walk_lp.ko']);
  unsubscribe();
  return listed;
}
