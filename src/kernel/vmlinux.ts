// The part of vmlinux's symbol table the model uses: functions that appear on stacks, the
// ones the selftest modules patch, and the hot spots of the field reports (docs/kernel-model.md
// §14, docs/debate.md §5 C3). A few have bodies: /proc show routines, getpid, msleep.

import type { Exec, Step } from './exec';
import type { SymbolSpec } from './symbols';
import { Sched } from './tasks';

/** struct seq_file: what a show routine writes. */
export class SeqFile {
  buf = '';
  printf(s: string): void {
    this.buf += s;
  }
}

const MEMINFO = [
  'MemTotal:        8131012 kB',
  'MemFree:         7391244 kB',
  'MemAvailable:    7602932 kB',
  'Buffers:           18344 kB',
  'Cached:           336952 kB',
  'SwapCached:            0 kB',
  'Active:           120880 kB',
  'Inactive:         348320 kB',
  'SwapTotal:             0 kB',
  'SwapFree:              0 kB',
  'Dirty:                 8 kB',
  'Writeback:             0 kB',
  'AnonPages:        114084 kB',
  'Mapped:           101200 kB',
  'Shmem:             10768 kB',
  'KernelStack:        3456 kB',
  'PageTables:         3008 kB',
  'CommitLimit:     4065504 kB',
  'Committed_AS:     530128 kB',
  'VmallocTotal:   34359738367 kB',
  'HugePages_Total:       0',
  'Hugepagesize:       2048 kB',
];

function* msleep(x: Exec, ms: unknown): Step<void> {
  // msleep(): schedule_timeout_uninterruptible() until the time has passed.
  yield* x.sleep(Number(ms) * 1000, Sched.UNINTERRUPTIBLE, ['schedule_timeout', 'schedule']);
}

function* msleepInterruptible(x: Exec, ms: unknown): Step<void> {
  yield* x.sleep(Number(ms) * 1000, Sched.INTERRUPTIBLE, ['schedule_timeout', 'schedule']);
}

const scenery = [
  // entry and syscalls
  'entry_SYSCALL_64_after_hwframe', 'do_syscall_64', 'syscall_exit_to_user_mode', 'exit_to_user_mode_loop',
  '__x64_sys_finit_module', '__do_sys_finit_module', 'idempotent_init_module', 'init_module_from_file',
  'load_module', 'do_init_module', 'do_one_initcall', '__x64_sys_delete_module', 'free_module',
  'ksys_write', 'vfs_write', 'kernfs_fop_write_iter', 'ksys_read', 'vfs_read', 'seq_read', 'seq_read_iter',
  'proc_reg_read_iter', 'kernfs_fop_read_iter', 'sysfs_kf_seq_show',
  'enabled_store', 'force_store', 'enabled_show', 'transition_show', 'replace_show', 'stack_order_show', 'patched_show',
  '__x64_sys_wait4', 'kernel_wait4', 'do_wait', '__x64_sys_clock_nanosleep', 'hrtimer_nanosleep', 'do_nanosleep',
  '__x64_sys_epoll_wait', 'do_epoll_wait', 'ep_poll', 'schedule_hrtimeout_range', '__x64_sys_read', 'n_tty_read',
  'wait_woken', 'tty_read', '__x64_sys_pause', '__x64_sys_futex', 'do_futex', 'futex_wait', 'futex_wait_queue',
  '__x64_sys_nanosleep', '__x64_sys_ppoll', 'do_sys_poll', 'do_poll', 'pipe_read', 'unix_stream_read_generic',
  'sock_recvmsg', 'tcp_recvmsg', 'inet_recvmsg', 'sk_wait_data', '__x64_sys_accept4', 'inet_csk_accept',
  // scheduler and idle
  'schedule', '__schedule', 'schedule_idle', 'schedule_timeout', 'preempt_schedule_irq', '__cond_resched',
  'do_idle', 'cpu_startup_entry', 'start_secondary', 'secondary_startup_64', 'x86_64_start_kernel',
  'start_kernel', 'rest_init', 'default_idle_call', 'update_rq_clock', 'try_to_wake_up', 'wake_up_process',
  // kthreads
  'ret_from_fork_asm', 'ret_from_fork', 'kthread', 'kthreadd', 'kthread_stop', 'worker_thread', 'process_one_work',
  'smpboot_thread_fn', 'rcu_gp_kthread', 'rcu_gp_fqs_loop', 'swait_event_idle_timeout', 'kcompactd',
  'khugepaged', 'kswapd', 'watchdog', 'irq_thread', 'oom_reaper', 'kauditd_thread', 'khungtaskd',
  'rcu_tasks_kthread', 'rcu_tasks_one_gp', 'rcu_tasks_wait_gp', 'devtmpfsd', 'jbd2_journal_commit_transaction', 'kjournald2',
  'wait_for_completion', 'wait_for_completion_killable', '__wait_for_common', 'io_schedule', 'folio_wait_bit_common',
  'blk_mq_get_tag', 'bit_wait_io', 'rwsem_down_read_slowpath', 'mutex_lock', '__mutex_lock',
  // exit and fork
  'do_exit', 'do_group_exit', 'get_signal', 'arch_do_signal_or_restart', 'release_task', '__unhash_process',
  'do_task_dead', 'copy_process', 'kernel_clone', '__x64_sys_clone', '__x64_sys_exit_group', 'exit_notify',
  // livepatch itself (for work and stack listings)
  'klp_transition_work_fn', 'klp_try_complete_transition', 'klp_enable_patch', 'klp_try_switch_task',
  // hot spots from the field (docs/debate.md §5 C3)
  'blk_throtl_cancel_bios', '__d_move', 'do_iter_readv_writev', 'blk_mq_handle_expired', 'd_delete',
  'high_work_func', 'try_charge_memcg', 'io_sq_offload_create', 'copy_from_kernel_nofault',
  // BPF: frames of a trampoline make the unwinder give up
  'bpf_prog_run', '__bpf_prog_enter', 'bpf_trampoline_6442459920',
  // two static functions of the same name in different files: sympos matters
  'show_stat', 'show_stat', 'trace_event_raw_event_sched_switch',
];

export const VMLINUX_SYMBOLS: SymbolSpec[] = [
  ...scenery.map((name) => ({
    name,
    unreliable: name.startsWith('bpf_trampoline') ? true : undefined,
  })),
  {
    name: 'cmdline_proc_show',
    size: 0x30,
    body: (x: Exec, seq: unknown) => {
      (seq as SeqFile).printf(`${x.k.config.cmdline}\n`);
      return 0;
    },
  },
  {
    name: 'meminfo_proc_show',
    size: 0x6c0,
    body: (_x: Exec, seq: unknown) => {
      (seq as SeqFile).printf(MEMINFO.map((l) => l + '\n').join(''));
      return 0;
    },
  },
  { name: '__x64_sys_getpid', size: 0x20, body: (x: Exec) => x.k.tasks.pid[x.slot] },
  { name: 'msleep', size: 0x40, body: msleep },
  { name: 'msleep_interruptible', size: 0x50, body: msleepInterruptible },
  // exec of a forked child, and the reader of /proc/<pid>/stack
  { name: '__x64_sys_execve' }, { name: 'do_execveat_common' }, { name: 'bprm_execve' },
  { name: 'proc_single_show' }, { name: 'proc_pid_stack' },
  // a duplicate sysfs directory (sysfs_warn_dup)
  { name: 'dump_stack_lvl' }, { name: 'sysfs_warn_dup.cold' }, { name: 'sysfs_create_dir_ns' }, { name: 'kobject_add_internal' }, { name: 'kobject_add' },
];
