// Word splitting as a POSIX shell does it for the script language: single quotes are
// literal, double quotes allow \" \\ \$ \` escapes, a backslash outside quotes escapes the
// next character, `#` at the start of a word begins a comment. Operators are recognised only
// unquoted: `|` separates the commands of a pipeline, `>` / `>>` redirect the output of the
// last one. A word with an unquoted `*`, `?` or `[` is also kept as a glob pattern (its quoted
// characters escaped with a backslash) for pathname expansion when the line runs.
//
// To add an operator (say `&` for background jobs), give it a case in `operator()` below and
// a field in Pipeline: the rest of the splitter does not change.

export interface Redirect {
  path: string;
  append: boolean;
}

export interface SimpleCommand {
  words: string[];
  /** Per word: its glob pattern if it has unquoted glob characters, else null. */
  patterns: (string | null)[];
  /** Target of `>` / `>>`, if any (only on the last command of a pipeline). */
  redirect?: Redirect;
}

export interface Pipeline {
  /** The commands joined by `|`; empty for a blank or comment line. */
  commands: SimpleCommand[];
}

export class ParseError extends Error {}

const GLOB_CHARS = '*?[';

/** bash's message for an operator where a word was expected. */
function unexpected(token: string): ParseError {
  return new ParseError(`syntax error near unexpected token \`${token}'`);
}

export function splitLine(line: string): Pipeline {
  const commands: SimpleCommand[] = [];
  let cmd: SimpleCommand = { words: [], patterns: [] };
  let cur = '';
  let pat = '';
  let glob = false;
  let inWord = false;
  let pendingRedirect: { append: boolean } | null = null;

  const endWord = () => {
    if (!inWord) return;
    if (pendingRedirect) {
      if (cmd.redirect) throw new ParseError('only one output redirection is supported');
      cmd.redirect = { path: cur, append: pendingRedirect.append };
      pendingRedirect = null;
    } else {
      cmd.words.push(cur);
      cmd.patterns.push(glob ? pat : null);
    }
    cur = '';
    pat = '';
    glob = false;
    inWord = false;
  };
  /** A literal (quoted or escaped) character: in the pattern it matches only itself. */
  const literal = (s: string) => {
    cur += s;
    for (const c of s) pat += GLOB_CHARS.includes(c) || c === '\\' ? `\\${c}` : c;
  };
  const endCommand = (token: string) => {
    endWord();
    if (pendingRedirect) throw unexpected(token);
    if (cmd.words.length === 0) throw unexpected(token);
    commands.push(cmd);
    cmd = { words: [], patterns: [] };
  };
  /** An unquoted operator at line[i]: returns how many characters it took. */
  const operator = (i: number): number => {
    const c = line[i];
    switch (c) {
      case '>': {
        endWord();
        if (pendingRedirect) throw unexpected(line[i + 1] === '>' ? '>>' : '>');
        const append = line[i + 1] === '>';
        pendingRedirect = { append };
        return append ? 2 : 1;
      }
      case '|':
        if (line[i + 1] === '|') throw new ParseError("'||' is not supported in the script language (one pipeline per line)");
        if (cmd.redirect) throw new ParseError('a redirection is only supported on the last command of a pipeline');
        endCommand('|');
        return 1;
      case ';':
      case '&':
      case '<':
      case '`':
      case '(':
      case ')':
        throw new ParseError(`'${c}' is not supported in the script language (one command or pipeline per line, no subshells)`);
    }
    return 0;
  };

  let i = 0;
  while (i < line.length) {
    const c = line[i];
    if (c === ' ' || c === '\t') {
      endWord();
      i++;
      continue;
    }
    if (c === '#' && !inWord) break;
    const took = operator(i);
    if (took) {
      i += took;
      continue;
    }
    inWord = true;
    if (c === "'") {
      const j = line.indexOf("'", i + 1);
      if (j < 0) throw new ParseError('unterminated single quote');
      literal(line.slice(i + 1, j));
      i = j + 1;
      continue;
    }
    if (c === '"') {
      i++;
      let closed = false;
      while (i < line.length) {
        const d = line[i];
        if (d === '"') {
          closed = true;
          i++;
          break;
        }
        if (d === '\\' && i + 1 < line.length && '"\\$`\n'.includes(line[i + 1])) {
          literal(line[i + 1]);
          i += 2;
          continue;
        }
        literal(d);
        i++;
      }
      if (!closed) throw new ParseError('unterminated double quote');
      continue;
    }
    if (c === '\\') {
      if (i + 1 < line.length) literal(line[i + 1]);
      i += 2;
      continue;
    }
    if (GLOB_CHARS.includes(c)) glob = true;
    cur += c;
    pat += c;
    i++;
  }
  endWord();
  if (pendingRedirect) throw new ParseError('missing file name after >');
  if (cmd.words.length || cmd.redirect) commands.push(cmd);
  else if (commands.length) throw unexpected('|');
  return { commands };
}
