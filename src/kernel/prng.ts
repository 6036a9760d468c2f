// Seeded pseudo-random numbers (xoshiro128**): the only source of randomness in the model,
// so that one scenario gives one transcript, byte for byte, in Node and in the browser.
//
// The four state words live in an Int32Array as signed 32-bit values: every step is then
// integer arithmetic on 32-bit slots, with no number boxed on the heap (kept as unsigned
// object fields, the words above 2^31 made each draw allocate, and a million-task workload
// draws a few hundred thousand numbers per simulated second).

export class Prng {
  private readonly s = new Int32Array(4);

  constructor(seed: number) {
    // splitmix32 expands the seed into the four state words.
    let x = seed | 0;
    for (let i = 0; i < 4; i++) {
      x = (x + 0x9e3779b9) | 0;
      let z = x;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
      this.s[i] = z ^ (z >>> 16);
    }
  }

  /** The next output as a signed 32-bit integer (its bits are the unsigned draw's). */
  private step(): number {
    const s = this.s;
    const s1 = s[1];
    const result = Math.imul(rotl(Math.imul(s1, 5), 7), 9);
    const t = s1 << 9;
    s[2] ^= s[0];
    s[3] ^= s1;
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 11);
    return result;
  }

  /** A uniformly distributed unsigned 32-bit integer. */
  nextU32(): number {
    return this.step() >>> 0;
  }

  /** A float in [0, 1). */
  next(): number {
    return (this.step() >>> 0) / 4294967296;
  }

  /** An integer in [0, n). */
  below(n: number): number {
    return Math.floor(this.next() * n);
  }
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}
