// grep's linear-time matcher (src/scenario/bre.ts): POSIX BRE semantics, grep's flags through
// the shell, the classic catastrophic-backtracking patterns (issue 11 §1), and a differential
// test against JavaScript's RegExp on patterns both read the same way.

import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { compileGrepPattern } from '../../../src/scenario/bre';
import { Simulation } from '../../../src/engine/simulation';
import { runScript } from '../../support/helpers';

function matches(pattern: string, line: string, opts: { fixed?: boolean; word?: boolean } = {}): boolean {
  const c = compileGrepPattern(pattern, opts);
  if (!c.ok) throw new Error(c.error);
  return c.matcher.test(line);
}

function errorOf(pattern: string): string {
  const c = compileGrepPattern(pattern);
  return c.ok ? '(compiled)' : c.error;
}

describe('BRE syntax as grep reads it', () => {
  it('literals, ., *, anchors', () => {
    expect(matches('live', 'this has been live patched')).toBe(true);
    expect(matches('^0$', '0')).toBe(true);
    expect(matches('^0$', '10')).toBe(false);
    expect(matches('a.c', 'xabcx')).toBe(true);
    expect(matches('ab*c', 'ac')).toBe(true);
    expect(matches('ab*c', 'abbbc')).toBe(true);
    expect(matches('ab*c', 'adc')).toBe(false);
  });

  it('* first, ^ inside and $ inside are literals; + ? | ( ) { } are literals unless escaped', () => {
    expect(matches('*a', 'x*a')).toBe(true);
    expect(matches('^*a', '*a')).toBe(true);
    expect(matches('a^b', 'a^b')).toBe(true);
    expect(matches('a$b', 'a$b')).toBe(true);
    expect(matches('a+', 'a+')).toBe(true);
    expect(matches('a+', 'aa')).toBe(false);
    expect(matches('(a|b)', '(a|b)')).toBe(true);
    expect(matches('a{2}', 'a{2}')).toBe(true);
  });

  it('GNU extensions: \\+ \\? \\| groups and intervals', () => {
    expect(matches('ab\\+c', 'abbc')).toBe(true);
    expect(matches('ab\\+c', 'ac')).toBe(false);
    expect(matches('ab\\?c', 'ac')).toBe(true);
    expect(matches('^\\(foo\\|bar\\)$', 'bar')).toBe(true);
    expect(matches('^\\(foo\\|bar\\)$', 'foobar')).toBe(false);
    expect(matches('^a\\{2,3\\}$', 'aaa')).toBe(true);
    expect(matches('^a\\{2,3\\}$', 'aaaa')).toBe(false);
    expect(matches('^a\\{2,\\}$', 'aaaaaa')).toBe(true);
    expect(matches('^a\\{2\\}$', 'a')).toBe(false);
    expect(matches('^\\(ab\\)*$', 'ababab')).toBe(true);
    expect(matches('^\\(ab\\)*$', 'ababa')).toBe(false);
  });

  it('bracket expressions: ranges, negation, ] first, classes, backslash literal', () => {
    expect(matches('^[0-9][0-9]*$', '1234')).toBe(true);
    expect(matches('[^a-z]', 'abc')).toBe(false);
    expect(matches('[]x]', ']')).toBe(true);
    expect(matches('[[:digit:]]', 'x7')).toBe(true);
    expect(matches('[[:upper:]]', 'abc')).toBe(false);
    expect(matches('[\\]', 'a\\b')).toBe(true);
    expect(matches('x[[.-.]]y', 'x-y')).toBe(true);
    expect(matches('x[.-.]y', 'x.y')).toBe(true);
  });

  it('word assertions \\< \\> \\b \\B and \\w \\s classes', () => {
    expect(matches('\\<patch', 'livepatch')).toBe(false);
    expect(matches('\\<patch', 'live patch')).toBe(true);
    expect(matches('live\\>', 'livepatch')).toBe(false);
    expect(matches('\\bkl\\B', 'klp')).toBe(true);
    expect(matches('^\\w\\w*\\s', 'abc def')).toBe(true);
  });

  it('errors read as grep writes them', () => {
    expect(errorOf('\\(a')).toBe('Unmatched ( or \\(');
    expect(errorOf('a\\)')).toBe('Unmatched ) or \\)');
    expect(errorOf('[abc')).toBe('Unmatched [, [^, [:, [., or [=');
    expect(errorOf('a\\')).toBe('Trailing backslash');
    expect(errorOf('a\\{x\\}')).toBe('Invalid content of \\{\\}');
    expect(errorOf('a\\{3,1\\}')).toBe('Invalid content of \\{\\}');
    expect(errorOf('[[:nope:]]')).toBe('Invalid character class name');
    expect(errorOf('[z-a]')).toBe('Invalid range end');
    expect(errorOf('\\(a\\)\\1')).toMatch(/^back-references such as \\1 are not supported/);
    expect(errorOf('a\\{40000\\}')).toBe('Regular expression too big');
    expect(errorOf('\\(\\(a\\{1000\\}\\)\\{1000\\}\\)')).toBe('Regular expression too big');
    expect(errorOf('\\('.repeat(300) + 'a' + '\\)'.repeat(300))).toBe('Regular expression too big');
  });
});

