// Kernel stacks as a trie of frames shared by every task. A task holds one node id: its
// innermost frame. Push and pop are O(1) and a million tasks sleeping in the same place
// share one node, which is what makes the stack check of a 1M-task walk cheap: the verdict
// for a node is computed once per attempt from its parent's verdict and its own frame.

import { MAX_STACK_ENTRIES } from './constants';

export const EMPTY_STACK = 0;

export class StackTrie {
  private parentArr = new Int32Array(1024);
  private codeArr = new Int32Array(1024);
  private depthArr = new Uint16Array(1024);
  private unreliableArr = new Uint8Array(1024);
  private children = new Map<number, number>();
  private count = 1;

  constructor(private readonly isUnreliableCode: (code: number) => boolean) {
    this.parentArr[0] = -1;
    this.codeArr[0] = -1;
  }

  get size(): number {
    return this.count;
  }

  /** The node for `node` with `code` called on top of it. */
  push(node: number, code: number): number {
    const key = node * 4194304 + code;
    const hit = this.children.get(key);
    if (hit !== undefined) return hit;
    if (this.count === this.parentArr.length) this.grow();
    const id = this.count++;
    this.parentArr[id] = node;
    this.codeArr[id] = code;
    const depth = this.depthArr[node] + 1;
    this.depthArr[id] = depth;
    this.unreliableArr[id] =
      this.unreliableArr[node] || this.isUnreliableCode(code) || depth > MAX_STACK_ENTRIES ? 1 : 0;
    this.children.set(key, id);
    return id;
  }

  /** Build a node from frames listed outermost first. */
  fromFrames(codes: readonly number[], base = EMPTY_STACK): number {
    let n = base;
    for (const c of codes) n = this.push(n, c);
    return n;
  }

  parent(node: number): number {
    return this.parentArr[node];
  }

  code(node: number): number {
    return this.codeArr[node];
  }

  depth(node: number): number {
    return this.depthArr[node];
  }

  /** stack_trace_save_tsk_reliable() would fail for this stack. */
  unreliable(node: number): boolean {
    return this.unreliableArr[node] === 1;
  }

  /** Frames innermost first, as /proc/<pid>/stack lists them. */
  frames(node: number): number[] {
    const out: number[] = [];
    for (let n = node; n > 0; n = this.parentArr[n]) out.push(this.codeArr[n]);
    return out;
  }

  contains(node: number, code: number): boolean {
    for (let n = node; n > 0; n = this.parentArr[n]) if (this.codeArr[n] === code) return true;
    return false;
  }

  /** Bytes held by the trie (for the bytes-per-task figure). */
  bytes(): number {
    return this.parentArr.byteLength + this.codeArr.byteLength + this.depthArr.byteLength + this.unreliableArr.byteLength + this.children.size * 24;
  }

  private grow(): void {
    const n = this.parentArr.length * 2;
    const p = new Int32Array(n); p.set(this.parentArr); this.parentArr = p;
    const c = new Int32Array(n); c.set(this.codeArr); this.codeArr = c;
    const d = new Uint16Array(n); d.set(this.depthArr); this.depthArr = d;
    const u = new Uint8Array(n); u.set(this.unreliableArr); this.unreliableArr = u;
  }
}

/**
 * Per-attempt verdicts for stack nodes (klp_check_stack): which function of the transition
 * patch, if any, has its forbidden range on the stack. Computed lazily, parent first, and
 * cached with an epoch so a new attempt invalidates everything in O(1).
 */
export class StackVerdicts {
  private epochArr = new Uint32Array(1024);
  private resultArr = new Int32Array(1024);
  private epoch = 0;
  /** forbiddenIndex[code] = index of the first func whose range is this code, or -1. */
  private forbidden = new Int32Array(1024).fill(-1);
  private forbiddenCodes: number[] = [];

  constructor(private readonly trie: StackTrie) {}

  /** Start a new attempt with this code -> func index map (first func wins). */
  begin(ranges: ReadonlyArray<readonly [code: number, funcIndex: number]>): void {
    for (const c of this.forbiddenCodes) this.forbidden[c] = -1;
    this.forbiddenCodes = [];
    for (const [code, idx] of ranges) {
      if (code >= this.forbidden.length) {
        const f = new Int32Array(Math.max(code + 1, this.forbidden.length * 2)).fill(-1);
        f.set(this.forbidden);
        this.forbidden = f;
      }
      const cur = this.forbidden[code];
      if (cur === -1 || idx < cur) {
        if (cur === -1) this.forbiddenCodes.push(code);
        this.forbidden[code] = idx;
      }
    }
    this.epoch = (this.epoch + 1) >>> 0;
    if (this.epoch === 0) {
      this.epochArr.fill(0);
      this.epoch = 1;
    }
  }

  /**
   * Verdicts of every node at once, in one pass over the trie (a parent's id is always
   * smaller than its children's), for the attempt walk: verdictOf[node] as verdict().
   */
  all(): Int32Array {
    const n = this.trie.size;
    if (this.flat.length < n) this.flat = new Int32Array(Math.max(n, this.flat.length * 2));
    const out = this.flat;
    out[0] = this.trie.unreliable(0) ? -2 : -1;
    for (let node = 1; node < n; node++) {
      if (this.trie.unreliable(node)) {
        out[node] = -2;
        continue;
      }
      const up = out[this.trie.parent(node)];
      const c = this.trie.code(node);
      const mine = c < this.forbidden.length ? this.forbidden[c] : -1;
      out[node] = up === -1 ? mine : mine === -1 ? up : Math.min(up, mine);
    }
    return out;
  }

  private flat = new Int32Array(1024);

  /**
   * -2: unreliable stack; -1: clean; k >= 0: func index k is on the stack (the first, in
   * patch order, whose forbidden range appears anywhere on it).
   */
  verdict(node: number): number {
    if (node >= this.epochArr.length) this.grow(node + 1);
    if (this.epochArr[node] === this.epoch) return this.resultArr[node];
    let result: number;
    if (this.trie.unreliable(node)) result = -2;
    else if (node === EMPTY_STACK) result = -1;
    else {
      const up = this.verdict(this.trie.parent(node));
      const c = this.trie.code(node);
      const mine = c < this.forbidden.length ? this.forbidden[c] : -1;
      result = up === -1 ? mine : mine === -1 ? up : Math.min(up, mine);
    }
    this.epochArr[node] = this.epoch;
    this.resultArr[node] = result;
    return result;
  }

  private grow(min: number): void {
    const n = Math.max(min, this.epochArr.length * 2);
    const e = new Uint32Array(n); e.set(this.epochArr); this.epochArr = e;
    const r = new Int32Array(n); r.set(this.resultArr); this.resultArr = r;
  }
}
