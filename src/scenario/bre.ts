// grep's pattern matcher: POSIX basic regular expressions (BRE, grep's default) with the GNU
// extensions grep accepts (\+ \? \| \w \W \s \S \b \B \< \>), compiled to a Thompson NFA
// and run as a Pike VM: every line is read once, carrying the set of live NFA states, so a
// match costs O(line length × pattern size) whatever the pattern is. A backtracking engine
// (JavaScript's RegExp) takes exponential time on `\(.*.*\)*zq`; this one cannot.
// Back-references (\1..\9) need backtracking and are refused with a message.
//
// Semantics follow POSIX.2 "Basic Regular Expressions": `*` is literal at the start of the
// pattern, of a group or after `^`; `^` anchors only first (and after `\(` or `\|`), `$` only
// last (and before `\)` or `\|`); a bracket expression takes `]` first as a literal, ranges,
// `[:class:]`, and backslash as a literal character.

/** Longest program compiled (instructions); `x\{1000\}\{1000\}` is refused, not expanded. */
const MAX_PROGRAM = 20_000;
/** RE_DUP_MAX as glibc defines it: the largest count in \{m,n\}. */
const RE_DUP_MAX = 32767;
/** Deepest nesting of \( \) accepted (the parser recurses once per level). */
const MAX_GROUP_DEPTH = 256;

interface LineMatcher {
  /** Whether some substring of `line` matches (grep's selection of a line). */
  test(line: string): boolean;
}

type CompiledPattern = { ok: true; matcher: LineMatcher } | { ok: false; error: string };

// ------------------------------------------------------------------ syntax tree

type CharTest = (c: number) => boolean;
type Assertion = 'bol' | 'eol' | 'wordBoundary' | 'notWordBoundary' | 'wordStart' | 'wordEnd' | 'notAfterWord' | 'notBeforeWord';

type Node =
  | { t: 'char'; test: CharTest }
  | { t: 'cat'; items: Node[] }
  | { t: 'alt'; alts: Node[] }
  | { t: 'rep'; node: Node; min: number; max: number }
  | { t: 'assert'; kind: Assertion };

class BreError extends Error {}

