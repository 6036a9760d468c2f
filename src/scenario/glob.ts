// Pathname expansion as bash does it (glob(7)): `*`, `?` and `[...]` in a word match names
// in the directories of the simulated filesystem; the matches are sorted, a name starting
// with `.` needs the `.` written out, and a pattern that matches nothing stays as it is
// (bash without nullglob). The expansion has a budget: once its words exceed ARG_MAX, no
// external command could be run with them, so it stops there (`/proc/*/stack` at a million
// tasks answers at once instead of walking every task).

import type { Node } from '../kernel/vfs';

/** Linux's ARG_MAX for a default 8 MiB stack: execve() refuses bigger argument lists. */
export const ARG_MAX = 2_097_152;
/** Directory entries one expansion may look at. */
const MAX_ENTRIES = 4_000_000;

interface GlobFs {
  /** The node at a path relative to the shell's working directory. */
  lookup(path: string): Node | null;
}

type Expansion = { ok: true; words: string[] } | { ok: false; tooLong: true };

/** A glob segment (one path component) as an anchored RegExp; null if it has no glob character. */
export function segmentRegex(seg: string): RegExp | null {
  let re = '';
  let glob = false;
  for (let i = 0; i < seg.length; i++) {
    const c = seg[i];
    if (c === '\\' && i + 1 < seg.length) {
      re += escapeRe(seg[++i]);
    } else if (c === '*') {
      glob = true;
      re += '.*';
    } else if (c === '?') {
      glob = true;
      re += '.';
    } else if (c === '[') {
      const end = classEnd(seg, i);
      if (end < 0) {
        re += '\\[';
        continue;
      }
      glob = true;
      let body = seg.slice(i + 1, end);
      let neg = false;
      if (body[0] === '!' || body[0] === '^') {
        neg = true;
        body = body.slice(1);
      }
      let cls = '';
      for (let j = 0; j < body.length; j++) {
        const d = body[j] === '\\' && j + 1 < body.length ? body[++j] : body[j];
        cls += d === '-' && body[j - 1] !== '\\' ? '-' : /[\][^\\-]/.test(d) ? `\\${d}` : d;
      }
      re += `[${neg ? '^' : ''}${cls}]`;
      i = end;
    } else re += escapeRe(c);
  }
  return glob ? new RegExp(`^${re}$`, 's') : null;
}

/** Index of the `]` closing a bracket expression opened at `i`, or -1. */
function classEnd(seg: string, i: number): number {
  let j = i + 1;
  if (seg[j] === '!' || seg[j] === '^') j++;
  if (seg[j] === ']') j++;
  for (; j < seg.length; j++) if (seg[j] === ']') return j;
  return -1;
}

function escapeRe(c: string): string {
  return /[.*+?^${}()|[\]\\/]/.test(c) ? `\\${c}` : c;
}

function unescape(seg: string): string {
  return seg.replace(/\\(.)/g, '$1');
}

/** Count a word against ARG_MAX: false once the words no longer fit. */
function charge(budget: { bytes: number }, word: string): boolean {
  budget.bytes += word.length + 1;
  return budget.bytes <= ARG_MAX;
}

/** Expand one glob pattern; `literal` (the word with quotes removed) when nothing matches. */
export function expandGlob(fs: GlobFs, pattern: string, literal: string, budget = { bytes: 0 }): Expansion {
  const absolute = pattern.startsWith('/');
  const segs = pattern.split('/').filter((s, i) => s !== '' || i === 0);
  if (absolute) segs.shift();
  let bases = [absolute ? '/' : ''];
  let examined = 0;
  for (let s = 0; s < segs.length; s++) {
    const re = segmentRegex(segs[s]);
    const last = s === segs.length - 1;
    const next: string[] = [];
    for (const base of bases) {
      const join = (name: string) => (base === '' ? name : base.endsWith('/') ? base + name : `${base}/${name}`);
      if (!re) {
        const p = join(unescape(segs[s]));
        if (!fs.lookup(p)) continue;
        next.push(p);
        if (last && !charge(budget, p)) return { ok: false, tooLong: true };
        continue;
      }
      const dir = fs.lookup(base === '' ? '.' : base);
      if (!dir || dir.kind !== 'dir') continue;
      const names = dir.list().filter((n) => (!n.startsWith('.') || segs[s].startsWith('.')) && re.test(n)).sort();
      examined += names.length;
      if (examined > MAX_ENTRIES) return { ok: false, tooLong: true };
      // A name that is not a directory drops out at the next segment.
      for (const n of names) {
        const p = join(n);
        next.push(p);
        if (last && !charge(budget, p)) return { ok: false, tooLong: true };
      }
    }
    bases = next;
    if (!bases.length) break;
  }
  if (!bases.length) {
    charge(budget, literal);
    return { ok: true, words: [literal] };
  }
  return { ok: true, words: bases };
}
