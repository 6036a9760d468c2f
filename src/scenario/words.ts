// Word splitting as a POSIX shell does it for the script language: single quotes are
// literal, double quotes allow \" \\ \$ \` escapes, a backslash outside quotes escapes the
// next character, `#` at the start of a word begins a comment. Redirections (`>`, `>>`)
// are recognised only unquoted.

export interface Words {
  words: string[];
  /** Target of `>` / `>>`, if any. */
  redirect?: { path: string; append: boolean };
}

export class ParseError extends Error {}

export function splitWords(line: string): Words {
  const words: string[] = [];
  let redirect: Words['redirect'];
  let cur = '';
  let inWord = false;
  let pendingRedirect: { append: boolean } | null = null;
  const endWord = () => {
    if (!inWord) return;
    if (pendingRedirect) {
      redirect = { path: cur, append: pendingRedirect.append };
      pendingRedirect = null;
    } else {
      words.push(cur);
    }
    cur = '';
    inWord = false;
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
    if (c === '>' ) {
      endWord();
      if (pendingRedirect || redirect) throw new ParseError('only one output redirection is supported');
      const append = line[i + 1] === '>';
      pendingRedirect = { append };
      i += append ? 2 : 1;
      continue;
    }
    if (c === '|' || c === ';' || c === '&' || c === '<' || c === '`' || c === '(' || c === ')') {
      throw new ParseError(`'${c}' is not supported in the script language (one command per line, no pipes or subshells)`);
    }
    inWord = true;
    if (c === "'") {
      const j = line.indexOf("'", i + 1);
      if (j < 0) throw new ParseError('unterminated single quote');
      cur += line.slice(i + 1, j);
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
          cur += line[i + 1];
          i += 2;
          continue;
        }
        cur += d;
        i++;
      }
      if (!closed) throw new ParseError('unterminated double quote');
      continue;
    }
    if (c === '\\') {
      if (i + 1 < line.length) cur += line[i + 1];
      i += 2;
      continue;
    }
    cur += c;
    i++;
  }
  endWord();
  if (pendingRedirect) throw new ParseError('missing file name after >');
  return { words, redirect };
}
