// The glossary: every term the views, the About text and the chapters use, in one place.
// docs/glossary.md is rendered from it (glossaryMarkdown(); test/unit/ui/glossary/glossary.test.ts checks
// that the two agree). Text may hold `code` spans; nothing else is markup.

interface GlossaryEntry {
  /** The anchor (docs/glossary.md#id, the dialog's entry). */
  id: string;
  /** The term as it is written. */
  term: string;
  /** Other spellings found in prose (matched case-sensitively, whole words). */
  aliases?: readonly string[];
  text: string;
  /** Where the kernel has it, or the docs section that explains it. */
  see?: string;
}

export const GLOSSARY: readonly GlossaryEntry[] = [
  {
    id: 'livepatch',
    term: 'livepatch',
    text: 'A kernel module that replaces functions of the running kernel (or of a module) without a reboot. Each patch has a directory under `/sys/kernel/livepatch/`.',
    see: 'docs/kernel-model.md §1',
  },
  {
    id: 'transition',
    term: 'transition',
    aliases: ['patching transition', 'unpatching transition'],
    text: 'The time between enabling (or disabling) a patch and the moment every task runs the new code. Only one patch is in transition at a time; while it lasts, some tasks run the old functions and some the new.',
    see: 'docs/kernel-model.md §4',
  },
  {
    id: 'tif-patch-pending',
    term: 'TIF_PATCH_PENDING',
    text: 'The thread flag set on every task that has not yet switched to the transition\'s target state. The explorer calls such a task pending; `klp_try_switch_task()` clears it when the task switches.',
    see: 'docs/kernel-model.md §4.2',
  },
  {
    id: 'pending',
    term: 'pending',
    text: 'A task whose TIF_PATCH_PENDING is set: it has not switched yet. Pending is not the same as blocked: a pending task may switch at the next attempt.',
    see: 'docs/kernel-model.md §4.4',
  },
  {
    id: 'blocked',
    term: 'blocked',
    text: 'A pending task that the transition\'s check refuses right now: it is running on another CPU, has an unreliable stack, or is sleeping in a function the transition changes. Its mark in the Tasks view says which.',
    see: 'docs/kernel-model.md §4.4',
  },
  {
    id: 'patch-state',
    term: 'patch_state',
    text: 'A task\'s livepatch state: -1 (none, no transition), 0 (unpatched) or 1 (patched). `/proc/<pid>/patch_state` shows it; during a transition the sysfs view shows it beside the internal value.',
    see: 'docs/kernel-model.md §7',
  },
  {
    id: 'func-stack',
    term: 'func_stack',
    text: 'The list of every patch\'s version of one function, newest first (`klp_ops.func_stack`). A task outside a transition runs the head; during a transition an unswitched task runs the entry below it.',
    see: 'docs/kernel-model.md §3, §5',
  },
  {
    id: 'stack-order',
    term: 'stack_order',
    text: 'A patch\'s 1-based position in the list of enabled patches (sysfs, since 6.14). For each function the patch with the highest stack_order that changes it is the one that runs.',
    see: 'docs/kernel-model.md §6',
  },
  {
    id: 'nop',
    term: 'nop',
    aliases: ['nops'],
    text: 'An empty entry an atomic-replace patch adds to the func_stack of a function it does not change itself: while the transition runs, a switched task calling that function runs the original code. Nops are discarded when the transition completes.',
    see: 'docs/kernel-model.md §9',
  },
  {
    id: 'atomic-replace',
    term: 'atomic replace',
    aliases: ['replace patch'],
    text: 'A patch with `.replace = true`: when its transition completes, every older patch is unpatched and freed at once. With it, cumulative patches replace each other instead of stacking.',
    see: 'docs/kernel-model.md §9',
  },
  {
    id: 'cumulative',
    term: 'cumulative patch',
    aliases: ['cumulative patches'],
    text: 'A patch that carries every fix of the patches before it, so it can replace them all (atomic replace). Distributions ship livepatches this way.',
    see: 'docs/kernel-model.md §9',
  },
  {
    id: 'unhashed',
    term: 'unhashed',
    text: 'An exiting task removed from the task list by `release_task()`. The transition\'s walk no longer sees it, but it may still run the tail of `do_exit()`, in the old code.',
    see: 'docs/kernel-model.md §4.13, §14.5',
  },
  {
    id: 'fake-signal',
    term: 'fake signal',
    aliases: ['fake signals'],
    text: 'After every 15 failed attempts `klp_send_signals()` wakes the pending tasks: an interruptibly sleeping kthread is woken, a user task gets `TIF_NOTIFY_SIGNAL` so that it passes the return to user space, where it switches. No real signal is delivered; a task in uninterruptible (D) sleep is not woken.',
    see: 'docs/kernel-model.md §4.14',
  },
  {
    id: 'attempt',
    term: 'attempt',
    text: 'One call of `klp_try_complete_transition()`: a walk over every task under `tasklist_lock`, trying to switch each. When a task is left, the next attempt comes about one second later.',
    see: 'docs/kernel-model.md §4.3',
  },
  {
    id: 'force',
    term: 'force',
    text: 'Writing 1 to `/sys/kernel/livepatch/<patch>/force` switches every pending task without looking at its stack. The patches involved can never be unloaded afterwards: plan a reboot.',
    see: 'docs/kernel-model.md §4.11',
  },
  {
    id: 'reverse',
    term: 'reverse',
    text: 'Writing the opposite value to `enabled` of the patch in transition: the target flips and only the tasks that already switched must switch back.',
    see: 'docs/kernel-model.md §4.10',
  },
  {
    id: 'tasklist-lock',
    term: 'tasklist_lock',
    text: 'The lock each attempt holds for reading while it walks every thread. Fork and exit take it for writing, so a long walk delays them.',
    see: 'docs/kernel-model.md §4.3, §14.4',
  },
  {
    id: 'rcu-tasks',
    term: 'RCU Tasks',
    text: 'A kind of RCU whose grace period waits for every task to pass a voluntary context switch. A long walk keeps one open, and the kernel reports it as a stall line (`rcu_tasks_wait_gp`).',
    see: 'docs/kernel-model.md §14.4',
  },
  {
    id: 'reliable-stack',
    term: 'reliable stack trace',
    aliases: ['unreliable stack'],
    text: 'A stack trace the kernel can vouch for. Without one a task cannot be checked and switches only at the return to user space or in the idle loop.',
    see: 'docs/kernel-model.md §4.4, §14.3',
  },
  {
    id: 'universe',
    term: 'universe',
    aliases: ['universes'],
    text: 'The combination of function versions one task runs: for each patched function, which patch (or the original) it calls. During a transition two universes exist; the Consistency view lists every one observed.',
    see: 'docs/policies.md',
  },
  {
    id: 'never-shipped',
    term: 'never-shipped',
    text: 'A universe that is neither the state before nor after any patch operation: nobody built or tested that combination of functions.',
    see: 'docs/policies.md',
  },
  {
    id: 'mass-switch',
    term: 'mass switch',
    aliases: ['mass switches'],
    text: 'Every task changing a function\'s version at the same instant (at `klp_complete_transition()`), with no per-task switch: the consistency model\'s promise does not cover it.',
    see: 'docs/policies.md',
  },
  {
    id: 'policy',
    term: 'policy',
    text: 'The rules the kernel follows for replace and stacking: `upstream` (merged kernels), or one of the proposals from the mailing-list debate (not merged).',
    see: 'docs/policies.md',
  },
];

