// The command line as GNU getopt reads it for the coreutils and grep: options anywhere among
// the operands (permutation), clustered (`-ln`), `--` ends them, a lone `-` is an operand
// (standard input), and an option that takes a value takes the rest of its word or the next
// word.

interface ParsedOptions {
  /** The flags given, each once. */
  flags: Set<string>;
  /** The options that take a value, in the order given: [letter, value]. */
  values: [string, string][];
  operands: string[];
}

/**
 * Parse `args` for `tool`: `flags` are the letters it accepts alone, `withValue` those that
 * take a value. A bad option gives the first line getopt prints for it (the tool adds its own
 * "Try ... --help" lines).
 */
export function gnuOptions(tool: string, args: readonly string[], flags: string, withValue = ''): ParsedOptions | { error: string } {
  const r: ParsedOptions = { flags: new Set(), values: [], operands: [] };
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === '--') {
      r.operands.push(...args.slice(i + 1));
      break;
    }
    if (a.startsWith('--')) return { error: `${tool}: unrecognized option '${a}'` };
    if (!a.startsWith('-') || a === '-') {
      r.operands.push(a);
      continue;
    }
    for (let j = 1; j < a.length; j++) {
      const f = a[j];
      if (withValue.includes(f)) {
        const v = j + 1 < a.length ? a.slice(j + 1) : args[++i];
        if (v === undefined) return { error: `${tool}: option requires an argument -- '${f}'` };
        r.values.push([f, v]);
        break;
      }
      if (!flags.includes(f)) return { error: `${tool}: invalid option -- '${f}'` };
      r.flags.add(f);
    }
  }
  return r;
}
