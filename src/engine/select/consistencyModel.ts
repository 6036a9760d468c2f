// What the Consistency view draws, as plain data from a Session: the policy, the universes as a
// matrix (rows universes, columns functions), the violations, and the per-function owner map
// beside what stack_order and `kpatch list` would tell an operator.

import { analysisOf } from '../../analysis/registry';
import { violationsOf } from '../../analysis/report';
import { implOf, ORIGINAL } from '../../analysis/universe';
import type { Session } from '../session';
import { stackOrder } from '../../kernel/core';
import type { Kernel } from '../../kernel/kernel';
import { policyOf } from '../../kernel/policy';
import type { PolicyChange, PolicyName } from '../../kernel/policy/types';

export interface UniverseRow {
  id: number;
  impl: string[];
  shipped: boolean;
  /** Tasks in it now, and seen in it so far. */
  now: number;
  tasks: number;
  first: { time: number; pid: number; comm: string };
  command: string | null;
}

export interface ViolationRow {
  kind: string;
  time: number;
  functions: string[];
  patches: string[];
  tasks: number;
  command: string | null;
  detail: string;
}

interface OwnerRow {
  function: string;
  /** What tasks run now: one entry when all agree, else per patch_state. */
  truth: string;
  /** The patch an operator would name from stack_order (the highest that patches it). */
  byStackOrder: string;
  differs: boolean;
}

export interface ConsistencyData {
  policy: { name: PolicyName; title: string; proposal: boolean; changes: PolicyChange[]; sources: string[] };
  functions: string[];
  universes: UniverseRow[];
  violations: ViolationRow[];
  /** Universe id of each patch_state class now (IDLE, UNPATCHED, PATCHED), 0 if empty. */
  classUniverse: number[];
  owners: OwnerRow[];
  stackOrder: { patch: string; order: number; enabled: boolean; transition: boolean }[];
  kpatchList: string[];
}

/** The command whose run a time falls in: the last entry started at or before it. */
function commandAt(s: Session, t: number): string | null {
  let found: string | null = null;
  for (const r of s.runs) if (r.start <= t) found = s.entries[r.index] ?? null;
  return found;
}

function commOf(k: Kernel, pid: number): string {
  const slot = k.tasks.slotOfPid(pid, k.firstThread);
  return slot >= 0 ? k.tasks.commOf(slot) : '';
}

/** kpatch list's "Loaded patch modules" section (dynup/kpatch, kpatch/kpatch). */
function kpatchList(k: Kernel): string[] {
  const out = ['Loaded patch modules:'];
  for (const p of k.klpPatches) out.push(`${p.name} [${p.enabled ? 'enabled' : 'disabled'}]`);
  return out;
}

export function policyData(k: Kernel): ConsistencyData['policy'] {
  const p = policyOf(k);
  return { name: p.name, title: p.title, proposal: p.proposal, changes: [...p.changes], sources: [...p.sources] };
}

export function consistencyModel(s: Session): ConsistencyData | null {
  const k = s.sim.kernel;
  const a = analysisOf(s.sim);
  if (!a) return null;
  const fns = [...a.functions.names];
  const universes: UniverseRow[] = a.universes.map((u) => ({
    id: u.id,
    impl: fns.map((f) => implOf(u.impl, f)),
    shipped: u.shipped,
    now: u.now,
    tasks: u.tasks,
    first: { time: u.first.time, pid: u.first.pid, comm: commOf(k, u.first.pid) },
    command: commandAt(s, u.origin),
  }));
  const violations: ViolationRow[] = violationsOf(a).map((v) => ({
    kind: v.kind,
    time: v.time,
    functions: v.functions,
    patches: v.patches,
    tasks: typeof v.tasks === 'number' ? v.tasks : v.tasks.tasks,
    command: commandAt(s, v.origin),
    detail: v.detail,
  }));
  const classUniverse = a.classUniverse.map((u) => u?.id ?? 0);
  const owners: OwnerRow[] = fns.map((f) => {
    const impls = [...new Set(a.classUniverse.filter((u) => u !== null).map((u) => implOf(u!.impl, f)))];
    const truth = impls.length === 1 ? impls[0] : a.classUniverse.map((u, c) => (u ? `${['idle', 'unswitched', 'switched'][c]}: ${implOf(u.impl, f)}` : '')).filter(Boolean).join(', ');
    let best = ORIGINAL;
    let order = 0;
    for (const p of k.klpPatches) {
      const o = stackOrder(k, p);
      const has = p.objs.some((ob) => ob.funcs.some((fn) => fn.oldName === f && !fn.nop));
      if (has && o > order) {
        order = o;
        best = p.name;
      }
    }
    return { function: f, truth, byStackOrder: best, differs: impls.length !== 1 || impls[0] !== best };
  });
  return {
    policy: policyData(k),
    functions: fns,
    universes,
    violations,
    classUniverse,
    owners,
    stackOrder: k.klpPatches.map((p) => ({ patch: p.name, order: stackOrder(k, p), enabled: p.enabled, transition: p === k.klpTransitionPatch })),
    kpatchList: kpatchList(k),
  };
}
