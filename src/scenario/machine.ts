// The userspace and kernel threads of a freshly booted machine: what the selftest cases
// assume ("an idle userspace: pid 1 systemd, kthreadd, one idle task and a few kworkers per
// CPU, a shell"), none of which sits in a patched function.

import type { Kernel } from '../kernel/kernel';
import { Sched } from '../kernel/tasks';
import { retFromForkFrames } from '../kernel/version';

const SYSCALL = ['entry_SYSCALL_64_after_hwframe', 'do_syscall_64'];

/** Virtual time at which the booted machine hands over to the script. */
const BOOT_DONE_US = 4_213_570;

interface BootedMachine {
  /** The root shell that runs the script. */
  shell: number;
}

export function bootIdleMachine(k: Kernel): BootedMachine {
  const c = (names: string[]) => k.codes('vmlinux', names);
  const fork = retFromForkFrames(k.features);
  const kthread = [...fork, 'kthread'];
  k.addTask({ pid: 1, comm: 'systemd', kthread: false, sched: Sched.INTERRUPTIBLE, frames: c([...SYSCALL, '__x64_sys_epoll_wait', 'do_epoll_wait', 'ep_poll', 'schedule_hrtimeout_range', 'schedule']) });
  k.addTask({ pid: 2, comm: 'kthreadd', kthread: true, sched: Sched.INTERRUPTIBLE, frames: c([...fork, 'kthreadd', 'schedule']) });
  // rcu_gp waits in TASK_IDLE (uninterruptible, not counted in the load average).
  k.addTask({ comm: 'rcu_preempt', kthread: true, sched: Sched.UNINTERRUPTIBLE, frames: c([...kthread, 'rcu_gp_kthread', 'rcu_gp_fqs_loop', 'swait_event_idle_timeout', 'schedule_timeout', 'schedule']) });
  k.addTask({ comm: 'rcu_tasks_kthread', kthread: true, sched: Sched.UNINTERRUPTIBLE, frames: c([...kthread, 'rcu_tasks_kthread', 'rcu_tasks_one_gp', 'schedule']) });
  for (let cpu = 0; cpu < k.nrCpus; cpu++) {
    for (const comm of [`cpuhp/${cpu}`, `migration/${cpu}`, `ksoftirqd/${cpu}`]) {
      k.addTask({ comm, kthread: true, sched: Sched.INTERRUPTIBLE, frames: c([...kthread, 'smpboot_thread_fn', 'schedule']) });
    }
    k.createWorker(cpu);
    k.createWorker(cpu);
  }
  k.addTask({ comm: 'khungtaskd', kthread: true, sched: Sched.INTERRUPTIBLE, frames: c([...kthread, 'watchdog', 'schedule_timeout', 'schedule']) });
  k.addTask({ comm: 'kcompactd0', kthread: true, sched: Sched.FREEZABLE, frames: c([...kthread, 'kcompactd', 'schedule_timeout', 'schedule']) });
  k.addTask({ comm: 'kswapd0', kthread: true, sched: Sched.FREEZABLE, frames: c([...kthread, 'kswapd', 'schedule']) });
  k.bumpPid(180);
  k.addTask({ comm: 'systemd-journal', kthread: false, sched: Sched.INTERRUPTIBLE, frames: c([...SYSCALL, '__x64_sys_epoll_wait', 'do_epoll_wait', 'ep_poll', 'schedule_hrtimeout_range', 'schedule']) });
  k.addTask({ comm: 'systemd-udevd', kthread: false, sched: Sched.INTERRUPTIBLE, frames: c([...SYSCALL, '__x64_sys_epoll_wait', 'do_epoll_wait', 'ep_poll', 'schedule_hrtimeout_range', 'schedule']) });
  k.bumpPid(420);
  k.addTask({ comm: 'sshd', kthread: false, sched: Sched.INTERRUPTIBLE, frames: c([...SYSCALL, '__x64_sys_ppoll', 'do_sys_poll', 'do_poll', 'schedule_hrtimeout_range', 'schedule']) });
  k.addTask({ comm: 'agetty', kthread: false, sched: Sched.INTERRUPTIBLE, frames: c([...SYSCALL, '__x64_sys_read', 'tty_read', 'n_tty_read', 'wait_woken', 'schedule_timeout', 'schedule']) });
  k.bumpPid(1000);
  const shell = k.addTask({ comm: 'bash', kthread: false, sched: Sched.INTERRUPTIBLE, userMode: true, frames: c([...SYSCALL, '__x64_sys_read', 'tty_read', 'n_tty_read', 'wait_woken', 'schedule_timeout', 'schedule']) });
  // The machine has been up for a few seconds when the script starts.
  k.clock.runUntil(BOOT_DONE_US);
  return { shell };
}
