// The analysis as the CLI prints it: one JSON document (`sim --analysis --format json`, the
// contract of issue 8) and lines for people (`sim --analysis`). Times are seconds since boot,
// as dmesg shows them.

import { policyByName } from '../kernel/policy';
import type { PolicyName } from '../kernel/policy/types';
import type { ConsistencyAnalysis, UniverseRecord, ViolationKind, ViolationRecord } from './consistency';
import { implOf } from './universe';

export interface AnalysisJson {
  policy: PolicyName;
  functions: string[];
  universes: { impl: Record<string, string>; shipped: boolean; tasks: number; first: { time: number; pid: number } }[];
  violations: { kind: ViolationKind; time: number; functions: string[]; patches: string[]; tasks: number; command: string | null; detail: string }[];
}

/** The command line whose run a time falls in (null: none, e.g. boot). */
type CommandAt = (timeUs: number) => string | null;

/** The line running at a time: the first that finished at or after it (lines run in turn). */
export function commandAtOf(outcomes: readonly { line: { text: string }; time: number }[]): CommandAt {
  return (t) => outcomes.find((o) => o.time >= t)?.line.text ?? null;
}

const seconds = (us: number) => Math.round(us) / 1e6;

/** A null-prototype record of function -> implementation over every function of the run. */
function implRecord(a: ConsistencyAnalysis, u: UniverseRecord): Record<string, string> {
  const out = Object.create(null) as Record<string, string>;
  for (const f of a.functions.names) out[f] = implOf(u.impl, f);
  return out;
}

/** Every violation, the never-shipped universes included, in time order. */
export function violationsOf(a: ConsistencyAnalysis): ViolationRecord[] {
  const out = [...a.violations];
  for (const u of a.universes) {
    if (u.shipped) continue;
    const shipped = a.universes.filter((s) => s.shipped && s.shippedAt !== null && s.shippedAt <= u.first.time);
    const before = shipped.length ? shipped[shipped.length - 1] : null;
    const fns = a.functions.names.filter((f) => !before || implOf(before.impl, f) !== implOf(u.impl, f));
    const patches = [...new Set(a.functions.names.map((f) => implOf(u.impl, f)).filter((p) => p !== 'original'))].sort();
    out.push({
      kind: 'never-shipped',
      time: u.first.time,
      functions: fns,
      patches,
      tasks: u,
      origin: u.origin,
      universe: u,
      detail: `universe U${u.id} {${a.functions.names.map((f) => `${f}: ${implOf(u.impl, f)}`).join(', ')}} was never the state of the whole system${before ? `; it differs from the shipped U${before.id} in ${fns.join(', ')}` : ''}`,
    });
  }
  const rank: Record<ViolationKind, number> = { 'never-shipped': 0, 'dependency': 1, 'mass-switch': 2, 'forced': 3 };
  return out.sort((x, y) => x.time - y.time || rank[x.kind] - rank[y.kind]);
}

const tasksOf = (v: ViolationRecord) => (typeof v.tasks === 'number' ? v.tasks : v.tasks.tasks);

export function analysisJson(a: ConsistencyAnalysis, policy: PolicyName, commandAt: CommandAt): AnalysisJson {
  return {
    policy,
    functions: [...a.functions.names],
    universes: a.universes.map((u) => ({ impl: implRecord(a, u), shipped: u.shipped, tasks: u.tasks, first: { time: seconds(u.first.time), pid: u.first.pid } })),
    violations: violationsOf(a).map((v) => ({ kind: v.kind, time: seconds(v.time), functions: v.functions, patches: v.patches, tasks: tasksOf(v), command: commandAt(v.origin), detail: v.detail })),
  };
}

const fmt = (s: number) => `${s.toFixed(6)}s`;

export function analysisLines(a: ConsistencyAnalysis, policy: PolicyName, commandAt: CommandAt): string[] {
  const j = analysisJson(a, policy, commandAt);
  const p = policyByName(policy);
  const out = [`--- consistency analysis ---`, `policy: ${policy}${p.proposal ? ' (proposal, not merged)' : ''}`];
  out.push(`functions: ${j.functions.length ? j.functions.join(', ') : '(none patched)'}`);
  out.push(`universes: ${j.universes.length} (${j.universes.filter((u) => u.shipped).length} shipped, ${j.universes.filter((u) => !u.shipped).length} never shipped)`);
  j.universes.forEach((u, i) => {
    const impl = j.functions.map((f) => `${f}=${u.impl[f]}`).join(' ') || '(all original)';
    out.push(`  U${i + 1} ${u.shipped ? 'shipped      ' : 'NEVER SHIPPED'} ${impl}  ${u.tasks} task${u.tasks === 1 ? '' : 's'}, first pid ${u.first.pid} at ${fmt(u.first.time)}`);
  });
  out.push(`violations: ${j.violations.length}`);
  for (const v of j.violations) {
    out.push(`  [${fmt(v.time)}] ${v.kind}: ${v.functions.join(', ') || '-'} (${v.patches.join(', ') || 'original'}), ${v.tasks} task${v.tasks === 1 ? '' : 's'}${v.command ? `, command '${v.command}'` : ''}`);
    out.push(`      ${v.detail}`);
  }
  return out;
}
