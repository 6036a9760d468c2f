// A line diff for Compare mode and `sim --compare`: Myers' O((N+M)D) greedy algorithm ("An
// O(ND) Difference Algorithm and Its Variations", 1986), written for this project. The common
// head and tail are trimmed first (two runs of one scenario share their boot); the edit
// script is searched with a budget of `maxEdits` edits: past it, the remaining middle is
// reported as a block removed from A and added in B, and the result says it was cut short.

type DiffOp = { op: '=' | '-' | '+'; text: string; a: number | null; b: number | null };

export interface LineDiff {
  ops: DiffOp[];
  onlyA: number;
  onlyB: number;
  /** True when the budget ran out and the middle was reported as one block. */
  truncated: boolean;
}

/** The default budget: enough for runs that differ in a few thousand lines. */
const MAX_EDITS = 4000;

export function diffLines(a: readonly string[], b: readonly string[], maxEdits = MAX_EDITS): LineDiff {
  let head = 0;
  while (head < a.length && head < b.length && a[head] === b[head]) head++;
  let tail = 0;
  while (tail < a.length - head && tail < b.length - head && a[a.length - 1 - tail] === b[b.length - 1 - tail]) tail++;
  const ops: DiffOp[] = [];
  for (let i = 0; i < head; i++) ops.push({ op: '=', text: a[i], a: i, b: i });
  const mid = middle(a, b, head, a.length - tail, head, b.length - tail, maxEdits);
  ops.push(...mid.ops);
  for (let k = tail; k > 0; k--) ops.push({ op: '=', text: a[a.length - k], a: a.length - k, b: b.length - k });
  let onlyA = 0;
  let onlyB = 0;
  for (const o of ops) {
    if (o.op === '-') onlyA++;
    else if (o.op === '+') onlyB++;
  }
  return { ops, onlyA, onlyB, truncated: mid.truncated };
}

/** Myers on a[a0, a1) against b[b0, b1), backtracking through the saved frontiers. */
function middle(a: readonly string[], b: readonly string[], a0: number, a1: number, b0: number, b1: number, maxEdits: number): { ops: DiffOp[]; truncated: boolean } {
  const n = a1 - a0;
  const m = b1 - b0;
  const max = Math.min(n + m, maxEdits);
  const off = max + 1;
  const v = new Int32Array(2 * max + 3);
  const trace: Int32Array[] = [];
  let found = -1;
  for (let d = 0; d <= max && found < 0; d++) {
    trace.push(v.slice(off - d - 1, off + d + 2));
    for (let k = -d; k <= d; k += 2) {
      let x = k === -d || (k !== d && v[off + k - 1] < v[off + k + 1]) ? v[off + k + 1] : v[off + k - 1] + 1;
      let y = x - k;
      while (x < n && y < m && a[a0 + x] === b[b0 + y]) {
        x++;
        y++;
      }
      v[off + k] = x;
      if (x >= n && y >= m) {
        found = d;
        break;
      }
    }
  }
  if (found < 0) {
    const ops: DiffOp[] = [];
    for (let i = a0; i < a1; i++) ops.push({ op: '-', text: a[i], a: i, b: null });
    for (let j = b0; j < b1; j++) ops.push({ op: '+', text: b[j], a: null, b: j });
    return { ops, truncated: n + m > 0 };
  }
  // Backtrack: trace[d] holds the frontier before step d, for diagonals -d-1 .. d+1.
  const rev: DiffOp[] = [];
  let x = n;
  let y = m;
  for (let d = found; d > 0; d--) {
    const fr = trace[d];
    const at = (k: number) => fr[k + d + 1];
    const k = x - y;
    const down = k === -d || (k !== d && at(k - 1) < at(k + 1));
    const pk = down ? k + 1 : k - 1;
    const px = at(pk);
    const py = px - pk;
    while (x > px + (down ? 0 : 1) && y > py + (down ? 1 : 0)) {
      x--;
      y--;
      rev.push({ op: '=', text: a[a0 + x], a: a0 + x, b: b0 + y });
    }
    if (down) {
      y--;
      rev.push({ op: '+', text: b[b0 + y], a: null, b: b0 + y });
    } else {
      x--;
      rev.push({ op: '-', text: a[a0 + x], a: a0 + x, b: null });
    }
  }
  while (x > 0 && y > 0) {
    x--;
    y--;
    rev.push({ op: '=', text: a[a0 + x], a: a0 + x, b: b0 + y });
  }
  return { ops: rev.reverse(), truncated: false };
}
