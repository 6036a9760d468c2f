// What each cell shows, as one byte per cell so a million of them are cheap to draw: the
// fill is the task's patch state (with the pending flag over it), the mark is why it blocks
// the transition. Bigger bytes are more urgent, so a pixel holding many cells shows the
// most urgent of them (max), as Perfetto does for sub-pixel slices.

import { TF } from '../../kernel/tasks';
import { Reason } from '../blockers';
import type { TaskGroup } from './taskGroups';

/** Fill: the patch state of /proc/<pid>/patch_state, or the pending flag. */
export const Fill = { IDLE: 0, PATCHED: 1, UNPATCHED: 2, PENDING: 3 } as const;
type FillCode = (typeof Fill)[keyof typeof Fill];
export const FILL_NAMES = ['idle (no transition)', 'patched', 'unpatched', 'pending'] as const;

/** Mark: the blocker reason drawn over the fill, in increasing urgency. */
export const Mark = { NONE: 0, RUNNING: 1, UNRELIABLE: 2, SLEEPING: 3, UNINTERRUPTIBLE: 4, EXITING: 5 } as const;
type MarkCode = (typeof Mark)[keyof typeof Mark];
export const MARK_NAMES = ['', 'running', 'unreliable stack', 'sleeping on a patched function', 'uninterruptible (D)', 'exiting, unhashed'] as const;

/** Mark by Reason code (a table: the cell loop runs a million times). */
const MARK_OF_REASON = new Uint8Array(8);
MARK_OF_REASON[Reason.RUNNING] = Mark.RUNNING;
MARK_OF_REASON[Reason.SLEEPING] = Mark.SLEEPING;
MARK_OF_REASON[Reason.UNINTERRUPTIBLE] = Mark.UNINTERRUPTIBLE;
MARK_OF_REASON[Reason.UNRELIABLE] = Mark.UNRELIABLE;
MARK_OF_REASON[Reason.EXITING] = Mark.EXITING;

export function markOfReason(reason: number): MarkCode {
  return (MARK_OF_REASON[reason] ?? Mark.NONE) as MarkCode;
}

/** Fill by patch_state + 1 when the pending flag is clear. */
const FILL_OF_STATE = Uint8Array.of(Fill.IDLE, Fill.UNPATCHED, Fill.PATCHED);

export function fillOf(patchState: number, flags: number): FillCode {
  return (flags & TF.PATCH_PENDING ? Fill.PENDING : FILL_OF_STATE[patchState + 1]) as FillCode;
}

/**
 * One byte per cell: 0 is "no cell"; otherwise 1 + mark * 8 + stray * 4 + fill, where stray
 * (0 or 1) says the task runs a universe that was never shipped (the consistency analysis,
 * src/analysis/): it ranks above every fill and below every blocker mark, so a pixel holding
 * many cells shows a blocker first, then a stray task.
 */
export function cellCode(fill: FillCode, mark: MarkCode, stray = 0): number {
  return 1 + mark * 8 + stray * 4 + fill;
}

export function fillOfCode(code: number): FillCode {
  return ((code - 1) & 3) as FillCode;
}

export function markOfCode(code: number): MarkCode {
  return ((code - 1) >> 3) as MarkCode;
}

/** 1 when the cell's task runs a never-shipped universe. */
export function strayOfCode(code: number): number {
  return code ? ((code - 1) >> 2) & 1 : 0;
}

/** Highest code + 1 (for lookup tables). */
export const CODE_COUNT = 1 + 6 * 8;
/** Entries per group in cellCodes()'s histogram (a power of two above CODE_COUNT). */
export const HISTOGRAM_STRIDE = 64;

interface CellInput {
  patchState: Int8Array;
  flags: Uint8Array;
  reason: Uint8Array;
  /**
   * By patch_state + 1: 1 when every task of that patch_state runs a never-shipped universe
   * now (klp_ftrace_handler() decides from the func_stacks and patch_state only, so the
   * universe is per patch_state). Absent: no analysis, no stray cells.
   */
  strayOfState?: Uint8Array;
}

const NO_STRAY = new Uint8Array(3);

/**
 * Codes of every cell, groups one after another in cell order (`out` reused when big
 * enough), and a histogram of codes per group (group g's count of code c at
 * g * HISTOGRAM_STRIDE + c).
 */
export function cellCodes(groups: readonly TaskGroup[], inp: CellInput, out?: Uint8Array): { codes: Uint8Array; histogram: Int32Array } {
  let total = 0;
  for (const g of groups) total += g.slots.length;
  const codes = out && out.length >= total ? out : new Uint8Array(total);
  const histogram = new Int32Array(groups.length * HISTOGRAM_STRIDE);
  const { patchState, flags, reason } = inp;
  const stray = inp.strayOfState ?? NO_STRAY;
  let i = 0;
  for (let gi = 0; gi < groups.length; gi++) {
    const slots = groups[gi].slots;
    const base = gi * HISTOGRAM_STRIDE;
    for (let j = 0; j < slots.length; j++) {
      const s = slots[j];
      const ps = patchState[s];
      const code = 1 + MARK_OF_REASON[reason[s]] * 8 + stray[ps + 1] * 4 + fillOf(ps, flags[s]);
      codes[i++] = code;
      histogram[base + code]++;
    }
  }
  return { codes, histogram };
}
