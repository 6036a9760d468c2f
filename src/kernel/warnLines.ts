// Where in the source each WARN site the model can reach is: the line __warn() (kernel/panic.c)
// prints as "at file:line", counted in the kernel source of each profile. Nothing here is
// estimated: a (site, version) pair the table does not have prints no line at all (see warn()
// in splat.ts), never a made-up one.
//
// The sources the lines were counted in, and how each version was pinned:
// - v6.1: Debian bookworm's linux-source-6.1 (6.1.192). transition.c, patch.c, state.c and
//   shadow.c agree with mainline: 6.1.192's transition.c equals a v5.16-era mainline
//   transition.c (the task_call_func() commit) except for the tracehook.h include dropped in
//   v5.18 and the wake_up_if_idle() block of v5.16, character for character. core.c of
//   6.1.192 carries the 6.1.y backport "livepatch: Match old_sympos 0 and 1 in
//   klp_find_func()" (6 lines above every core.c site); the v6.1 lines are 6.1.192's minus 6.
// - v6.12: Debian trixie's linux-source-6.12 (6.12.117), whose changelog lists every 6.12.y
//   stable commit: the only one in kernel/livepatch/ is that sympos backport (core.c, minus 6
//   as above); the other files are v6.12's.
// - v6.16: the 6.16-rc6 tree stored by the search index (a renamed fork, lordspline/linux
//   5cd152fc, Makefile "6.16.0-rc6"): its transition.c is Debian sid's 7.2.13 transition.c
//   with three include paths renamed (same length to the character, 20871); its core.c is
//   7.2.13's core.c without the sympos hunk (v6.19), the kzalloc_obj()/KLP_SYM_PREFIX/pr_err
//   rewordings and klp_find_section_by_name() (after every site), also equal in length (33558).
// - v6.4: the 6.4.0 tree stored by the search index (kali-linex/linex 555e8b16, "linux" renamed
//   "linex", same length): its transition.c is 6.12.117's with the v6.10 KLP_TRANSITION_*
//   names put back, to the character (21245), so transition.c has 6.12's lines from 6.4 on.
// - patch.c, state.c and shadow.c have the same lines at every WARN site in 6.1.192, 6.12.117
//   and 7.2.13 (only same-line edits between them: the KLP_TRANSITION_* rename of v6.10,
//   ftrace_regs_set_instruction_pointer(), kzalloc_obj()), so they hold for every profile.
// - Between two counted versions a file takes the lines of the end whose changes it has: the
//   diff from 6.12.117 to 7.2.13 is, for transition.c, the v6.16 "sched,livepatch: Untangle
//   cond_resched() and live-patching" change only (the profile's schedHook switch), for core.c
//   the v6.14 stack_order attribute, the guard(rcu) conversion, the klp_add_nops() comment
//   (all three in 6.16-rc6, the last two of unpinned versions) and the v6.19 sympos hunk. So
//   transition.c 6.4-6.15 and 6.16-7.2 are pinned; core.c only 6.12, 6.16-6.18 and 6.19-7.2
//   (its 6.4.0 copy, 32556 characters, matches no reconstruction from the counted trees).
// A multi-line WARN_ON() reports the line of its macro name: GCC resolves __LINE__ inside a
// macro expansion to the expansion point (checked with GCC 12.2 -E on a two-line WARN_ON()
// shaped like klp_module_going()'s).

/** One WARN site: the file and function __warn() names, and the condition (the model's key). */
export interface WarnSite {
  file: string;
  func: string;
  why: string;
}

/** Profiles as major*100+minor; [from, to] inclusive, then the line in that range. */
type Lines = readonly (readonly [from: number, to: number, line: number])[];

const LATEST = 702; // Debian sid's 7.2.13, the newest source counted

const PATCH = 'kernel/livepatch/patch.c';
const TRANSITION = 'kernel/livepatch/transition.c';
const CORE = 'kernel/livepatch/core.c';

/** transition.c: v6.1 / v6.4-v6.15 / v6.16-v7.2 (the untangle moved everything up 9 lines). */
const transition = (l601: number, l612: number, l616: number): Lines => [
  [601, 601, l601],
  [604, 615, l612],
  [616, LATEST, l616],
];

/** core.c: v6.1 / v6.12 / v6.16-v6.18 / v6.19-v7.2 (klp_find_func()'s sympos hunk adds 6). */
const core = (l601: number, l612: number, l616: number): Lines => [
  [601, 601, l601],
  [612, 612, l612],
  [616, 618, l616],
  [619, LATEST, l616 + 6],
];

