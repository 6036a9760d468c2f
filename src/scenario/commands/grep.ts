// GNU grep: PATTERN matched against each FILE, or against what is piped in.

import { strerror } from '../../kernel/errno';
import { lines } from './coreutils';
import { shellCommands } from './registry';

/** POSIX basic regular expression (as grep uses by default) to a JS RegExp body. */
function basicRegex(p: string): string {
  let out = '';
  for (let i = 0; i < p.length; i++) {
    const c = p[i];
    if (c === '\\' && i + 1 < p.length) {
      const n = p[++i];
      out += '(){}|+?'.includes(n) ? n : '\\' + n;
    } else if ('(){}|+?'.includes(c)) out += '\\' + c;
    else out += c;
  }
  return out;
}

/** grep's matcher for one pattern and its options: a line predicate, or null if the pattern is invalid. */
function compileMatcher(pattern: string, o: { fixed: boolean; word: boolean }): ((line: string) => boolean) | null {
  try {
    const body = o.fixed ? pattern.replace(/[.*+?^${}()|[\]\\]/g, '\\$&') : basicRegex(pattern);
    const re = new RegExp(o.word ? `(?<![A-Za-z0-9_])(?:${body})(?![A-Za-z0-9_])` : body);
    return (l) => re.test(l);
  } catch {
    return null;
  }
}

shellCommands.register({
  name: 'grep',
  usage: 'grep [-q] [-F] [-w] [-c] PATTERN [FILE...]',
  args: { min: 1, max: Infinity },
  *run(sh, x, args, io) {
    let quiet = false;
    let fixed = false;
    let word = false;
    let count = false;
    const rest: string[] = [];
    for (const a of args) {
      if (/^-[qFwc]+$/.test(a)) {
        quiet ||= a.includes('q');
        fixed ||= a.includes('F');
        word ||= a.includes('w');
        count ||= a.includes('c');
      } else rest.push(a);
    }
    if (rest.length < 1) return { out: [], err: ['Usage: grep [OPTION]... PATTERNS [FILE]...'], status: 2 };
    const [pattern, ...paths] = rest;
    const match = compileMatcher(pattern, { fixed, word });
    if (!match) return { out: [], err: [`grep: Invalid regular expression`], status: 2 };
    const out: string[] = [];
    const err: string[] = [];
    let matched = 0;
    const search = (data: string[], prefix: string) => {
      const hits = data.filter(match);
      matched += hits.length;
      if (count) out.push(`${prefix}${hits.length}`);
      else for (const h of hits) out.push(prefix + h);
    };
    if (!paths.length) search(io.stdin ?? [], '');
    for (const p of paths) {
      const r = sh.readFile(x, p);
      if (!r.ok) {
        err.push(`grep: ${p}: ${strerror(r.errno)}`);
        continue;
      }
      search(lines(r.data), paths.length > 1 ? `${p}:` : '');
    }
    return { out: quiet ? [] : out, err, status: err.length && !matched ? 2 : matched ? 0 : 1 };
  },
});
