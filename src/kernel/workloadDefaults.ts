// The default data of the workload model: the million-thread server the bench and the
// server-1m preset start from.

import type { WorkloadSpec } from './workloadModel';

/**
 * A server with a million threads, as the field reports describe them: mostly parked pool
 * threads, busy network workers, a database doing disk I/O, per-CPU kworkers.
 */
export const DEFAULT_SERVER_WORKLOAD: WorkloadSpec = {
  classes: [
    {
      name: 'thread pools',
      comm: 'pool-%d',
      count: 950_000,
      kind: 'user',
      phases: [{ frames: ['entry_SYSCALL_64_after_hwframe', 'do_syscall_64', '__x64_sys_futex', 'do_futex', 'futex_wait', 'futex_wait_queue', 'schedule'], weight: 1, dwellUs: 300_000_000, sched: 'interruptible' }],
      syscallRatePerS: 5,
      forkRatePerS: 0,
      exitRatePerS: 0,
      reliableStack: true,
    },
    {
      name: 'nginx workers',
      comm: 'nginx-%d',
      count: 40_000,
      kind: 'user',
      phases: [
        { frames: ['entry_SYSCALL_64_after_hwframe', 'do_syscall_64', '__x64_sys_epoll_wait', 'do_epoll_wait', 'ep_poll', 'schedule_hrtimeout_range', 'schedule'], weight: 8, dwellUs: 5_000_000, sched: 'interruptible' },
        { frames: ['entry_SYSCALL_64_after_hwframe', 'do_syscall_64', 'ksys_read', 'vfs_read', 'sock_recvmsg', 'inet_recvmsg', 'tcp_recvmsg', 'sk_wait_data', 'schedule_timeout', 'schedule'], weight: 2, dwellUs: 1_000_000, sched: 'interruptible' },
      ],
      syscallRatePerS: 20,
      forkRatePerS: 0.001,
      exitRatePerS: 0.001,
      reliableStack: true,
    },
    {
      name: 'postgres backends',
      comm: 'postgres-%d',
      count: 9_000,
      kind: 'user',
      phases: [
        { frames: ['entry_SYSCALL_64_after_hwframe', 'do_syscall_64', 'ksys_read', 'vfs_read', 'folio_wait_bit_common', 'io_schedule', 'schedule'], weight: 1, dwellUs: 20_000, sched: 'uninterruptible' },
        { frames: ['entry_SYSCALL_64_after_hwframe', 'do_syscall_64', '__x64_sys_futex', 'do_futex', 'futex_wait', 'futex_wait_queue', 'schedule'], weight: 9, dwellUs: 10_000_000, sched: 'interruptible' },
      ],
      syscallRatePerS: 10,
      forkRatePerS: 0,
      exitRatePerS: 0,
      reliableStack: true,
    },
    {
      name: 'kworkers',
      comm: 'kworker/u64:%d',
      count: 1_000,
      kind: 'kthread',
      phases: [{ frames: ['ret_from_fork_asm', 'ret_from_fork', 'kthread', 'worker_thread', 'schedule'], weight: 1, dwellUs: 1_000_000, sched: 'interruptible' }],
      syscallRatePerS: 0,
      forkRatePerS: 0,
      exitRatePerS: 0,
      reliableStack: true,
    },
  ],
  fixed: [],
};
