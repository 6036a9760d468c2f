// GNU grep: PATTERN matched against each FILE, or against what is piped in.
// Options as GNU grep parses them (getopt_long with permutation: an option may follow the
// pattern or a file; `--` ends them; `-` is standard input): -q -F -w -c -v -n -h -H and
// -e PATTERN. Any other option is refused in grep's words, exit 2, rather than taken for the
// pattern.

import { strerror } from '../../kernel/errno';
import { compileGrepPattern } from '../bre';
import { lines } from './coreutils';
import { gnuOptions } from './getopt';
import { shellCommands } from './registry';

const USAGE = ['Usage: grep [OPTION]... PATTERNS [FILE]...', "Try 'grep --help' for more information."];

/** grep's pattern and files, or the lines grep prints for a bad command line. */
function parseGrepArgs(args: string[]): { flags: Set<string>; pattern?: string; files: string[] } | { error: string[] } {
  const o = gnuOptions('grep', args, 'qFwcvnhH', 'e');
  if ('error' in o) return { error: [o.error, ...USAGE] };
  if (o.values.length > 1) return { error: ['grep: only one -e PATTERN is modelled'] };
  const files = o.operands;
  const pattern = o.values.length ? o.values[0][1] : files.shift();
  return { flags: o.flags, pattern, files };
}

shellCommands.register({
  name: 'grep',
  usage: 'grep [-q] [-F] [-w] [-c] [-v] [-n] [-h | -H] [-e] PATTERN [FILE...]',
  args: { min: 1, max: Infinity },
  *run(sh, x, args, io) {
    const o = parseGrepArgs(args);
    if ('error' in o) return { out: [], err: o.error, status: 2 };
    if (o.pattern === undefined) return { out: [], err: USAGE, status: 2 };
    const has = (f: string) => o.flags.has(f);
    const compiled = compileGrepPattern(o.pattern, { fixed: has('F'), word: has('w') });
    if (!compiled.ok) return { out: [], err: [`grep: ${compiled.error}`], status: 2 };
    const invert = has('v');
    const match = (l: string) => compiled.matcher.test(l) !== invert;
    // -H names the file even for one; -h never; the default names it when there are several.
    const named = has('H') || (!has('h') && o.files.length > 1);
    const out: string[] = [];
    const err: string[] = [];
    let matched = 0;
    const search = (data: string[], name: string) => {
      const prefix = named ? `${name}:` : '';
      let hits = 0;
      for (let i = 0; i < data.length; i++) {
        if (!match(data[i])) continue;
        hits++;
        if (!has('c')) out.push(`${prefix}${has('n') ? `${i + 1}:` : ''}${data[i]}`);
      }
      matched += hits;
      if (has('c')) out.push(`${prefix}${hits}`);
    };
    const files = o.files.length ? o.files : ['-'];
    for (const p of files) {
      // -q exits at the first selected line: later files are never opened.
      if (has('q') && matched) break;
      if (p === '-') {
        search(io.stdin ?? [], '(standard input)');
        continue;
      }
      const r = sh.readFile(x, p);
      if (!r.ok) {
        err.push(`grep: ${p}: ${strerror(r.errno)}`);
        continue;
      }
      search(lines(r.data), p);
    }
    // An error makes the status 2 even when lines matched, except under -q with a match.
    const status = has('q') && matched ? 0 : err.length ? 2 : matched ? 0 : 1;
    return { out: has('q') ? [] : out, err, status };
  },
});
