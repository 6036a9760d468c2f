// in_sched_functions() (kernel/sched/core.c): the functions the kernel places in .sched.text
// (the `__sched` annotation) and the lock text. The stack of a task that is not running, as
// /proc/<pid>/stack shows it, skips them (stack_trace_save_tsk() uses
// stack_trace_consume_entry_nosched(), kernel/stacktrace.c), and so does get_wchan(), what
// ps shows as WCHAN. These are the ones the model's stacks use.

const SCHED_TEXT: ReadonlySet<string> = new Set([
  'schedule',
  '__schedule',
  'schedule_idle',
  'schedule_preempt_disabled',
  'schedule_timeout',
  'schedule_timeout_interruptible',
  'schedule_timeout_killable',
  'schedule_timeout_uninterruptible',
  'schedule_timeout_idle',
  'schedule_hrtimeout',
  'schedule_hrtimeout_range',
  'schedule_hrtimeout_range_clock',
  'io_schedule',
  'io_schedule_timeout',
  'preempt_schedule',
  'preempt_schedule_common',
  'preempt_schedule_irq',
  'preempt_schedule_notrace',
  '__cond_resched',
  'do_nanosleep',
  'wait_for_completion',
  'wait_for_completion_interruptible',
  'wait_for_completion_killable',
  'wait_for_completion_timeout',
  '__wait_for_common',
  'do_wait_for_common',
  'mutex_lock',
  '__mutex_lock',
  '__mutex_lock_slowpath',
  'rwsem_down_read_slowpath',
  'rwsem_down_write_slowpath',
  'usleep_range_state',
  '__wait_on_bit',
  'out_of_line_wait_on_bit',
  'bit_wait',
  'bit_wait_io',
]);

/** Whether a vmlinux function is in .sched.text. */
export function inSchedFunctions(owner: string, name: string): boolean {
  return owner === 'vmlinux' && SCHED_TEXT.has(name);
}
