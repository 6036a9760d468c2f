// ?bench=tasks-1m | tasks-100k: the page opens on a machine with that many tasks instead of
// the default scenario, for `npm run bench -- browser` (and for anyone who wants to see the
// Tasks view at scale). The tasks sit on a few shared stack shapes; some sleep in
// cmdline_proc_show, which test_klp_livepatch patches, so its transition stalls on them,
// and a few run, sleep in D state, have unreliable stacks or are exiting.

import type { SessionSource } from '../engine/session';
import { Simulation } from '../engine/simulation';
import { Sched, TF, type SchedState } from '../kernel/tasks';

/** Keyed by the address's text: a Map, so `?bench=__proto__` names nothing. */
export const BENCH_SIZES: ReadonlyMap<string, number> = new Map([
  ['tasks-1m', 1_000_000],
  ['tasks-100k', 100_000],
]);

const KTHREAD = ['ret_from_fork_asm', 'ret_from_fork', 'kthread'];
const SYSCALL = ['entry_SYSCALL_64_after_hwframe', 'do_syscall_64'];

/** A simulation with `n` extra tasks, built deterministically. */
export function benchSimulation(n: number): Simulation {
  const sim = new Simulation({ cpus: 64, dynamicDebug: [], seed: 1 });
  const k = sim.kernel;
  const stack = (names: string[]) => k.trie.fromFrames(k.codes('vmlinux', names));
  const poll = stack([...SYSCALL, '__x64_sys_epoll_wait', 'do_epoll_wait', 'ep_poll', 'schedule_hrtimeout_range', 'schedule']);
  const read = stack([...SYSCALL, '__x64_sys_read', 'tty_read', 'n_tty_read', 'wait_woken', 'schedule_timeout', 'schedule']);
  const worker = stack([...KTHREAD, 'smpboot_thread_fn', 'schedule']);
  const proc = stack([...SYSCALL, '__x64_sys_read', 'cmdline_proc_show', 'schedule']);
  const procKthread = stack([...KTHREAD, 'cmdline_proc_show', 'schedule']);
  k.tasks.reserve(k.tasks.n + n);
  const comms = ['nginx', 'postgres', 'java', 'python3', 'containerd'];
  for (let i = 0; i < n; i++) {
    const kthread = i % 4 === 0;
    let sched: SchedState = Sched.INTERRUPTIBLE;
    let s = kthread ? worker : i % 3 ? poll : read;
    if (i % 97 === 5) s = kthread ? procKthread : proc;
    if (i % 1009 === 11) sched = Sched.RUNNING;
    else if (i % 499 === 7) {
      s = kthread ? procKthread : proc;
      sched = Sched.UNINTERRUPTIBLE;
    }
    const slot = k.addTask({ comm: kthread ? `kworker/u${i % 64}:${i % 7}` : comms[i % comms.length], kthread, sched, stack: s });
    if (i % 2003 === 13) k.tasks.set(slot, TF.UNRELIABLE);
  }
  return sim;
}

/** The bench source named by the page's `?bench=` parameter, if any. */
export function benchSource(search: string): SessionSource | undefined {
  const name = new URLSearchParams(search).get('bench');
  const n = name ? BENCH_SIZES.get(name) : undefined;
  if (!n) return undefined;
  return { title: `Bench: ${n.toLocaleString('en-US')} tasks, test_klp_livepatch stalls on tasks in cmdline_proc_show`, build: () => benchSimulation(n), script: ['insmod test_modules/test_klp_livepatch.ko'] };
}
