// The guided chapters: one registry, data only. Each step opens a shipped preset at a moment
// (dmesg time, seconds since boot, as every view shows it), highlights the view that matters,
// tells what happens in a few sentences, and names the kernel function at work with its key
// lines as pseudo-code (paraphrased from docs/kernel-model.md, not kernel code). A debate
// chapter ends with the explorer's measured answer under each policy (measure.ts), computed
// when the step opens. Loaded only when the Chapters button or a chapter link is used.

export interface KernelFunction {
  name: string;
  /** A few lines of pseudo-code, paraphrased. */
  lines: readonly string[];
}

export interface ChapterStep {
  /** A shipped scenario (public/scenarios/<preset>.json). */
  preset: string;
  /** The cursor, dmesg time in seconds. */
  at: number;
  /** The panel to highlight (a layout panel id). */
  view: string;
  text: string;
  fn?: KernelFunction;
  /** End with the measured answer of the step's preset under every policy. */
  measure?: boolean;
}

export interface Chapter {
  id: string;
  title: string;
  steps: readonly ChapterStep[];
}

const TRY_SWITCH: KernelFunction = {
  name: 'klp_try_switch_task()',
  lines: [
    'if task.patch_state == target: return true',
    'if task is running on another CPU: return false   // "is running"',
    'if stack has a frame in a function being changed:',
    '    return false                                   // "is sleeping on function F"',
    'clear TIF_PATCH_PENDING; task.patch_state = target',
  ],
};

const TRY_COMPLETE: KernelFunction = {
  name: 'klp_try_complete_transition()',
  lines: [
    'read_lock(tasklist_lock)',
    'for each thread: complete &= klp_try_switch_task(thread)',
    'read_unlock(tasklist_lock)',
    'if not complete:',
    '    every 15 failures: klp_send_signals()',
    '    re-arm the work about 1 s later (round_jiffies_relative(HZ))',
    'else klp_complete_transition()',
  ],
};

const FTRACE_HANDLER: KernelFunction = {
  name: 'klp_ftrace_handler()',
  lines: [
    'func = top entry of ops.func_stack',
    'if func.transition:',
    '    if current.patch_state == UNPATCHED: func = entry below it (or the original)',
    'if func is a nop: run the original function',
    'else: jump to func.new_func',
  ],
};

const COMPLETE: KernelFunction = {
  name: 'klp_complete_transition()',
  lines: [
    'if the patch replaces others: unpatch the replaced patches, discard the nops',
    'clear every func.transition; klp_synchronize_transition()',
    'for every task: patch_state = KLP_TRANSITION_IDLE (KLP_UNDEFINED before 6.10)',
    'print "<patch>: patching complete"',
  ],
};

const HYBRID_NOPS: KernelFunction = { name: 'klp_add_nops() under hybrid-rfc-2025', lines: ['for every older patch:', '    if it is non-replaceable: skip it', '    else add nops for its functions the new patch does not change'] };

