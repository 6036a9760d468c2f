// The model's one source of randomness: its sequence is part of every transcript, so it is
// pinned here (values of the implementation the goldens were recorded with).
import { describe, expect, it } from 'vitest';
import { Prng } from '../../../src/kernel/prng';

const draws = (seed: number, n: number) => {
  const p = new Prng(seed);
  return Array.from({ length: n }, () => p.nextU32());
};

describe('Prng (xoshiro128**, seeded by splitmix32)', () => {
  it('draws the recorded sequence for a few seeds', () => {
    expect(draws(1, 6)).toEqual([2442144158, 3238099751, 3819917871, 2104621829, 2021136066, 4223536128]);
    expect(draws(42, 6)).toEqual([2837322924, 544945897, 479756282, 3500138142, 339756180, 113173290]);
    expect(draws(0xffffffff, 6)).toEqual([835879718, 1921286648, 2356205009, 1885780724, 980451116, 1053911718]);
  });
  it('takes the seed modulo 2^32 (-1 and 2^32-1 are one seed)', () => {
    expect(draws(-1, 4)).toEqual(draws(0xffffffff, 4));
  });
  it('next() is nextU32() / 2^32 and below(n) its floor scaled to [0, n)', () => {
    const a = new Prng(7);
    const b = new Prng(7);
    for (let i = 0; i < 1000; i++) {
      const u = a.nextU32();
      expect(b.next()).toBe(u / 4294967296);
      expect(b.next()).toBeLessThan(1);
      a.nextU32();
    }
    const c = new Prng(9);
    const d = new Prng(9);
    for (let i = 0; i < 1000; i++) {
      const k = c.below(10);
      expect(k).toBe(Math.floor(d.next() * 10));
      expect(Number.isInteger(k) && k >= 0 && k < 10).toBe(true);
    }
  });
});
