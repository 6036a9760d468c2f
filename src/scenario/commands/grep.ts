// GNU grep: PATTERN matched against each FILE, or against what is piped in.

import { strerror } from '../../kernel/errno';
import { compileGrepPattern } from '../bre';
import { lines } from './coreutils';
import { shellCommands } from './registry';

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
    const compiled = compileGrepPattern(pattern, { fixed, word });
    if (!compiled.ok) return { out: [], err: [`grep: ${compiled.error}`], status: 2 };
    const match = (l: string) => compiled.matcher.test(l);
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
