// What the Function stacks view draws, read from the kernel without changing it: every
// klp_ops with its func_stack top to bottom, and which entry a task runs right now depending
// on its patch_state (klp_ftrace_handler(), docs/kernel-model.md §5).

import { KLP_TRANSITION_IDLE, KLP_TRANSITION_PATCHED, KLP_TRANSITION_UNPATCHED, type PatchState } from '../../kernel/constants';
import { stackOrder } from '../../kernel/core';
import type { Kernel } from '../../kernel/kernel';
import type { KlpFunc } from '../../kernel/klp';
import { Sched } from '../../kernel/tasks';

/** The entry index a task runs when it finds the original body: no entry of the stack. */
export const ORIGINAL = -1;

export interface StackEntry {
  /** Stable identity of this klp_func: patch / object / function,sympos. */
  key: string;
  patch: string;
  object: string;
  nop: boolean;
  /** klp_func.transition */
  transition: boolean;
  /** The patch's position in klp_patches (1 = oldest); 0 once it is off the list. */
  stackOrder: number;
  /** The replacement body's symbol (the original's name for a nop). */
  newName: string;
}

export interface FuncRow {
  /** owner:name of the original function (the klp_ops identity). */
  key: string;
  name: string;
  owner: string;
  entries: StackEntry[];
  /** Entry index (or ORIGINAL) a task that has not switched yet runs. */
  unswitched: number;
  /** Entry index (or ORIGINAL) a task already in the target state runs. */
  switched: number;
}

export interface FuncStacksModel {
  phase: 'idle' | 'patching' | 'unpatching';
  /** The transition patch's name, when there is one. */
  patch: string | null;
  rows: FuncRow[];
  /** Tasks (live slots, idle tasks included) not yet in the target state, and those in it. */
  unswitchedTasks: number;
  switchedTasks: number;
}

/**
 * The klp_ftrace_handler() choice for a task with patch_state `ps`: the top entry; if that is
 * in transition and the task is still unpatched, the entry below it (or the original when there
 * is none); a nop means the original. An IDLE task seeing a transition flag trips the WARN and
 * then runs the top entry, as the handler does.
 */
export function resolveEntry(entries: readonly Pick<StackEntry, 'nop' | 'transition'>[], ps: PatchState): number {
  if (entries.length === 0) return ORIGINAL;
  let i = 0;
  if (entries[0].transition && ps === KLP_TRANSITION_UNPATCHED) i = entries.length > 1 ? 1 : ORIGINAL;
  if (i !== ORIGINAL && entries[i].nop) return ORIGINAL;
  return i;
}

/** patch_state of a task that has not switched yet, and of one that has, for a target state. */
export function taskStates(target: PatchState): { unswitched: PatchState; switched: PatchState } {
  if (target === KLP_TRANSITION_PATCHED) return { unswitched: KLP_TRANSITION_UNPATCHED, switched: KLP_TRANSITION_PATCHED };
  if (target === KLP_TRANSITION_UNPATCHED) return { unswitched: KLP_TRANSITION_PATCHED, switched: KLP_TRANSITION_UNPATCHED };
  return { unswitched: KLP_TRANSITION_IDLE, switched: KLP_TRANSITION_IDLE };
}

function entryOf(k: Kernel, f: KlpFunc): StackEntry {
  const patch = f.patch;
  return {
    key: `${patch.name}/${f.obj.displayName}/${f.sysfsName}`,
    patch: patch.name,
    object: f.obj.displayName,
    nop: f.nop,
    transition: f.transition,
    stackOrder: stackOrder(k, patch),
    newName: f.newFunc?.name ?? f.newName ?? f.oldName,
  };
}

export function funcStacksModel(k: Kernel): FuncStacksModel {
  const target = k.klpTargetState;
  const states = taskStates(target);
  const rows: FuncRow[] = [];
  for (const ops of k.klpOps.values()) {
    const entries = ops.funcStack.map((f) => entryOf(k, f));
    const { name, owner } = ops.oldFunc;
    rows.push({ key: `${owner}:${name}`, name, owner, entries, unswitched: resolveEntry(entries, states.unswitched), switched: resolveEntry(entries, states.switched) });
  }
  rows.sort((a, b) => a.owner.localeCompare(b.owner) || a.name.localeCompare(b.name));
  let unswitchedTasks = 0;
  let switchedTasks = 0;
  if (target !== KLP_TRANSITION_IDLE) {
    const t = k.tasks;
    for (let s = 0; s < t.n; s++) {
      if (t.sched[s] === Sched.DEAD) continue;
      if (t.patchState[s] === target) switchedTasks++;
      else unswitchedTasks++;
    }
  }
  return {
    phase: target === KLP_TRANSITION_PATCHED ? 'patching' : target === KLP_TRANSITION_UNPATCHED ? 'unpatching' : 'idle',
    patch: k.klpTransitionPatch?.name ?? null,
    rows,
    unswitchedTasks,
    switchedTasks,
  };
}

/** What a task runs for `row` when it resolves to entry `index`, in words. */
export function runsLabel(row: FuncRow, index: number): string {
  if (index === ORIGINAL) return `the original ${row.name} [${row.owner}]`;
  const e = row.entries[index];
  return `${e.newName} [${e.patch}]`;
}
