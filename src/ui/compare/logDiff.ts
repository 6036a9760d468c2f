// The kernel-log diff Compare mode shows under the two sides: the lines only in A and only in
// B, up to the linked cursor. The same diff as `sim A --compare B` (src/compare/report.ts:
// dmesg lines without timestamps, Myers with its edit budget); this adds only what the screen
// needs: each differing line's own timestamp, a row budget, and one summary sentence.

import type { LogRecord } from '../../kernel/printk';
import { comparedLogLines } from '../../compare/report';
import { diffLines } from '../../compare/lineDiff';

/** Differing lines drawn at most (the summary still counts them all). */
const MAX_DIFF_ROWS = 500;

interface LogDiffRow {
  side: 'A' | 'B';
  /** 1-based line number in that side's log. */
  line: number;
  /** The record's virtual time in its own run (µs). */
  time: number;
  text: string;
}

interface LogDiffView {
  onlyA: number;
  onlyB: number;
  linesA: number;
  linesB: number;
  rows: LogDiffRow[];
  /** Differing lines beyond MAX_DIFF_ROWS, not drawn. */
  more: number;
  /** The edit budget ran out: the rest was compared as one block (as the CLI says). */
  truncated: boolean;
  summary: string;
}

const lines = (n: number) => `${n.toLocaleString('en-US')} line${n === 1 ? '' : 's'}`;

/** The diff of the first `na` records of A and `nb` of B (the logs grow in place: their lengths when asked). */
export function logDiffView(logA: readonly LogRecord[], logB: readonly LogRecord[], na = logA.length, nb = logB.length, maxRows = MAX_DIFF_ROWS): LogDiffView {
  const a = logA.slice(0, na);
  const b = logB.slice(0, nb);
  const d = diffLines(comparedLogLines(a), comparedLogLines(b));
  const rows: LogDiffRow[] = [];
  let more = 0;
  for (const o of d.ops) {
    if (o.op === '=') continue;
    if (rows.length >= maxRows) {
      more++;
      continue;
    }
    const side = o.op === '-' ? 'A' : 'B';
    const i = (side === 'A' ? o.a : o.b) ?? 0;
    rows.push({ side, line: i + 1, time: (side === 'A' ? a : b)[i].time, text: o.text });
  }
  const summary =
    d.onlyA === 0 && d.onlyB === 0
      ? `No differences: both kernel logs read the same up to the cursor (${lines(a.length)}, timestamps ignored).`
      : `${lines(d.onlyA)} only in A, ${lines(d.onlyB)} only in B, up to the cursor (of ${a.length.toLocaleString('en-US')} in A and ${b.length.toLocaleString('en-US')} in B; timestamps ignored)${d.truncated ? '; the edit budget ran out, the rest is compared as one block' : ''}.`;
  return { onlyA: d.onlyA, onlyB: d.onlyB, linesA: a.length, linesB: b.length, rows, more, truncated: d.truncated, summary };
}
