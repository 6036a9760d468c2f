// bash's builtins: they run inside the shell process itself (no fork), so `cd` changes the
// shell's own working directory and `echo > file` is the shell's own write(2).

import { ENOENT, ENOTDIR, strerror } from '../../kernel/errno';
import type { Step } from '../../kernel/exec';
import { selftestHelpers, shellCommands, type CmdResult } from './registry';

/** The root user's home: this machine's filesystem has no /root, so `cd` alone goes to /. */
const HOME = '/';

shellCommands.register({
  name: 'echo',
  usage: 'echo [-n] [-e] [VALUE...] [> PATH]',
  args: { min: 0, max: Infinity },
  builtin: true,
  *run(sh, x, args, io): Step<CmdResult> {
    let newline = true;
    const words = [...args];
    while (words[0] === '-n' || words[0] === '-e') {
      if (words.shift() === '-n') newline = false;
    }
    const text = words.join(' ');
    if (!io.redirect) return { out: [text], err: [], status: 0 };
    const w = yield* sh.writeFile(x, io.redirect.path, text + (newline ? '\n' : ''));
    if (w.errno) return { out: [], err: [sh.redirectError(io.redirect.path, w)], status: 1 };
    return { out: [], err: [], status: 0 };
  },
});

shellCommands.register({
  name: 'cd',
  usage: 'cd [DIR | -]',
  args: { min: 0, max: Infinity },
  builtin: true,
  *run(sh, _x, args, io) {
    if (args.length > 1) return { out: [], err: ['bash: cd: too many arguments'], status: 1 };
    let target = args[0] ?? HOME;
    const out: string[] = [];
    if (target === '-') {
      if (sh.oldpwd === undefined) return { out: [], err: ['bash: cd: OLDPWD not set'], status: 1 };
      target = sh.oldpwd;
      out.push(target);
    }
    const n = sh.lookup(target);
    sh.k.exitToUserMode(sh.slot);
    if (!n) return { out: [], err: [`bash: cd: ${target}: ${strerror(-ENOENT)}`], status: 1 };
    if (n.kind !== 'dir') return { out: [], err: [`bash: cd: ${target}: ${strerror(-ENOTDIR)}`], status: 1 };
    // A pipeline runs the builtin in a subshell: the shell's own directory stays.
    if (!io.subshell) {
      sh.oldpwd = sh.cwd;
      sh.cwd = sh.path(target);
    }
    return { out, err: [], status: 0 };
  },
});

shellCommands.register({
  name: 'pwd',
  usage: 'pwd',
  args: { min: 0, max: Infinity },
  builtin: true,
  *run(sh) {
    return { out: [sh.cwd], err: [], status: 0 };
  },
});

shellCommands.register({
  name: 'help',
  usage: 'help',
  args: { min: 0, max: 0 },
  builtin: true,
  *run() {
    const out = ['Shell commands:', ...shellCommands.all().map((c) => `  ${c.usage}`), 'Selftest helpers (functions.sh), waits and checks:', ...selftestHelpers.all().map((c) => `  ${c.usage}`)];
    return { out, err: [], status: 0 };
  },
});
