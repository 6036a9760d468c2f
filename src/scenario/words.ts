// Word splitting as a POSIX shell does it for the script language: single quotes are
// literal, double quotes allow \" \\ \$ \` escapes, a backslash outside quotes escapes the
// next character, `#` at the start of a word begins a comment. Operators are recognised only
// unquoted: `|` separates the commands of a pipeline, `>` / `>>` redirect the output of the
// last one. A word with an unquoted `*`, `?` or `[` is also kept as a glob pattern (its quoted
// characters escaped with a backslash) for pathname expansion when the line runs.
//
// A `&` at the end of the line runs it in the background (Pipeline.background). Parameter
// expansion (`$NAME`, `${NAME}`, `$!`, `$?`, `$$`) and command substitution (`$(CMD)`) are
// recognised unquoted and inside double quotes; the word keeps them as parts (`expansions`)
// that the shell fills in when the line runs.

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
  /** Per word: its literal parts and expansions if it has any `$`, else null (absent: none). */
  expansions?: (WordPart[] | null)[];
}

/** A piece of a word: literal text, a parameter (`$NAME`, `$!`) or a command substitution. */
export type WordPart = string | { param: string } | { command: string; quoted: boolean };

interface Pipeline {
  /** The commands joined by `|`; empty for a blank or comment line. */
  commands: SimpleCommand[];
  /** The line ended in `&`: the shell does not wait for it (a background job). */
  background?: boolean;
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
  let background = false;
  /** The current word's parts when it has an expansion (its literal tail is `lit`). */
  let parts: WordPart[] | null = null;
  let lit = '';

  const endWord = () => {
    if (!inWord) return;
    if (pendingRedirect) {
      if (cmd.redirect) throw new ParseError('only one output redirection is supported');
      if (parts) throw new ParseError('an expansion in a redirection target is not supported');
      cmd.redirect = { path: cur, append: pendingRedirect.append };
      pendingRedirect = null;
    } else {
      cmd.words.push(cur);
      // An expanded word is not a glob pattern here (pathname expansion of it is not modelled).
      cmd.patterns.push(glob && !parts ? pat : null);
      (cmd.expansions ??= []).push(parts ? [...parts, lit].filter((p) => p !== '') : null);
    }
    parts = null;
    lit = '';
    cur = '';
    pat = '';
    glob = false;
    inWord = false;
  };
  /** A literal (quoted or escaped) character: in the pattern it matches only itself. */
  const literal = (s: string) => {
    cur += s;
    lit += s;
    for (const c of s) pat += GLOB_CHARS.includes(c) || c === '\\' ? `\\${c}` : c;
  };
  const endCommand = (token: string) => {
    endWord();
    if (pendingRedirect) throw unexpected(token);
    if (cmd.words.length === 0) throw unexpected(token);
    if (!cmd.expansions?.some((e) => e !== null)) delete cmd.expansions;
    commands.push(cmd);
    cmd = { words: [], patterns: [] };
  };
  /**
   * A `$` at line[i] (unquoted or inside double quotes): the expansion it starts, and how many
   * characters it took; 0 when it is a plain `$`.
   */
  const dollar = (i: number, quoted: boolean): number => {
    const n = line[i + 1];
    let part: WordPart;
    let took: number;
    if (n === '(') {
      let depth = 1;
      let j = i + 2;
      let q: string | null = null;
      for (; j < line.length && depth > 0; j++) {
        const d = line[j];
        if (q) {
          if (d === q) q = null;
        } else if (d === "'" || d === '"') q = d;
        else if (d === '(') depth++;
        else if (d === ')') depth--;
      }
      if (depth > 0) throw new ParseError('unterminated command substitution $(');
      part = { command: line.slice(i + 2, j - 1), quoted };
      took = j - i;
    } else if (n === '{') {
      const j = line.indexOf('}', i + 2);
      const name = j < 0 ? '' : line.slice(i + 2, j);
      if (!/^([A-Za-z_][A-Za-z0-9_]*|[!?$#0-9])$/.test(name)) throw new ParseError(`${line.slice(i, j < 0 ? line.length : j + 1)}: bad substitution`);
      part = { param: name };
      took = j + 1 - i;
    } else if (n !== undefined && '!?$#'.includes(n)) {
      part = { param: n };
      took = 2;
    } else {
      const m = /^[A-Za-z_][A-Za-z0-9_]*|^[0-9]/.exec(line.slice(i + 1));
      if (!m) return 0;
      part = { param: m[0] };
      took = 1 + m[0].length;
    }
    inWord = true;
    (parts ??= []).push(lit, part);
    lit = '';
    cur += line.slice(i, i + took);
    return took;
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
      case '&': {
        if (line[i + 1] === '&') throw new ParseError("'&&' is not supported in the script language (one pipeline per line)");
        if (line.slice(i + 1).trim() !== '' && !line.slice(i + 1).trim().startsWith('#')) throw new ParseError("'&' is supported only at the end of a line (one background job per line)");
        endWord();
        if (pendingRedirect) throw unexpected('&');
        if (cmd.words.length === 0 && commands.length === 0) throw unexpected('&');
        background = true;
        return line.length - i;
      }
      case ';':
      case '<':
      case '`':
      case '(':
      case ')':
        throw new ParseError(`'${c}' is not supported in the script language (one command or pipeline per line, no subshells)`);
      case '$':
        return dollar(i, false);
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
        if (d === '$') {
          const took = dollar(i, true);
          if (took) {
            i += took;
            continue;
          }
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
    lit += c;
    i++;
  }
  endWord();
  if (pendingRedirect) throw new ParseError('missing file name after >');
  if (cmd.words.length || cmd.redirect) {
    if (!cmd.expansions?.some((e) => e !== null)) delete cmd.expansions;
    commands.push(cmd);
  } else if (commands.length) throw unexpected('|');
  return background ? { commands, background } : { commands };
}
