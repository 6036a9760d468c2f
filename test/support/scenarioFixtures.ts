// Scenario documents shared by the document, URL and sim CLI tests.

import { FORMAT } from '../../src/scenario/document';

export const HEAD = { format: FORMAT, version: 1 };

/** A document using every field. */
export const FULL_DOCUMENT = {
  ...HEAD,
  title: 'A kthread sleeping in a patched function',
  description: 'stuckmod starts a kthread that sleeps in stuck_loop; lp_stuck patches it.',
  seed: 42,
  kernel: {
    version: '6.12',
    cpus: { count: 8, offline: [7] },
    hz: 250,
    reliableStacktrace: true,
    dynamicDebug: ['file kernel/livepatch/* +p'],
    ftraceEnabled: true,
    walk: { checkUsPerTask: 2.5, debugPrintUs: 86.8 },
    watchdogThresh: 20,
  },
  modules: [
    'test_klp_livepatch',
    {
      name: 'stuckmod',
      description: 'a target module with a kthread and a work item',
      functions: [
        { name: 'stuck_loop', loop: true, body: [{ sleep: { us: 20000, sched: 'uninterruptible' } }] },
        { name: 'busy_work', loop: true, body: [{ run: { us: 500, condResched: true } }, { call: 'stuck_helper' }] },
        { name: 'stuck_helper', body: [{ call: 'vmlinux:schedule' }] },
      ],
      init: { print: ['stuckmod loaded'], ret: 0 },
      exit: { print: ['stuckmod unloaded'] },
      kthreads: [{ comm: 'stuckd', fn: 'stuck_loop' }],
      work: [{ fn: 'busy_work' }],
    },
    {
      name: 'lp_stuck',
      livepatch: true,
      replace: true,
      states: [{ id: 1, version: 2 }],
      functions: [{ name: 'lp_stuck_loop', body: [{ print: 'patched stuck_loop' }] }, { name: 'lp_cmdline', body: [{ show: 'patched cmdline' }] }],
      init: { print: ['loading lp_stuck'] },
      objects: [
        { name: 'stuckmod', funcs: [{ oldName: 'stuck_loop', newFunc: 'lp_stuck_loop', oldSympos: 1 }], callbacks: { prePatch: { print: ['pre'], ret: 0 }, postUnpatch: { print: 'post unpatch' } } },
        { name: 'vmlinux', funcs: [{ oldName: 'cmdline_proc_show', newFunc: 'lp_cmdline' }] },
      ],
    },
  ],
  tasks: {
    classes: [
      {
        name: 'nginx workers',
        comm: 'nginx-%d',
        count: 12000,
        kind: 'user',
        phases: [
          { frames: ['entry_SYSCALL_64_after_hwframe', 'do_syscall_64', '__x64_sys_epoll_wait', 'do_epoll_wait', 'ep_poll', 'schedule'], weight: 3, dwellUs: 5000, sched: 'interruptible' },
          { frames: ['entry_SYSCALL_64_after_hwframe', 'do_syscall_64', 'vmlinux:cmdline_proc_show'], weight: 1, dwellUs: 100, sched: 'running' },
        ],
        syscallRatePerS: 200,
        forkRatePerS: 0.01,
        exitRatePerS: 0.01,
        reliableStack: true,
      },
      { name: 'spinner', comm: 'spin', count: 1, kind: 'kthread', phases: [], syscallRatePerS: 0, cpuBound: { frames: ['ret_from_fork', 'kthread', 'cmdline_proc_show'], condResched: false }, forkRatePerS: 0, exitRatePerS: 0, reliableStack: false },
    ],
    fixed: [{ comm: 'kworker/3:2', kind: 'kthread', frames: ['ret_from_fork', 'kthread', 'worker_thread', 'process_one_work', 'cmdline_proc_show'], sched: 'uninterruptible', reliableStack: true }],
  },
  script: ['load_mod stuckmod', 'load_lp_nowait lp_stuck', 'at 5s: cat /sys/kernel/livepatch/lp_stuck/transition', 'at 7500ms: disable_lp lp_stuck'],
};

