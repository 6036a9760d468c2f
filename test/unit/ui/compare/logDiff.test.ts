// The log diff Compare mode draws (src/ui/compare/logDiff.ts): the CLI's diff (timestamps
// ignored) with each differing line's side, line number and own time, a row budget, one
// summary sentence; and it diffs the logs as far as they had grown when asked.

import { describe, expect, it } from 'vitest';
import type { LogRecord } from '../../../../src/kernel/printk';
import { logDiffView } from '../../../../src/ui/compare/logDiff';

const rec = (seq: number, time: number, text: string): LogRecord => ({ seq, time, level: 6, text, facility: 0 });
const log = (start: number, texts: string[]) => texts.map((t, i) => rec(i, start + i * 1000, t));

describe('logDiffView', () => {
  it('the same lines at other instants: no differences', () => {
    const v = logDiffView(log(0, ['a', 'b', 'c']), log(5_000_000, ['a', 'b', 'c']));
    expect(v).toMatchObject({ onlyA: 0, onlyB: 0, rows: [], more: 0, truncated: false });
    expect(v.summary).toBe('No differences: both kernel logs read the same up to the cursor (3 lines, timestamps ignored).');
  });

  it('lines only in A and only in B, with their side, line and time', () => {
    const a = log(0, ['boot', "livepatch: enabling patch 'lp2'", "livepatch: 'lp2': patching complete", 'end']);
    const b = log(10, ['boot', 'insmod: ERROR: could not insert module lp2.ko: Invalid parameters', 'end']);
    const v = logDiffView(a, b);
    expect(v.rows).toEqual([
      { side: 'A', line: 2, time: 1000, text: "livepatch: enabling patch 'lp2'" },
      { side: 'A', line: 3, time: 2000, text: "livepatch: 'lp2': patching complete" },
      { side: 'B', line: 2, time: 1010, text: 'insmod: ERROR: could not insert module lp2.ko: Invalid parameters' },
    ]);
    expect(v.summary).toBe('2 lines only in A, 1 line only in B, up to the cursor (of 4 in A and 3 in B; timestamps ignored).');
  });

  it('draws at most maxRows differing lines and counts the rest', () => {
    const v = logDiffView(log(0, Array.from({ length: 30 }, (_, i) => `a${i}`)), log(0, ['x']), undefined, undefined, 10);
    expect(v.rows).toHaveLength(10);
    expect(v.more).toBe(21);
    expect(v.onlyA + v.onlyB).toBe(31);
  });

  it('diffs the first na and nb records (the logs as they stood)', () => {
    const a = log(0, ['same', 'later in A']);
    const b = log(0, ['same', 'later in B']);
    expect(logDiffView(a, b, 1, 1).summary).toMatch(/^No differences/);
    expect(logDiffView(a, b, 2, 1).rows).toEqual([{ side: 'A', line: 2, time: 1000, text: 'later in A' }]);
  });
});
