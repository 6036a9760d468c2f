// Kernel-version profiles: what changes between the versions users run (docs/kernel-model.md §15).

export interface KernelFeatures {
  /** uname -r */
  release: string;
  /** Numeric major*100+minor, e.g. 616. */
  number: number;
  /** KLP_TRANSITION_* names (v6.10+) or KLP_UNDEFINED/KLP_UNPATCHED/KLP_PATCHED. */
  transitionStateNames: boolean;
  /** /sys/kernel/livepatch/<p>/replace (v6.11+). */
  replaceAttr: boolean;
  /** /sys/kernel/livepatch/<p>/stack_order (v6.14+). */
  stackOrderAttr: boolean;
  /** <p>/<object>/patched (v6.0+). */
  objectPatchedAttr: boolean;
  /** Where the scheduler helps CPU-bound / sleeping kthreads switch. */
  schedHook: 'none' | 'cond_resched' | 'freezable_schedule';
  /** klp_add_nops(): old_sympos 0 and 1 match (v6.19+). */
  sympos01: boolean;
  /**
   * x86 copy_thread() starts a new task at ret_from_fork_asm, which calls ret_from_fork()
   * (v6.6+, "x86: Rewrite ret_from_fork() in C"); before, at the assembly ret_from_fork.
   */
  retFromForkAsm: boolean;
}

/** The frames a new task's kernel stack starts with, outermost first (copy_thread() on x86). */
export function retFromForkFrames(f: KernelFeatures): string[] {
  return f.retFromForkAsm ? ['ret_from_fork_asm', 'ret_from_fork'] : ['ret_from_fork'];
}

/** Parse "6.1", "6.12", "6.19" ... into the features of that release. */
export function kernelFeatures(version: string): KernelFeatures {
  const m = /^(\d+)\.(\d+)/.exec(version);
  if (!m) throw new Error(`kernel version "${version}" is not of the form MAJOR.MINOR (e.g. 6.16)`);
  const n = Number(m[1]) * 100 + Number(m[2]);
  if (n < 601) throw new Error(`kernel version ${version} is older than 6.1, the oldest profile the model covers`);
  return {
    release: `${m[1]}.${m[2]}.0`,
    number: n,
    transitionStateNames: n >= 610,
    replaceAttr: n >= 611,
    stackOrderAttr: n >= 614,
    objectPatchedAttr: true,
    schedHook: n >= 616 ? 'freezable_schedule' : n >= 604 ? 'cond_resched' : 'none',
    sympos01: n >= 619,
    retFromForkAsm: n >= 606,
  };
}
