// "Can this task switch now?": klp_check_and_switch_task()'s checks (transition.c), in the
// kernel's order, as one table. Everything that asks the question derives from it: the
// reference check (transition.ts checkTask), the attempt walker's loops (walkerSource.ts:
// compiled per table by walker.ts, and generated into walkerFallback.ts for pages that forbid
// `new Function`), and the views' classification of every task (engine/blockers.ts).
// Each entry states its check twice, as a predicate and as the JavaScript the generated
// walker inlines; test/unit/kernel/switchRule.test.ts holds the two to the same truth table.

import { EADDRINUSE, EBUSY, EINVAL } from './errno';
import { Sched, TF } from './tasks';

type SwitchFailure = 'running' | 'unreliable' | 'sleeping';

interface SwitchCheck {
  /** What the kernel's debug line says when this check fails. */
  reason: SwitchFailure;
  /** klp_check_and_switch_task()'s return value. */
  errno: number;
  /**
   * The check failing, over one task: its sched state, flags, stack verdict (StackVerdicts:
   * -1 clean, -2 unreliable, >= 0 the forbidden function's index) and whether it is `current`.
   */
  fails(sched: number, flags: number, verdict: number, isCurrent: boolean): boolean;
  /**
   * The same, as a JavaScript expression the walker's loops inline, over the slot `s`, `sched`
   * (the array), `current`, and the task's flags `f` and stack verdict `v` (read once per task).
   */
  failsJs: string;
  /**
   * A sufficient condition, as JavaScript, that the check passes for four consecutive tasks
   * at once, so the walker can switch them together: over `sw` and `fw`, the four tasks' sched
   * and flag bytes read as one 32-bit word each, and `v4`, their four stack verdicts ANDed
   * (-1 exactly when all four are -1). False means "check them one by one".
   */
  passesQuadJs: string;
  /**
   * The check as a branch-free JavaScript expression, 1 when it fails and 0 when it passes,
   * over the slot `s`, the task's sched byte `sc`, flags `f`, stack verdict `v` and `current`:
   * the walker's four-task groups that hold a blocked task are decided with no branch on the
   * outcome (a branch per task mispredicts on the few blocked ones scattered in the list).
   */
  failsBitJs: string;
}

/** 1 when the int32 expression `x` is not 0, else 0 (the sign bit of x | -x). */
const nonZero = (x: string): string => `(((${x}) | -(${x})) >>> 31)`;
/** Bit `mask` (a single bit) of `x` as 0 or 1. */
const bit = (x: string, mask: number): string => `((${x} >>> ${31 - Math.clz32(mask)}) & 1)`;

/** Four bytes of `word` (an int32 of four byte fields): none of them equals `value`. */
const noByteIs = (word: string, value: number): string => {
  const x = value === 0 ? word : `(${word} ^ ${value * 0x01010101})`;
  return `(((${x} - ${0x01010101}) & ~${x} & ${0x80808080 | 0}) === 0)`;
};

export const SWITCH_RULE: readonly SwitchCheck[] = [
  {
    // task_curr(task) && task != current: a running task's stack cannot be checked.
    reason: 'running',
    errno: -EBUSY,
    fails: (sched, _flags, _verdict, isCurrent) => sched === Sched.RUNNING && !isCurrent,
    failsJs: `(sched[s] === ${Sched.RUNNING} && s !== current)`,
    passesQuadJs: noByteIs('sw', Sched.RUNNING),
    failsBitJs: `((1 ^ ${nonZero(`sc ^ ${Sched.RUNNING}`)}) & ${nonZero('s ^ current')})`,
  },
  {
    // The unwinder marked the task's stack unreliable (stack_trace_save_tsk_reliable() < 0).
    reason: 'unreliable',
    errno: -EINVAL,
    fails: (_sched, flags) => (flags & TF.UNRELIABLE) !== 0,
    failsJs: `((f & ${TF.UNRELIABLE}) !== 0)`,
    passesQuadJs: `((fw & ${TF.UNRELIABLE * 0x01010101}) === 0)`,
    failsBitJs: bit('f', TF.UNRELIABLE),
  },
  {
    // The same, for a stack shape the unwinder cannot walk (deeper than MAX_STACK_ENTRIES...).
    reason: 'unreliable',
    errno: -EINVAL,
    fails: (_sched, _flags, verdict) => verdict === -2,
    failsJs: '(v === -2)',
    passesQuadJs: '(v4 === -1)',
    failsBitJs: `(1 ^ ${nonZero('v + 2')})`,
  },
  {
    // klp_check_stack(): a function the transition changes is on the stack.
    reason: 'sleeping',
    errno: -EADDRINUSE,
    fails: (_sched, _flags, verdict) => verdict >= 0,
    failsJs: '(v >= 0)',
    passesQuadJs: '(v4 === -1)',
    failsBitJs: '(~v >>> 31)',
  },
];

/** The index in SWITCH_RULE of the first check the task fails, or -1 when it may switch. */
export function firstFailedCheck(sched: number, flags: number, verdict: number, isCurrent: boolean): number {
  for (let i = 0; i < SWITCH_RULE.length; i++) if (SWITCH_RULE[i].fails(sched, flags, verdict, isCurrent)) return i;
  return -1;
}

/** The whole rule as one JavaScript condition: true when the task may switch. */
export const SWITCH_PASSES_JS = SWITCH_RULE.map((c) => `!${c.failsJs}`).join(' && ');

/** The whole rule for four tasks at once: true only when all four may switch (see passesQuadJs). */
export const SWITCH_PASSES_QUAD_JS = [...new Set(SWITCH_RULE.map((c) => c.passesQuadJs))].join(' && ');

/** The whole rule, branch-free: 1 when the task fails some check (may not switch), else 0. */
export const SWITCH_FAILS_BIT_JS = SWITCH_RULE.map((c) => c.failsBitJs).join(' | ');
