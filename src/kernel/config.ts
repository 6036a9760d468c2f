// The configuration a simulated machine boots with (the scenario document's "kernel" block).

import type { ModuleDef } from './module';
import type { PolicyName } from './policy/types';

export interface KernelConfig {
  /** e.g. "6.19" (default), "6.12", "6.1". */
  version: string;
  /** Possible CPUs. */
  cpus: number;
  /** CPUs that are offline (their idle task is switched unconditionally by each attempt). */
  offlineCpus: number[];
  hz: 100 | 250 | 300 | 1000;
  /** CONFIG_HAVE_RELIABLE_STACKTRACE on this architecture. */
  reliableStacktrace: boolean;
  /** sysctl kernel.ftrace_enabled at boot. */
  ftraceEnabled: boolean;
  /** Lines written to /sys/kernel/debug/dynamic_debug/control at boot. */
  dynamicDebug: string[];
  /** /proc/cmdline */
  cmdline: string;
  seed: number;
  /** Modules that insmod can find, by path ("test_modules/x.ko") and by name. */
  moduleDefs: ModuleDef[];
  /**
   * Virtual µs one klp_try_switch_task() check of a pending thread costs inside the walk's
   * read_lock(tasklist_lock) section: task_call_func() plus the reliable unwind, measured at
   * 2.5-3.5 µs per task on production hosts (docs/debate.md §5 C2). Already switched threads return
   * at the first test and cost nothing at this resolution. A scenario sets it as walk.checkUsPerTask.
   */
  walkCheckUsPerTask: number;
  /**
   * Virtual µs of one per-task pr_debug line printed inside the walk when dynamic debug enables
   * klp_try_switch_task: printk() writes to the console synchronously, and a ~100-character line
   * on the 115200-baud serial console of the cmdline takes 100 x 10 bits / 115200 ≈ 8.7 ms.
   */
  walkDebugPrintUs: number;
  /** sysctl kernel.watchdog_thresh in seconds (0: the lockup detectors are off). */
  watchdogThresh: number;
  /** The livepatch rules: upstream, or a labelled proposal (src/kernel/policy/). */
  policy: PolicyName;
}

export const DEFAULT_CONFIG: KernelConfig = {
  version: '6.19',
  cpus: 4,
  offlineCpus: [],
  hz: 1000,
  reliableStacktrace: true,
  ftraceEnabled: true,
  dynamicDebug: [],
  cmdline: 'BOOT_IMAGE=/boot/vmlinuz root=/dev/vda1 ro console=ttyS0,115200 quiet',
  seed: 1,
  moduleDefs: [],
  walkCheckUsPerTask: 3,
  walkDebugPrintUs: 8680,
  watchdogThresh: 10,
  policy: 'upstream',
};
