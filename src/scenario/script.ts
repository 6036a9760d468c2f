// The script language's parser (conformance/README.md): a line is split into words as a
// POSIX shell does (words.ts), an optional `at TIME:` prefix says when it runs, and the
// command is checked against its registry entry (commands/) before anything runs. A script
// is parsed once: the parse of a script array is remembered, so validating a document,
// building its machine and replaying it in the explorer share one parse.

import { selftestHelpers, shellCommands } from './commands';
import { ParseError, splitLine, type SimpleCommand } from './words';

/** A parsed script line: one command, or a pipeline of shell commands. */
export interface ScriptLine {
  line: number;
  text: string;
  commands: SimpleCommand[];
  /** `at 5s: ...`: virtual time since the script started at which the line runs (µs). */
  at?: number;
  /** `CMD &`: a background job; the shell goes on at once (`$!` is its pid). */
  background?: boolean;
}

/** `NAME=value` as the whole command: a shell variable assignment. */
export const ASSIGNMENT = /^[A-Za-z_][A-Za-z0-9_]*=/;

/**
 * `at TIME: rest` split in one pass, or null when the line has no such prefix. (The regular
 * expression /^\s*at\s+([^:]*):(.*)$/ reads the same but backtracks quadratically on a
 * line of blanks.) `rest` is one line: no line terminator, as `.` would have required.
 */
function splitAtPrefix(text: string): [time: string, rest: string] | null {
  const blank = (i: number) => i < text.length && /\s/.test(text[i]);
  let i = 0;
  while (blank(i)) i++;
  if (!text.startsWith('at', i)) return null;
  i += 2;
  if (!blank(i)) return null;
  while (blank(i)) i++;
  const colon = text.indexOf(':', i);
  if (colon < 0 || /[\n\r\u2028\u2029]/.test(text.slice(colon + 1))) return null;
  return [text.slice(i, colon), text.slice(colon + 1)];
}
const AT_TIME = /^(\d+(?:\.\d*)?|\.\d+)(s|ms|us)$/;
const AT_UNIT_US = { s: 1_000_000, ms: 1_000, us: 1 } as const;

/** A time as scenario scripts write it: `5s`, `1500ms`, `2.5s`, `250us`; null if malformed. */
export function parseScriptTime(t: string): number | null {
  const m = AT_TIME.exec(t.trim());
  if (!m) return null;
  const us = Math.round(Number(m[1]) * AT_UNIT_US[m[2] as keyof typeof AT_UNIT_US]);
  return Number.isSafeInteger(us) ? us : null;
}

/** A time in µs as a script would write it (the shortest exact unit). */
export function formatScriptTime(us: number): string {
  if (us % 1000 !== 0) return `${us}us`;
  if (us % 1_000_000 !== 0) return `${us / 1000}ms`;
  return `${us / 1_000_000}s`;
}

function countText(min: number, max: number): string {
  return `${min === max ? min : `${min}${max === Infinity ? ' or more' : `-${max}`}`} argument${max === 1 && min === 1 ? '' : 's'}`;
}

/** Validate one line; returns the parsed line, null for blank/comment, or an error message. */
export function parseLine(text: string, line: number): ScriptLine | null | { error: string } {
  const split = splitAtPrefix(text);
  const at = split && ([text, ...split] as const);
  if (at) {
    const us = parseScriptTime(at[1]);
    if (us === null) return { error: `line ${line}: expected a time such as 'at 5s:', 'at 1500ms:' or 'at 2.5s:', got 'at ${at[1].trim()}:'` };
    const inner = parseLine(at[2], line);
    if (inner === null) return { error: `line ${line}: 'at ${at[1].trim()}:' needs a command after it` };
    if ('error' in inner) return inner;
    if (inner.at !== undefined) return { error: `line ${line}: a line takes one 'at TIME:' prefix` };
    return { ...inner, text, at: us };
  }
  let commands: SimpleCommand[];
  let background = false;
  try {
    const p = splitLine(text);
    commands = p.commands;
    background = p.background === true;
  } catch (e) {
    return { error: `line ${line}: ${(e as ParseError).message}: ${text}` };
  }
  if (commands.length === 0) return null;
  for (const c of commands) {
    const problem = checkCommand(c, commands.length > 1, line, text) ?? checkSubstitutions(c, line);
    if (problem) return { error: problem.startsWith(`line ${line}: `) ? problem : `line ${line}: ${problem}` };
  }
  if (background) {
    const c = commands[0];
    const spec = shellCommands.get(c.words[0]);
    if (commands.length > 1 || !spec || spec.builtin || c.redirect || ASSIGNMENT.test(c.words[0])) {
      return { error: `line ${line}: only one external command (no pipeline, builtin, helper or redirection) can run in the background: ${text}` };
    }
    return { line, text, commands, background };
  }
  return { line, text, commands };
}

