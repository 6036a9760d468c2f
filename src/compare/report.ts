// What Compare prints (`sim A --compare B`, and the Compare view): the difference of two
// consistency analyses (universes and violations present in one run only) and the line diff
// of their kernel logs, compared WITHOUT timestamps (the same line at another instant is the
// same line; two designs rarely share instants).

import type { AnalysisJson } from '../analysis/report';
import { formatDmesg, type LogRecord } from '../kernel/printk';
import { diffLines, type LineDiff } from './lineDiff';

/** A kernel log as Compare compares it: dmesg lines without their timestamps. */
export function comparedLogLines(records: readonly LogRecord[]): string[] {
  return records.map((r) => formatDmesg(r, false));
}

export interface CompareSide {
  name: string;
  policy: string;
  proposal: boolean;
  analysis: AnalysisJson;
  /** dmesg texts without timestamps. */
  log: readonly string[];
}

type UniverseJson = AnalysisJson['universes'][number];
type ViolationJson = AnalysisJson['violations'][number];

interface CompareResult {
  universes: { onlyA: UniverseJson[]; onlyB: UniverseJson[]; both: number };
  violations: { onlyA: ViolationJson[]; onlyB: ViolationJson[]; both: number };
  log: LineDiff;
}

/** A universe by its non-original entries, so runs with different function lists compare. */
const universeKey = (u: UniverseJson): string =>
  Object.keys(u.impl)
    .filter((f) => u.impl[f] !== 'original')
    .sort()
    .map((f) => `${f}=${u.impl[f]}`)
    .join(' ') || '(all original)';

/** A violation by what it is, not when: kind, functions, patches. */
const violationKey = (v: ViolationJson) => `${v.kind} ${v.functions.join(',')} ${v.patches.join(',')}`;

function split<T>(a: readonly T[], b: readonly T[], key: (x: T) => string): { onlyA: T[]; onlyB: T[]; both: number } {
  const inB = new Map<string, number>();
  for (const x of b) inB.set(key(x), (inB.get(key(x)) ?? 0) + 1);
  const onlyA: T[] = [];
  let both = 0;
  for (const x of a) {
    const k = key(x);
    const left = inB.get(k) ?? 0;
    if (left > 0) {
      inB.set(k, left - 1);
      both++;
    } else onlyA.push(x);
  }
  const inA = new Map<string, number>();
  for (const x of a) inA.set(key(x), (inA.get(key(x)) ?? 0) + 1);
  const onlyB = b.filter((x) => {
    const k = key(x);
    const left = inA.get(k) ?? 0;
    if (left > 0) inA.set(k, left - 1);
    return left === 0;
  });
  return { onlyA, onlyB, both };
}

export function compareRuns(a: CompareSide, b: CompareSide, maxEdits?: number): CompareResult {
  return {
    universes: split(a.analysis.universes, b.analysis.universes, (u) => `${universeKey(u)} ${u.shipped}`),
    violations: split(a.analysis.violations, b.analysis.violations, violationKey),
    log: diffLines(a.log, b.log, maxEdits),
  };
}

const label = (s: CompareSide) => `${s.name} (policy: ${s.policy}${s.proposal ? ', proposal, not merged' : ''})`;
const universeLine = (u: UniverseJson) => `${u.shipped ? 'shipped      ' : 'NEVER SHIPPED'} ${universeKey(u)}  ${u.tasks} task${u.tasks === 1 ? '' : 's'}`;
const violationLine = (v: ViolationJson) => `${v.kind}: ${v.functions.join(', ') || '-'} (${v.patches.join(', ') || 'original'}), ${v.tasks} task${v.tasks === 1 ? '' : 's'}${v.command ? `, command '${v.command}'` : ''}`;

/** The text `sim A --compare B` prints (format in README.md, "Compare"). */
export function compareLines(a: CompareSide, b: CompareSide, r: CompareResult): string[] {
  const out = ['--- compare ---', `A: ${label(a)}`, `B: ${label(b)}`, '--- analysis diff ---'];
  out.push(`universes: A ${a.analysis.universes.length}, B ${b.analysis.universes.length}, in both ${r.universes.both}`);
  for (const u of r.universes.onlyA) out.push(`  only in A: ${universeLine(u)}`);
  for (const u of r.universes.onlyB) out.push(`  only in B: ${universeLine(u)}`);
  out.push(`violations: A ${a.analysis.violations.length}, B ${b.analysis.violations.length}, in both ${r.violations.both}`);
  for (const v of r.violations.onlyA) out.push(`  only in A: ${violationLine(v)}`);
  for (const v of r.violations.onlyB) out.push(`  only in B: ${violationLine(v)}`);
  const l = r.log;
  out.push(`--- log diff (without timestamps): ${l.onlyA} line${l.onlyA === 1 ? '' : 's'} only in A, ${l.onlyB} only in B${l.truncated ? '; edit budget exhausted, the rest compared as one block' : ''} ---`);
  for (const o of l.ops) {
    if (o.op === '-') out.push(`- A${(o.a ?? 0) + 1}: ${o.text}`);
    else if (o.op === '+') out.push(`+ B${(o.b ?? 0) + 1}: ${o.text}`);
  }
  return out;
}
