// Everything the tooltip and the inspector say about one task, read from the kernel without
// changing it: identity, scheduling state, the stack with the code version of every frame,
// patch_state as /proc/<pid>/patch_state prints it, and why it has not switched.

import type { Classification } from '../blockers';
import { explainBlocker, REASON_NAMES } from '../blockers';
import type { KlpFunc } from '../../kernel/klp';
import type { Kernel } from '../../kernel/kernel';
import { SCHED_NAMES, TF } from '../../kernel/tasks';
import { forbiddenRanges } from '../../kernel/transition';

interface FrameInfo {
  code: number;
  name: string;
  /** Which body this frame executes: the original or a patch module's replacement. */
  version: string;
  /** 'original' | 'patched' | 'freed' (for colouring). */
  kind: 'original' | 'patched' | 'freed';
  /** This frame is what keeps the task from switching (a forbidden function on its stack). */
  blocking: boolean;
}

export interface TaskDetails {
  slot: number;
  pid: number;
  comm: string;
  kind: string;
  sched: string;
  /** As /proc/<pid>/patch_state prints it: -1, 0 or 1. */
  patchState: number;
  pending: boolean;
  /** Frames innermost first (as /proc/<pid>/stack lists them). */
  frames: FrameInfo[];
  reason: string;
  why: string;
}

function taskKind(k: Kernel, slot: number): string {
  const f = k.tasks.flags[slot];
  if (f & TF.IDLE) return `per-CPU idle task (CPU ${slot})`;
  const parts = [f & TF.KTHREAD ? 'kernel thread' : 'user task'];
  if (f & TF.USER_MODE) parts.push('in user mode');
  if (f & TF.EXITING) parts.push('exiting');
  if (!(f & TF.LISTED)) parts.push('not on the task list');
  return parts.join(', ');
}

/** Replacement bodies of every registered patch: code id -> the klp_func that supplies it. */
export function replacementFuncs(k: Kernel): Map<number, KlpFunc> {
  const out = new Map<number, KlpFunc>();
  const patches = k.klpTransitionPatch && !k.klpPatches.includes(k.klpTransitionPatch) ? [...k.klpPatches, k.klpTransitionPatch] : k.klpPatches;
  for (const p of patches) for (const f of p.funcs()) if (!f.nop && f.newFunc) out.set(f.newFunc.id, f);
  return out;
}

/** The code version a frame runs, in words. */
export function frameVersion(k: Kernel, code: number, replacements: Map<number, KlpFunc>): { version: string; kind: FrameInfo['kind'] } {
  const sym = k.syms.codes[code];
  if (sym.freed) return { version: `text of unloaded module ${sym.owner} (freed)`, kind: 'freed' };
  const f = replacements.get(code);
  if (f) return { version: `new function of patch ${f.patch.name}, replaces ${f.oldName}`, kind: 'patched' };
  if (sym.owner === 'vmlinux') return { version: 'vmlinux (original)', kind: 'original' };
  if (k.modules.get(sym.owner)?.livepatch) return { version: `livepatch module ${sym.owner}`, kind: 'patched' };
  return { version: `module ${sym.owner} (original)`, kind: 'original' };
}

export function describeTask(k: Kernel, c: Classification, slot: number): TaskDetails {
  const t = k.tasks;
  const replacements = replacementFuncs(k);
  const blockIdx = slot < c.n ? c.func[slot] : -1;
  const blockingCodes = new Set<number>();
  if (blockIdx >= 0) for (const [code, idx] of forbiddenRanges(k).ranges) if (idx === blockIdx) blockingCodes.add(code);
  const frames = k.trie.frames(t.stack[slot]).map((code) => {
    const v = frameVersion(k, code, replacements);
    return { code, name: k.syms.codes[code].name, version: v.version, kind: v.kind, blocking: blockingCodes.has(code) };
  });
  const reason = slot < c.n ? c.reason[slot] : 0;
  return {
    slot,
    pid: t.pid[slot],
    comm: t.commOf(slot),
    kind: taskKind(k, slot),
    sched: SCHED_NAMES[t.sched[slot]],
    patchState: t.patchState[slot],
    pending: t.has(slot, TF.PATCH_PENDING),
    frames,
    reason: REASON_NAMES[reason],
    why: slot < c.n ? explainBlocker(k, c, slot) : 'The task appeared after the last classification.',
  };
}