const every = (line: number): Lines => [[601, LATEST, line]];

const TABLE: readonly (WarnSite & { lines: Lines })[] = [
  // patch.c klp_ftrace_handler(): WARN_ON_ONCE(!func) and WARN_ON_ONCE(patch_state == KLP_UNDEFINED),
  // KLP_TRANSITION_IDLE from v6.10.
  { file: PATCH, func: 'klp_ftrace_handler', why: 'empty func_stack', lines: every(70) },
  { file: PATCH, func: 'klp_ftrace_handler', why: 'patch_state == KLP_TRANSITION_IDLE', lines: every(98) },
  // patch.c klp_unpatch_func() / klp_patch_func(): WARN_ON(!func->patched), WARN_ON(!ops),
  // WARN_ON(!func->old_func), WARN_ON(func->patched).
  { file: PATCH, func: 'klp_unpatch_func', why: '!func->patched', lines: every(131) },
  { file: PATCH, func: 'klp_unpatch_func', why: '!ops', lines: every(137) },
  { file: PATCH, func: 'klp_patch_func', why: '!func->old_func', lines: every(165) },
  { file: PATCH, func: 'klp_patch_func', why: 'func->patched', lines: every(168) },
  // state.c klp_get_prev_state(): WARN_ON_ONCE(!klp_transition_patch).
  { file: 'kernel/livepatch/state.c', func: 'klp_get_prev_state', why: '!klp_transition_patch', lines: every(69) },
  // shadow.c __klp_shadow_get_or_alloc(): WARN(1, "Duplicate shadow variable <%p, %lx>\n", obj, id).
  { file: 'kernel/livepatch/shadow.c', func: '__klp_shadow_get_or_alloc', why: 'duplicate', lines: every(165) },
  // transition.c: the thread loops' sites (the idle-task loops repeat the check 7 and 10 lines
  // further down; the model reports the first offender through the threads' site).
  { file: TRANSITION, func: 'klp_complete_transition', why: 'TIF_PATCH_PENDING still set', lines: transition(110, 132, 123) },
  { file: TRANSITION, func: 'klp_cancel_transition', why: 'klp_target_state != KLP_TRANSITION_PATCHED', lines: transition(145, 167, 158) },
  { file: TRANSITION, func: 'klp_try_complete_transition', why: 'klp_target_state == KLP_TRANSITION_IDLE', lines: transition(391, 458, 437) },
  { file: TRANSITION, func: 'klp_start_transition', why: 'klp_target_state == KLP_TRANSITION_IDLE', lines: transition(467, 535, 514) },
  { file: TRANSITION, func: 'klp_init_transition', why: 'klp_target_state != KLP_TRANSITION_IDLE', lines: transition(511, 581, 560) },
  { file: TRANSITION, func: 'klp_init_transition', why: 'task->patch_state != KLP_TRANSITION_IDLE', lines: transition(530, 600, 579) },
  // core.c: WARN_ON(patch->enabled) in __klp_enable_patch(), WARN_ON(!patch->enabled) in
  // __klp_disable_patch(), WARN_ON(mod->state != MODULE_STATE_COMING) in klp_module_coming(),
  // WARN_ON(mod->state != MODULE_STATE_GOING &&\n mod->state != MODULE_STATE_COMING) in
  // klp_module_going().
  { file: CORE, func: '__klp_enable_patch', why: 'patch->enabled', lines: core(971, 1017, 1042) },
  { file: CORE, func: '__klp_disable_patch', why: '!patch->enabled', lines: core(935, 981, 1006) },
  { file: CORE, func: 'klp_module_coming', why: 'mod->state != MODULE_STATE_COMING', lines: core(1188, 1234, 1259) },
  { file: CORE, func: 'klp_module_going', why: 'bad module state', lines: core(1265, 1311, 1336) },
];

/**
 * The source line of a WARN site in profile `n` (major*100+minor), or undefined when the line
 * was not counted for that version (or the site is not in the table).
 */
export function warnLine(n: number, site: WarnSite): number | undefined {
  const entry = TABLE.find((w) => w.file === site.file && w.func === site.func && w.why === site.why);
  return entry?.lines.find(([from, to]) => n >= from && n <= to)?.[2];
}