export const CHAPTERS: readonly Chapter[] = [
  {
    id: 'reach-every-task',
    title: 'How a livepatch reaches every task',
    steps: [
      { preset: 'stuck-kthread-reverse', at: 4.214, view: 'tasks', text: 'A livepatch is loaded. Every task starts unpatched and gets TIF_PATCH_PENDING: the patch is live only for the tasks that have switched. The Tasks view colours each task by its patch_state.', fn: { name: 'klp_start_transition()', lines: ['print "<patch>: starting patching transition"', 'for every task not in the target state: set TIF_PATCH_PENDING', 'enable the scheduler hook (6.4 and later)', 'klp_signals_cnt = 0'] } },
      { preset: 'stuck-kthread-reverse', at: 4.5, view: 'status', text: 'Each attempt walks every task and asks whether it can switch now: a task that is not running and has no changed function on its stack switches at once. The Status view groups the pending tasks by the answer.', fn: TRY_SWITCH },
      { preset: 'stuck-kthread-reverse', at: 5.8, view: 'log', text: 'The tasks that were refused are retried about once a second, until none is left; then the transition completes. Besides the walk there are three more switch paths: the return to user space, the idle loop of each CPU, and (6.4 and later) the scheduler hook in cond_resched() or a freezable sleep.', fn: TRY_COMPLETE },
      { preset: 'stuck-kthread-reverse', at: 5.8, view: 'funcs', text: 'Done: every task runs the top entry of the func_stack. During the transition, klp_ftrace_handler() chose per task: an unswitched task ran the entry below the new one.', fn: FTRACE_HANDLER },
    ],
  },
  {
    id: 'stuck',
    title: 'Why a transition gets stuck, and what you can do',
    steps: [
      { preset: 'stuck-kthread-reverse', at: 10, view: 'tasks', text: 'lp_kthread_v2 changes stuckd_loop(), the function the kthread stuckd sleeps in. Its stack check fails at every attempt: the task is blocked, "sleeping on function", and the transition cannot complete.', fn: TRY_SWITCH },
      { preset: 'stuck-kthread-reverse', at: 22.8, view: 'log', text: 'Waiting does not help here. After 15 failed attempts the kernel sends fake signals to the pending tasks: a kthread in an interruptible sleep is woken, a user task is sent through the return to user space. A task in uninterruptible (D) sleep is not woken.', fn: { name: 'klp_send_signals()', lines: ['print "signaling remaining tasks" (first time)', 'for each pending task:', '    kthread: wake it if it sleeps interruptibly', '    user task: set TIF_NOTIFY_SIGNAL and kick it'] } },
      { preset: 'stuck-kthread-reverse', at: 25.8, view: 'status', text: 'The operator reversed the patch (echo 0 > enabled). Only the tasks that had already switched switch back, and stuckd, which never switched, is already in the new target state: the transition completes at once.', fn: { name: 'klp_reverse_transition()', lines: ['clear TIF_PATCH_PENDING on every task; klp_synchronize_transition()', 'flip the patch\'s enabled and klp_target_state', 'set TIF_PATCH_PENDING on tasks not in the new target', 'the armed work makes the next attempt'] } },
      { preset: 'stuck-kthread-force', at: 24.8, view: 'sysfs', text: 'The other way out is force: every pending task switches without a stack check, and the transition completes. The cost: the patches involved never drop their module reference, so their modules can never be removed; plan a reboot.', fn: { name: 'klp_force_transition()', lines: ['print "forcing remaining tasks to the patched state"', 'for every task: klp_update_patch_state() without a stack check', 'mark the patch (or the replaced patches) forced', '// a forced patch never puts its module'] } },
    ],
  },
  {
    id: 'atomic-replace',
    title: 'Atomic replace and cumulative patches',
    steps: [
      { preset: 'atomic-replace-v1-v2', at: 6.8, view: 'funcs', text: 'v1 patches funcA and funcB. v2 is a cumulative replace patch that changes funcA and funcC only: for funcB it adds a nop, so that switched tasks run the original funcB.', fn: { name: 'klp_add_nops()', lines: ['for every function of every older patch:', '    if the new patch does not change it:', '        add a nop entry for it to the new patch'] } },
      { preset: 'atomic-replace-v1-v2', at: 7.0, view: 'funcs', text: 'During the transition an unswitched task still runs v1\'s functions, a switched one v2\'s (and the original funcB through the nop).', fn: FTRACE_HANDLER },
      { preset: 'atomic-replace-v1-v2', at: 7.8, view: 'sysfs', text: 'At completion v1 is unpatched without its callbacks and freed, the nops are discarded, and v1\'s module can be removed (the rmmod v1 that follows succeeds). Replacing by an older cumulative patch is how a downgrade is done.', fn: COMPLETE },
    ],
  },
  {
    id: 'many-patches',
    title: 'Many patches on one function',
    steps: [
      { preset: 'parallel-stack-order', at: 9.72, view: 'funcs', text: 'Three patches that do not replace each other, two teams: team_fix fixes a bug, team_perf optimises the same function. Each new patch goes on top of the function\'s func_stack and wins.', fn: { name: 'klp_patch_func()', lines: ['if func_stack is empty: register the ftrace handler', 'push func at the head of ops.func_stack'] } },
      { preset: 'parallel-stack-order', at: 9.72, view: 'sysfs', text: 'stack_order tells an operator which patch is newest, not which one runs a given function: nothing says that team_perf\'s version dropped the fix.', fn: { name: 'stack_order_show()', lines: ['stack_order = 0', 'for each patch on klp_patches (oldest first):', '    stack_order++', '    if it is this patch: break', 'print stack_order   // a position in the list, not an owner of a function'] } },
      { preset: 'parallel-stack-order', at: 12, view: 'funcs', text: 'Disabling the middle patch renumbers stack_order; a function falls back to an older version only when its top entry goes.', fn: { name: 'klp_unpatch_func()', lines: ['remove func from ops.func_stack', 'if func_stack is now empty: unregister the ftrace handler'] } },
    ],
  },
  {
    id: 'debate-rules',
    title: 'The hybrid-mode debate 1: what would be the rules?',
    steps: [
      { preset: 'petr-hybrid', at: 7.8, view: 'consistency', text: 'The hybrid RFC marks some patches non-replaceable: a replace patch leaves them in place. lp1 is non-replaceable, lp2 replaceable, and lp3 a replace patch. The rule decides which older patches lp3 takes over.', fn: HYBRID_NOPS },
      { preset: 'petr-hybrid', at: 30, view: 'consistency', text: 'The measured answer: the same script under each policy, run to the end.', measure: true },
    ],
  },
  {
    id: 'debate-functionality',
    title: 'The hybrid-mode debate 2: which functionality where?',
    steps: [
      { preset: 'replace-sets-offband', at: 7.8, view: 'funcs', text: 'Replace sets (a proposal): an off-band set beside the cumulative line. Each function belongs to one set; a replace patch replaces only its own set, and the kernel refuses a patch that would take a function from another set.', fn: { name: 'klp_enable_patch() under replace-set-2026', lines: ['klp_is_patch_compatible(): states of the same set only', 'for every patch on klp_patches of another replace_set:', '    if it patches a function this patch patches: refuse, -EINVAL', '    if it uses a klp_state id this patch uses: refuse, -EINVAL', 'klp_init_patch(); __klp_enable_patch()'] } },
      { preset: 'replace-sets-offband', at: 30, view: 'consistency', text: 'The measured answer: who owns each function under each policy, and what breaks.', measure: true },
    ],
  },
  {
    id: 'debate-consistency',
    title: 'The hybrid-mode debate 3: how to keep patches consistent?',
    steps: [
      { preset: 'petr-hybrid', at: 8.5, view: 'consistency', text: 'During lp3\'s transition a switched task runs {funcA: original, funcB: lp3}: a universe that was never shipped, neither the state before nor after.', fn: FTRACE_HANDLER },
      { preset: 'petr-hybrid', at: 9.8, view: 'consistency', text: 'At completion the nop and lp2 go, and every task at once runs lp1\'s funcA: a mass switch, with no per-task consistency.', fn: COMPLETE },
      { preset: 'petr-hybrid', at: 30, view: 'consistency', text: 'The measured answer: never-shipped universes and mass switches under each policy.', measure: true },
    ],
  },
  {
    id: 'debate-dependencies',
    title: 'The hybrid-mode debate 4: how to manage dependencies?',
    steps: [
      { preset: 'dependency-split', at: 8, view: 'consistency', text: 'Fix X needs funcA and funcB to change together, but it ships in two patches: between them, tasks run the new funcA with the old funcB. The consistency model keeps each patch consistent, not a set of patches.', fn: FTRACE_HANDLER },
      { preset: 'dependency-split', at: 30, view: 'consistency', text: 'The measured answer: dependency violations under each policy.', measure: true },
    ],
  },
  {
    id: 'debate-advantage',
    title: 'The hybrid-mode debate 5: any advantage over all-parallel?',
    steps: [
      { preset: 'yafang-fix1-5', at: 9.8, view: 'funcs', text: 'Yafang\'s Fix1 to Fix5 in hybrid mode: some fixes stay in place, the cumulative line replaces the rest. Watch who owns each function after each step.', fn: HYBRID_NOPS },
      { preset: 'yafang-fix1-5', at: 60, view: 'consistency', text: 'The measured answer: universes, never-shipped combinations, transitions and tasks affected under each policy.', measure: true },
    ],
  },
  {
    id: 'operator',
    title: "The operator's view at scale",
    steps: [
      { preset: 'do-exit-crash', at: 10.75, view: 'log', text: 'A replace patch of do_exit() completes while exiting threads, already unhashed, still run the replaced patch\'s do_exit: the walk cannot see them. The ftrace handler warns about a task without a patch state.', fn: { name: 'release_task()', lines: ['detach the task from the task list (unhashed)', '// the walk no longer sees it', '// it still runs the tail of do_exit()'] } },
      { preset: 'do-exit-crash', at: 11.8, view: 'timeline', text: 'Removing the replaced patch\'s module at once frees the code they run: an Oops per thread. Waiting before rmmod avoids it.', fn: { name: 'klp_free_patch_finish() and rmmod', lines: ['klp_free_patch_finish(): module_put(patch->mod)   // skipped if forced', 'rmmod: delete_module(): refcount 0, so free_module()', '    the module\'s code and data are freed', '// a thread still in that code faults: an Oops'] } },
      { preset: 'long-walk-lockup', at: 30, view: 'timeline', text: 'With 300,000 threads and per-task debug lines on a slow console, each attempt holds tasklist_lock for many seconds: RCU Tasks stall lines appear, and forks and exits spin on the lock until the NMI watchdog reports hard LOCKUPs.', fn: TRY_COMPLETE },
    ],
  },
];

const BY_ID = new Map(CHAPTERS.map((c) => [c.id, c]));

export function chapterById(id: string): Chapter | undefined {
  return BY_ID.get(id);
}