const isWordChar = (c: number): boolean => (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95;
const isSpace = (c: number): boolean => c === 32 || (c >= 9 && c <= 13);

const CLASSES = new Map<string, CharTest>([
  ['alpha', (c) => (c >= 65 && c <= 90) || (c >= 97 && c <= 122)],
  ['digit', (c) => c >= 48 && c <= 57],
  ['alnum', (c) => (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122)],
  ['upper', (c) => c >= 65 && c <= 90],
  ['lower', (c) => c >= 97 && c <= 122],
  ['space', isSpace],
  ['blank', (c) => c === 32 || c === 9],
  ['punct', (c) => (c >= 33 && c <= 47) || (c >= 58 && c <= 64) || (c >= 91 && c <= 96) || (c >= 123 && c <= 126)],
  ['print', (c) => c >= 32 && c <= 126],
  ['graph', (c) => c >= 33 && c <= 126],
  ['cntrl', (c) => c < 32 || c === 127],
  ['xdigit', (c) => (c >= 48 && c <= 57) || (c >= 65 && c <= 70) || (c >= 97 && c <= 102)],
]);

const literal = (code: number): Node => ({ t: 'char', test: (c) => c === code });

/** Recursive-descent parser of a BRE; depth is bounded by the group nesting, itself bounded by the pattern length cap of the caller. */
class Parser {
  private i = 0;
  private groups = 0;
  constructor(private readonly p: string) {}

  parse(): Node {
    const n = this.alternation();
    if (this.i < this.p.length) throw new BreError('Unmatched ) or \\)');
    return n;
  }

  private peekEscape(s: string): boolean {
    return this.p[this.i] === '\\' && this.p[this.i + 1] === s;
  }

  private alternation(): Node {
    const alts = [this.sequence()];
    while (this.peekEscape('|')) {
      this.i += 2;
      alts.push(this.sequence());
    }
    return alts.length === 1 ? alts[0] : { t: 'alt', alts };
  }

  /** Where a branch ends: the pattern's end, `\|`, or `\)` inside a group. */
  private atBranchEnd(): boolean {
    return this.i >= this.p.length || this.peekEscape('|') || (this.groups > 0 && this.peekEscape(')'));
  }

  private sequence(): Node {
    const items: Node[] = [];
    const p = this.p;
    // `^` first in a branch is an anchor; `*` first (or right after that `^`) is a literal.
    if (p[this.i] === '^') {
      this.i++;
      items.push({ t: 'assert', kind: 'bol' });
    }
    let first = true;
    while (!this.atBranchEnd()) {
      const c = p[this.i];
      let atom: Node;
      if (c === '$') {
        this.i++;
        if (this.atBranchEnd()) {
          items.push({ t: 'assert', kind: 'eol' });
          break;
        }
        atom = literal(36);
      } else if (c === '*' && first) {
        this.i++;
        atom = literal(42);
      } else atom = this.atom();
      first = false;
      if (atom.t === 'assert') {
        items.push(atom);
        continue;
      }
      items.push(this.repeats(atom));
    }
    return items.length === 1 ? items[0] : { t: 'cat', items };
  }

  /** `*`, `\+`, `\?` and `\{m,n\}` after an atom, any number of them. */
  private repeats(atom: Node): Node {
    const p = this.p;
    for (;;) {
      if (p[this.i] === '*') {
        this.i++;
        atom = { t: 'rep', node: atom, min: 0, max: Infinity };
      } else if (this.peekEscape('+')) {
        this.i += 2;
        atom = { t: 'rep', node: atom, min: 1, max: Infinity };
      } else if (this.peekEscape('?')) {
        this.i += 2;
        atom = { t: 'rep', node: atom, min: 0, max: 1 };
      } else if (this.peekEscape('{')) {
        this.i += 2;
        const close = p.indexOf('\\}', this.i);
        if (close < 0) throw new BreError('Unmatched \\{');
        const m = /^(\d*)(,(\d*))?$/.exec(p.slice(this.i, close));
        if (!m || m[1] === '') throw new BreError('Invalid content of \\{\\}');
        const min = Number(m[1]);
        const max = m[2] === undefined ? min : m[3] === '' ? Infinity : Number(m[3]);
        if (min > RE_DUP_MAX || (max !== Infinity && max > RE_DUP_MAX)) throw new BreError('Regular expression too big');
        if (max < min) throw new BreError('Invalid content of \\{\\}');
        this.i = close + 2;
        atom = { t: 'rep', node: atom, min, max };
      } else return atom;
    }
  }

  private atom(): Node {
    const p = this.p;
    const c = p[this.i];
    if (c === '.') {
      this.i++;
      return { t: 'char', test: () => true };
    }
    if (c === '[') return this.bracket();
    if (c !== '\\') {
      this.i++;
      return literal(c.charCodeAt(0));
    }
    if (this.i + 1 >= p.length) throw new BreError('Trailing backslash');
    const n = p[this.i + 1];
    this.i += 2;
    switch (n) {
      case '(': {
        if (++this.groups > MAX_GROUP_DEPTH) throw new BreError('Regular expression too big');
        const inner = this.i < p.length && !this.peekEscape(')') ? this.alternation() : ({ t: 'cat', items: [] } as Node);
        if (!this.peekEscape(')')) throw new BreError('Unmatched ( or \\(');
        this.i += 2;
        this.groups--;
        return inner;
      }
      case ')':
        throw new BreError('Unmatched ) or \\)');
      case '{':
        throw new BreError('Invalid preceding regular expression');
      case 'w':
        return { t: 'char', test: isWordChar };
      case 'W':
        return { t: 'char', test: (x) => !isWordChar(x) };
      case 's':
        return { t: 'char', test: isSpace };
      case 'S':
        return { t: 'char', test: (x) => !isSpace(x) };
      case 'b':
        return { t: 'assert', kind: 'wordBoundary' };
      case 'B':
        return { t: 'assert', kind: 'notWordBoundary' };
      case '<':
        return { t: 'assert', kind: 'wordStart' };
      case '>':
        return { t: 'assert', kind: 'wordEnd' };
      default:
        if (n >= '1' && n <= '9') throw new BreError(`back-references such as \\${n} are not supported (they cannot be matched in linear time)`);
        return literal(n.charCodeAt(0));
    }
  }

  /** `[...]`: the list, its ranges and classes; `]` first is literal; backslash is literal. */
  private bracket(): Node {
    const p = this.p;
    let i = this.i + 1;
    const negate = p[i] === '^';
    if (negate) i++;
    const tests: CharTest[] = [];
    let first = true;
    for (;;) {
      if (i >= p.length) throw new BreError('Unmatched [, [^, [:, [., or [=');
      let c = p[i];
      if (c === ']' && !first) break;
      first = false;
      if (c === '[' && (p[i + 1] === ':' || p[i + 1] === '.' || p[i + 1] === '=')) {
        const kind = p[i + 1];
        const end = p.indexOf(`${kind}]`, i + 2);
        if (end < 0) throw new BreError('Unmatched [, [^, [:, [., or [=');
        const name = p.slice(i + 2, end);
        i = end + 2;
        if (kind === ':') {
          const cls = CLASSES.get(name);
          if (!cls) throw new BreError('Invalid character class name');
          tests.push(cls);
          continue;
        }
        // [.x.] and [=x=]: one collating element; this locale (C) has only single characters.
        if (name.length !== 1) throw new BreError('Invalid collation character');
        c = name;
        i--;
      }
      const lo = c.charCodeAt(0);
      i++;
      if (p[i] === '-' && p[i + 1] !== undefined && p[i + 1] !== ']') {
        const hi = p.charCodeAt(i + 1);
        if (hi < lo) throw new BreError('Invalid range end');
        tests.push((x) => x >= lo && x <= hi);
        i += 2;
      } else tests.push((x) => x === lo);
    }
    this.i = i + 1;
    const inSet = (x: number) => tests.some((t) => t(x));
    return { t: 'char', test: negate ? (x) => !inSet(x) : inSet };
  }
}

// ------------------------------------------------------------------ program

type Inst =
  | { op: 'char'; test: CharTest }
  | { op: 'split'; x: number; y: number }
  | { op: 'jmp'; x: number }
  | { op: 'assert'; kind: Assertion }
  | { op: 'match' };

class Compiler {
  readonly prog: Inst[] = [];

  private emit(i: Inst): number {
    if (this.prog.length >= MAX_PROGRAM) throw new BreError('Regular expression too big');
    this.prog.push(i);
    return this.prog.length - 1;
  }

  node(n: Node): void {
    switch (n.t) {
      case 'char':
        this.emit({ op: 'char', test: n.test });
        return;
      case 'assert':
        this.emit({ op: 'assert', kind: n.kind });
        return;
      case 'cat':
        for (const x of n.items) this.node(x);
        return;
      case 'alt': {
        const jumps: number[] = [];
        n.alts.forEach((a, k) => {
          if (k === n.alts.length - 1) {
            this.node(a);
            return;
          }
          const split = this.emit({ op: 'split', x: 0, y: 0 });
          (this.prog[split] as { x: number }).x = this.prog.length;
          this.node(a);
          jumps.push(this.emit({ op: 'jmp', x: 0 }));
          (this.prog[split] as { y: number }).y = this.prog.length;
        });
        for (const j of jumps) (this.prog[j] as { x: number }).x = this.prog.length;
        return;
      }
      case 'rep': {
        for (let k = 0; k < n.min; k++) this.node(n.node);
        if (n.max === Infinity) {
          const split = this.emit({ op: 'split', x: 0, y: 0 });
          (this.prog[split] as { x: number }).x = this.prog.length;
          this.node(n.node);
          this.emit({ op: 'jmp', x: split });
          (this.prog[split] as { y: number }).y = this.prog.length;
          return;
        }
        // Optional copies nest: e\{0,2\} is (e(e)?)?, so every exit jumps to the end.
        const exits: number[] = [];
        for (let k = n.min; k < n.max; k++) {
          const split = this.emit({ op: 'split', x: 0, y: 0 });
          (this.prog[split] as { x: number }).x = this.prog.length;
          exits.push(split);
          this.node(n.node);
        }
        for (const s of exits) (this.prog[s] as { y: number }).y = this.prog.length;
        return;
      }
    }
  }
}

function holds(kind: Assertion, line: string, i: number): boolean {
  const before = i > 0 && isWordChar(line.charCodeAt(i - 1));
  const after = i < line.length && isWordChar(line.charCodeAt(i));
  switch (kind) {
    case 'bol':
      return i === 0;
    case 'eol':
      return i === line.length;
    case 'wordBoundary':
      return before !== after;
    case 'notWordBoundary':
      return before === after;
    case 'wordStart':
      return !before && after;
    case 'wordEnd':
      return before && !after;
    case 'notAfterWord':
      return !before;
    case 'notBeforeWord':
      return !after;
  }
}

/** The Pike VM over one program: no captures, only "is there a match", which grep needs. */
class PikeVm implements LineMatcher {
  private readonly mark: Int32Array;
  private readonly stack: Int32Array;
  private generation = 0;

  constructor(private readonly prog: readonly Inst[]) {
    this.mark = new Int32Array(prog.length);
    this.stack = new Int32Array(prog.length * 2 + 2);
  }

  /**
   * Add `pc` and everything reachable from it without reading a character to `list`;
   * returns true when the match instruction is reachable.
   */
  private add(list: number[], pc: number, line: string, i: number): boolean {
    const { prog, mark, stack } = this;
    let sp = 0;
    stack[sp++] = pc;
    let matched = false;
    while (sp > 0) {
      const at = stack[--sp];
      if (mark[at] === this.generation) continue;
      mark[at] = this.generation;
      const ins = prog[at];
      switch (ins.op) {
        case 'char':
          list.push(at);
          break;
        case 'match':
          matched = true;
          break;
        case 'jmp':
          stack[sp++] = ins.x;
          break;
        case 'split':
          stack[sp++] = ins.y;
          stack[sp++] = ins.x;
          break;
        case 'assert':
          if (holds(ins.kind, line, i)) stack[sp++] = at + 1;
          break;
      }
    }
    return matched;
  }

  test(line: string): boolean {
    if (this.generation > 1 << 30) {
      this.mark.fill(0);
      this.generation = 0;
    }
    this.generation++;
    let cur: number[] = [];
    for (let i = 0; ; i++) {
      // A thread starts at every position (the search is unanchored), beside the live ones.
      if (this.add(cur, 0, line, i)) return true;
      if (i >= line.length) return false;
      const c = line.charCodeAt(i);
      this.generation++;
      const next: number[] = [];
      for (const pc of cur) {
        const ins = this.prog[pc] as { op: 'char'; test: CharTest };
        if (ins.test(c) && this.add(next, pc + 1, line, i + 1)) return true;
      }
      cur = next;
    }
  }
}

/** Characters grep -F takes literally, in the form the BRE parser reads as literals. */
function literalNodes(s: string): Node {
  const items: Node[] = [];
  for (let i = 0; i < s.length; i++) items.push(literal(s.charCodeAt(i)));
  return { t: 'cat', items };
}

/**
 * Compile grep's PATTERN: a BRE, or a fixed string with `fixed` (-F); with `word` (-w) a match
 * must be neither preceded nor followed by a word character. Errors read as grep's own.
 */
export function compileGrepPattern(pattern: string, opts: { fixed?: boolean; word?: boolean } = {}): CompiledPattern {
  try {
    let tree = opts.fixed ? literalNodes(pattern) : new Parser(pattern).parse();
    if (opts.word) tree = { t: 'cat', items: [{ t: 'assert', kind: 'notAfterWord' }, tree, { t: 'assert', kind: 'notBeforeWord' }] };
    const c = new Compiler();
    c.node(tree);
    c.prog.push({ op: 'match' });
    return { ok: true, matcher: new PikeVm(c.prog) };
  } catch (e) {
    if (e instanceof BreError) return { ok: false, error: e.message };
    throw e;
  }
}