/** One command of a line against its registry entry: an error message or null. */
function checkCommand(c: SimpleCommand, inPipeline: boolean, line: number, text: string): string | null {
  if (c.words.length === 0) return `a redirection needs a command: ${text}`;
  const [cmd, ...args] = c.words;
  if (ASSIGNMENT.test(cmd)) {
    if (args.length || c.redirect || inPipeline) return `an assignment is a command of its own here ('NAME=value'; an environment for one command is not supported): ${text}`;
    return null;
  }
  const spec = shellCommands.get(cmd) ?? selftestHelpers.get(cmd);
  // bash's own words; `help` lists the commands there are.
  if (!spec) return `bash: ${cmd}: command not found`;
  const { min, max } = spec.args;
  if (args.length < min || args.length > max) return `${cmd} takes ${countText(min, max)}, got ${args.length} (usage: ${spec.usage})`;
  if ('group' in spec) {
    if (c.redirect) return `${cmd} is a helper; redirect a shell command instead`;
    if (inPipeline) return `${cmd} is a helper; pipe a shell command instead`;
  }
  return spec.check?.(args, {
    checkInner(inner: string): string | null {
      const p = parseLine(inner, line);
      if (p === null) return `line ${line}: ${cmd} needs a command to run`;
      if ('error' in p) return `${p.error} (inside ${cmd})`;
      if (p.at !== undefined) return `line ${line}: the command inside ${cmd} cannot have an 'at TIME:' prefix`;
      return null;
    },
  }) ?? null;
}

/** Each `$(CMD)` of a command must itself be a valid line. */
function checkSubstitutions(c: SimpleCommand, line: number): string | null {
  for (const parts of c.expansions ?? []) {
    for (const part of parts ?? []) {
      if (typeof part === 'string' || !('command' in part)) continue;
      const p = parseLine(part.command, line);
      if (p === null) continue;
      if ('error' in p) return `${p.error} (inside $(...))`;
      if (p.at !== undefined || p.background) return `line ${line}: the command inside $(...) cannot have an 'at TIME:' prefix or '&'`;
    }
  }
  return null;
}

type ParsedScript = { ok: true; lines: ScriptLine[]; entries: (ScriptLine | null)[] } | { ok: false; errors: string[] };

/** The last scripts parsed, by array: a script that has not changed since is not parsed again. */
const parsed = new WeakMap<readonly string[], { texts: readonly string[]; result: ParsedScript }>();

/**
 * Parse a whole script; all errors are reported, nothing runs if any. `entries` has one item
 * per script line (null for a blank or comment line), `lines` only the commands.
 */
export function parseScript(script: readonly string[]): ParsedScript {
  const seen = parsed.get(script);
  if (seen && seen.texts.length === script.length && seen.texts.every((t, i) => t === script[i])) return seen.result;
  const result = parseFresh(script);
  parsed.set(script, { texts: [...script], result });
  return result;
}

function parseFresh(script: readonly string[]): ParsedScript {
  const lines: ScriptLine[] = [];
  const entries: (ScriptLine | null)[] = [];
  const errors: string[] = [];
  let last: ScriptLine | undefined;
  script.forEach((t, i) => {
    const r = parseLine(t, i + 1);
    if (r !== null && 'error' in r) {
      errors.push(r.error);
      return;
    }
    entries.push(r);
    if (r === null) return;
    if (r.at !== undefined) {
      // The shell waits for a line's time; one earlier than the previous timed line cannot be honoured.
      if (last?.at !== undefined && r.at < last.at) {
        errors.push(`line ${r.line}: time ${formatScriptTime(r.at)} is earlier than ${formatScriptTime(last.at)} on line ${last.line}; times must not go backwards`);
      }
      last = r;
    }
    lines.push(r);
  });
  return errors.length ? { ok: false, errors } : { ok: true, lines, entries };
}