const BY_ID = new Map(GLOSSARY.map((e) => [e.id, e]));

/** The entry with this id (terms in code name entries by id). */
export function glossaryEntry(id: string): GlossaryEntry | undefined {
  return BY_ID.get(id);
}

/** Every written form of every term, longest first, with its entry id. */
export const TERM_FORMS: readonly { form: string; id: string }[] = GLOSSARY.flatMap((e) => [e.term, ...(e.aliases ?? [])].map((form) => ({ form, id: e.id }))).sort(
  (a, b) => b.form.length - a.form.length,
);

const FORM_IDS = new Map(TERM_FORMS.map((f) => [f.form, f.id]));
const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
/** Whole-word, case-sensitive matches of every term form, longest first. */
const TERM_RULE = new RegExp(`(?<![\\w/])(${TERM_FORMS.map((f) => escape(f.form)).join('|')})(?![\\w/])`, 'g');

/** A piece of prose: plain text, or a `code` span; `term` names the glossary entry it links to. */
interface TextPiece {
  text: string;
  code?: boolean;
  term?: string;
}

/**
 * Prose cut into pieces, the first occurrence of each glossary term its own piece linked to
 * it (a paragraph full of links reads worse than one link per term). A `code` span is one
 * piece, linked when it is exactly a term.
 */
export function splitTerms(text: string): TextPiece[] {
  const seen = new Set<string>();
  const out: TextPiece[] = [];
  const push = (p: TextPiece) => p.text && out.push(p);
  for (const chunk of text.split(/(`[^`]+`)/)) {
    if (chunk.length > 1 && chunk.startsWith('`') && chunk.endsWith('`')) {
      const inner = chunk.slice(1, -1);
      const id = FORM_IDS.get(inner);
      const first = id !== undefined && !seen.has(id);
      if (first) seen.add(id);
      push(first ? { text: inner, code: true, term: id } : { text: inner, code: true });
      continue;
    }
    let last = 0;
    for (const m of chunk.matchAll(TERM_RULE)) {
      const id = FORM_IDS.get(m[1]);
      if (id === undefined || seen.has(id)) continue;
      seen.add(id);
      push({ text: chunk.slice(last, m.index) });
      push({ text: m[1], term: id });
      last = m.index + m[1].length;
    }
    push({ text: chunk.slice(last) });
  }
  return out;
}

/** docs/glossary.md, rendered from GLOSSARY. */
export function glossaryMarkdown(): string {
  const out = [
    '# Glossary',
    '',
    'The terms the explorer\'s views, the "About this scenario" texts and the chapters use. Every',
    'term in the app opens this text; it is rendered from `src/ui/glossary/glossary.ts`',
    '(`npm run --silent glossary > docs/glossary.md` regenerates it).',
    '',
  ];
  for (const e of GLOSSARY) {
    out.push(`## ${e.term}`, '', e.text, '');
    if (e.see) out.push(`See ${e.see}.`, '');
  }
  return out.join('\n');
}
