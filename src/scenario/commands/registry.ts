// One registry per kind of command (as src/ui/shortcuts.ts does for keys): the shell commands
// a person types at a bash prompt, and the selftest helpers of functions.sh. Each entry says
// its name, its usage, how many arguments it takes and how to run it; the parser validates a
// line against the entry and the shell runs it, so the two never disagree. Lookups go through
// a Map: a command typed as `constructor` or `__proto__` is simply not found.

import type { Exec, Step } from '../../kernel/exec';
import type { Shell } from '../shell';
import type { Redirect } from '../words';

/** What a command leaves behind: its stdout and stderr lines and its exit status. */
export interface CmdResult {
  out: string[];
  err: string[];
  status: number;
}

/** Thrown by `die`: the script (like a selftest) ends here. */
export class ScriptDied extends Error {
  constructor(
    readonly reason: string,
    readonly status: number,
  ) {
    super(reason);
  }
}

/** What a command reads and where its output goes. */
export interface CommandIO {
  /** The lines piped in by the command before it in a pipeline; undefined: the terminal. */
  stdin?: string[];
  /** A builtin's own redirection (an external command's output is redirected by the shell). */
  redirect?: Redirect;
  /** Runs in a pipeline, so in a subshell: a builtin changes nothing in the shell itself. */
  subshell?: boolean;
}

/** How many arguments a command takes (`max` may be Infinity). */
interface ArgCount {
  min: number;
  max: number;
}

/** What a command's check may ask while a line is parsed. */
interface CheckContext {
  /** Parse a command given as an argument (`wait_count 'CMD' N`): an error message or null. */
  checkInner(text: string): string | null;
}

interface CommandBase {
  name: string;
  usage: string;
  args: ArgCount;
  /** Checks beyond the argument count, before anything runs: an error message, or null. */
  check?(args: readonly string[], ctx: CheckContext): string | null;
}

/**
 * A shell command. An external tool runs as a forked child task (`x` is that task) whose
 * output the shell redirects; a builtin runs inside the shell process itself and handles
 * its own redirection, as bash's builtins do.
 */
interface ShellCommand extends CommandBase {
  builtin?: boolean;
  /** Where the tool lives (execve's path, in bash's messages); default /usr/bin/NAME. */
  bin?: string;
  run(sh: Shell, x: Exec, args: string[], io: CommandIO): Step<CmdResult>;
}

/** A function of functions.sh (`helper`), or one of the script language's waits and checks. */
interface SelftestHelper extends CommandBase {
  group: 'helper' | 'check';
  run(sh: Shell, args: string[]): Step<CmdResult>;
}

class CommandRegistry<C extends { name: string }> {
  private readonly byName = new Map<string, C>();

  register(c: C): C {
    if (this.byName.has(c.name)) throw new Error(`command ${c.name} registered twice`);
    this.byName.set(c.name, c);
    return c;
  }

  get(name: string): C | undefined {
    return this.byName.get(name);
  }

  /** Every entry, in registration order. */
  all(): C[] {
    return [...this.byName.values()];
  }
}

export const shellCommands = new CommandRegistry<ShellCommand>();
export const selftestHelpers = new CommandRegistry<SelftestHelper>();

/** A fresh successful, silent result. */
export function ok(): CmdResult {
  return { out: [], err: [], status: 0 };
}
