// The line diff of Compare mode (src/compare/lineDiff.ts): a real shortest edit script, checked
// against a dynamic-programming LCS on random inputs, and its budget.

import { describe, expect, it } from 'vitest';
import { diffLines, type LineDiff } from '../../../src/compare/lineDiff';

const side = (d: LineDiff, which: 'a' | 'b') => d.ops.filter((o) => o.op === '=' || o.op === (which === 'a' ? '-' : '+')).map((o) => o.text);

/** Length of a longest common subsequence, by the textbook table. */
function lcs(a: string[], b: string[]): number {
  const t = Array.from({ length: a.length + 1 }, () => new Array<number>(b.length + 1).fill(0));
  for (let i = 1; i <= a.length; i++) for (let j = 1; j <= b.length; j++) t[i][j] = a[i - 1] === b[j - 1] ? t[i - 1][j - 1] + 1 : Math.max(t[i - 1][j], t[i][j - 1]);
  return t[a.length][b.length];
}

describe('diffLines', () => {
  it("finds Myers' paper example's 5 edits (ABCABBA -> CBABAC)", () => {
    const d = diffLines([...'ABCABBA'], [...'CBABAC']);
    expect(d.onlyA + d.onlyB).toBe(5);
    expect(side(d, 'a').join('')).toBe('ABCABBA');
    expect(side(d, 'b').join('')).toBe('CBABAC');
    expect(d.truncated).toBe(false);
  });

  it('keeps the shared head and tail and numbers the lines of each side', () => {
    const d = diffLines(['boot', 'x', 'end'], ['boot', 'y', 'z', 'end']);
    expect(d.ops).toEqual([
      { op: '=', text: 'boot', a: 0, b: 0 },
      { op: '-', text: 'x', a: 1, b: null },
      { op: '+', text: 'y', a: null, b: 1 },
      { op: '+', text: 'z', a: null, b: 2 },
      { op: '=', text: 'end', a: 2, b: 3 },
    ]);
    expect(diffLines([], []).ops).toEqual([]);
    expect(diffLines(['a'], []).onlyA).toBe(1);
  });

  it('is a shortest edit script on random inputs (against an LCS table)', () => {
    let seed = 7;
    const rand = (n: number) => {
      seed = (seed * 1103515245 + 12345) >>> 0;
      return seed % n;
    };
    for (let run = 0; run < 300; run++) {
      const a = Array.from({ length: rand(14) }, () => 'abc'[rand(3)]);
      const b = Array.from({ length: rand(14) }, () => 'abc'[rand(3)]);
      const d = diffLines(a, b);
      expect(side(d, 'a')).toEqual(a);
      expect(side(d, 'b')).toEqual(b);
      expect(d.onlyA + d.onlyB).toBe(a.length + b.length - 2 * lcs(a, b));
    }
  });

  it('past its edit budget reports the middle as one block and says so', () => {
    const a = Array.from({ length: 50 }, (_, i) => `a${i}`);
    const b = Array.from({ length: 50 }, (_, i) => `b${i}`);
    const d = diffLines(['same', ...a, 'tail'], ['same', ...b, 'tail'], 10);
    expect(d.truncated).toBe(true);
    expect([d.onlyA, d.onlyB]).toEqual([50, 50]);
    expect(side(d, 'b')).toEqual(['same', ...b, 'tail']);
  });
});