describe('the classic catastrophic-backtracking patterns finish (issue 11 §1)', () => {
  const long = 'a'.repeat(5000);
  it.each([
    ['\\(.*.*\\)*zq', `${long}`],
    ['\\(a*\\)*b', long],
    ['\\(a\\|a\\)*b', long],
    ['\\(a\\|aa\\)*c', long],
    ['\\(a*\\)*\\(a*\\)*\\(a*\\)*$x', long],
    ['^\\(\\([a-z]\\)*\\)*$', `${long}!`],
    ['\\(.*a\\)\\{1,20\\}b', long],
    ['\\(x\\+x\\+\\)\\+y', 'x'.repeat(5000)],
  ])('%s on a 5000-character line does not match', (pattern, line) => {
    expect(matches(pattern, line)).toBe(false);
  });

  it('the same patterns still match when they should', () => {
    expect(matches('\\(.*.*\\)*zq', `${long}zq`)).toBe(true);
    expect(matches('\\(a\\|aa\\)*c', `${long}c`)).toBe(true);
  });
});

describe('grep in the shell uses it: the flags -q -F -w -c and the issue\'s inputs', () => {
  it('grep \'\\(.*.*\\)*zq\' FILE, wait_count and assert_count with it, run to the end', () => {
    const sim = new Simulation();
    const r = runScript(sim, [
      'load_lp test_klp_livepatch',
      "grep '\\(.*.*\\)*zq' /proc/cmdline",
      "assert_count \"grep '\\(.*.*\\)*zq' /proc/cmdline\" 0",
      "wait_count \"grep '\\(.*.*\\)*zq' /proc/cmdline\" 0",
    ]);
    expect(r.died).toBeUndefined();
    expect(r.outcomes[1].result).toEqual({ out: [], err: [], status: 1 });
    expect(r.outcomes.length).toBe(4);
  });

  it('-q prints nothing and sets the status; -c counts; -F takes the pattern literally; -w needs word edges', () => {
    const sim = new Simulation();
    const r = runScript(sim, [
      'load_lp test_klp_livepatch',
      'grep -q live /proc/cmdline',
      'grep -q nothing /proc/cmdline',
      'grep -c l.ve /proc/cmdline',
      'grep -Fc l.ve /proc/cmdline',
      'grep -w live /proc/cmdline',
      'grep -w liv /proc/cmdline',
      'grep -Fwq been /proc/cmdline',
      "grep 'a\\(' /proc/cmdline",
    ]);
    const res = r.outcomes.map((o) => o.result);
    expect(res[1]).toEqual({ out: [], err: [], status: 0 });
    expect(res[2]).toEqual({ out: [], err: [], status: 1 });
    expect(res[3].out).toEqual(['1']);
    expect(res[4]).toEqual({ out: ['0'], err: [], status: 1 });
    expect(res[5].out).toEqual(['test_klp_livepatch: this has been live patched']);
    expect(res[6].status).toBe(1);
    expect(res[7]).toEqual({ out: [], err: [], status: 0 });
    expect(res[8]).toEqual({ out: [], err: ['grep: Unmatched ( or \\('], status: 2 });
  });
});

// Patterns both engines read alike: built from one grammar, written as BRE and as a JS RegExp.
type Pair = { bre: string; js: string };
const atom: fc.Arbitrary<Pair> = fc.constantFrom<Pair>(
  { bre: 'a', js: 'a' },
  { bre: 'b', js: 'b' },
  { bre: '.', js: '.' },
  { bre: '[ab]', js: '[ab]' },
  { bre: '[^a]', js: '[^a]' },
);
const expr: fc.Arbitrary<Pair> = fc.letrec<{ e: Pair; piece: Pair }>((tie) => ({
  piece: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    atom,
    fc.tuple(tie('piece'), fc.constantFrom(['*', '*'], ['\\+', '+'], ['\\?', '?'], ['\\{1,2\\}', '{1,2}'])).map(([p, [b, j]]) => ({ bre: `\\(${p.bre}\\)${b}`, js: `(?:${p.js})${j}` })),
    fc.tuple(tie('e'), tie('e')).map(([x, y]) => ({ bre: `\\(${x.bre}\\|${y.bre}\\)`, js: `(?:${x.js}|${y.js})` })),
  ),
  e: fc.array(tie('piece'), { minLength: 1, maxLength: 4 }).map((ps) => ({ bre: ps.map((p) => p.bre).join(''), js: ps.map((p) => p.js).join('') })),
})).e;

describe('differential: the Pike VM agrees with RegExp where both apply', () => {
  it('same verdict on generated patterns and lines (with ^ and $ anchors, and -w)', () => {
    fc.assert(
      fc.property(expr, fc.boolean(), fc.boolean(), fc.boolean(), fc.stringMatching(/^[ab ]{0,12}$/), (e, bol, eol, word, line) => {
        const bre = `${bol ? '^' : ''}${e.bre}${eol ? '$' : ''}`;
        let js = `${bol ? '^' : ''}(?:${e.js})${eol ? '$' : ''}`;
        if (word) js = `(?<![A-Za-z0-9_])(?:${js})(?![A-Za-z0-9_])`;
        expect(matches(bre, line, { word })).toBe(new RegExp(js).test(line));
      }),
      { seed: 11, numRuns: 600 },
    );
  });
});
