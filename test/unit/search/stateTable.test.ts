// The search's visited set (src/search/stateTable.ts) against a Map of the same encodings as
// strings: same numbers, in order of first insertion, through growth and rehashing, with
// encodings that are prefixes of one another.
import { describe, expect, it } from 'vitest';
import { StateTable } from '../../../src/search/stateTable';
import { Prng } from '../../../src/kernel/prng';

describe('StateTable', () => {
  it('numbers each distinct encoding once, in order, like a Map of strings', () => {
    const rand = new Prng(7);
    const table = new StateTable();
    const reference = new Map<string, number>();
    const buf = new Uint16Array(64);
    for (let i = 0; i < 20_000; i++) {
      // Short encodings over a small alphabet: many repeats, and prefixes of longer ones.
      const n = 1 + rand.below(6);
      for (let k = 0; k < n; k++) buf[k] = rand.below(5) * 9000;
      const key = String.fromCharCode(...buf.subarray(0, n));
      const want = reference.get(key);
      const got = table.findOrAdd(buf, n);
      if (want === undefined) {
        expect(got).toBe(-1);
        reference.set(key, reference.size);
      } else {
        expect(got).toBe(want);
      }
    }
    expect(table.size).toBe(reference.size);
    expect(reference.size).toBeGreaterThan(5_000);
  });

  it('keeps encodings longer than its first arena', () => {
    const table = new StateTable();
    const long = new Uint16Array(20_000).map((_, i) => i);
    expect(table.findOrAdd(long, long.length)).toBe(-1);
    expect(table.findOrAdd(long, long.length - 1)).toBe(-1);
    expect(table.findOrAdd(long.slice(), long.length)).toBe(0);
    expect(table.findOrAdd(long, long.length - 1)).toBe(1);
  });
});
