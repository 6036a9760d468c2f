// Values from include/linux/livepatch.h and kernel/livepatch/transition.c.

/** task->patch_state: no transition in progress (KLP_UNDEFINED before v6.10). */
export const KLP_TRANSITION_IDLE = -1;
/** task->patch_state: the task runs the code as it was before the transition patch. */
export const KLP_TRANSITION_UNPATCHED = 0;
/** task->patch_state: the task runs the code of the transition patch's target state. */
export const KLP_TRANSITION_PATCHED = 1;

export type PatchState = -1 | 0 | 1;

/** transition.c: size of the per-CPU buffer for reliable stack traces. */
export const MAX_STACK_ENTRIES = 100;
/** transition.c: attempts between fake-signal rounds. */
export const SIGNALS_TIMEOUT = 15;
/** include/linux/module.h: MODULE_NAME_LEN = 64 - sizeof(unsigned long). */
export const MODULE_NAME_LEN = 56;
/** include/linux/kallsyms.h (v6.1+). */
export const KSYM_NAME_LEN = 512;

/** Virtual time is kept in microseconds. */
export const USEC_PER_SEC = 1_000_000;
