// The search's visited set: every state's encoding (SearchModel.encode(), a short run of
// 16-bit numbers) kept once in one growing arena, found again through an open-addressing
// hash table of state numbers. No string per state, no object per entry: the search looks
// up every successor of every state here, so this is its hottest path after the moves.

const EMPTY = -1;

export class StateTable {
  /** The encodings, one after the other; state i is arena[start[i] .. start[i + 1]). */
  private arena = new Uint16Array(1 << 13);
  private start = new Int32Array(1 << 10);
  private count = 0;
  /** Slots hold a state number or EMPTY; the size is a power of two, at most half full. */
  private slots = new Int32Array(1 << 10).fill(EMPTY);
  private hashes = new Int32Array(1 << 10);

  get size(): number {
    return this.count;
  }

  /** The number of the state encoded in buf[0 .. n), adding it as the next number when new (then returns -1). */
  findOrAdd(buf: Uint16Array, n: number): number {
    const h = hashOf(buf, n);
    const mask = this.slots.length - 1;
    for (let i = h & mask; ; i = (i + 1) & mask) {
      const j = this.slots[i];
      if (j === EMPTY) break;
      if (this.hashes[j] === h && this.equals(j, buf, n)) return j;
    }
    this.add(buf, n, h);
    return -1;
  }

  private equals(j: number, buf: Uint16Array, n: number): boolean {
    const from = this.start[j];
    if (this.start[j + 1] - from !== n) return false;
    const a = this.arena;
    for (let k = 0; k < n; k++) if (a[from + k] !== buf[k]) return false;
    return true;
  }

  private add(buf: Uint16Array, n: number, h: number): void {
    const j = this.count;
    if (j + 2 > this.start.length) {
      this.start = grown(this.start, this.start.length * 2);
      this.hashes = grown(this.hashes, this.hashes.length * 2);
    }
    const from = this.start[j];
    if (from + n > this.arena.length) this.arena = grown(this.arena, Math.max(this.arena.length * 2, from + n));
    this.arena.set(buf.subarray(0, n), from);
    this.start[j + 1] = from + n;
    this.hashes[j] = h;
    this.count = j + 1;
    if (this.count * 2 > this.slots.length) this.rehash(this.slots.length * 2);
    else this.place(j, h);
  }

  private place(j: number, h: number): void {
    const mask = this.slots.length - 1;
    let i = h & mask;
    while (this.slots[i] !== EMPTY) i = (i + 1) & mask;
    this.slots[i] = j;
  }

  private rehash(size: number): void {
    this.slots = new Int32Array(size).fill(EMPTY);
    for (let j = 0; j < this.count; j++) this.place(j, this.hashes[j]);
  }
}

/** FNV-1a over the 16-bit units, then a final mix so that the low bits index well. */
function hashOf(buf: Uint16Array, n: number): number {
  let h = 0x811c9dc5;
  for (let k = 0; k < n; k++) h = Math.imul(h ^ buf[k], 0x01000193);
  h ^= h >>> 15;
  h = Math.imul(h, 0x2c1b3c6d);
  return h ^ (h >>> 12);
}

function grown<T extends Uint16Array | Int32Array>(a: T, size: number): T {
  const b = new (a.constructor as new (n: number) => T)(size);
  b.set(a);
  return b;
}
