// SUSE's klp (kernel-livepatch-tools): status, check, blocking [-v|-vv], [-v] patches. Its
// source was not at hand: the commands and what they report follow klp.man and the SLES
// documentation ("Live kernel patching with KLP"), the line formats are stand-ins
// (docs/console.md). Like the real tool it reads only sysfs and /proc (see kpatch.ts).

import type { Exec, Step } from '../../kernel/exec';
import type { Shell } from '../shell';
import { catQuiet, entries, stalledThreads, SYSFS_KLP, transitionPatch } from './kpatch';
import { lines } from './coreutils';
import { shellCommands, type CmdResult } from './registry';

const USAGE = ['Usage: klp [-v] {status|check|blocking|patches}'];

function* blocking(sh: Shell, x: Exec, verbose: number): Step<CmdResult> {
  const patch = transitionPatch(sh, x);
  if (!patch) return { out: [], err: [], status: 0 };
  const out: string[] = [];
  for (const tid of yield* stalledThreads(sh, x, patch)) {
    const comm = catQuiet(sh, x, `/proc/${tid}/task/${tid}/comm`);
    out.push(verbose >= 1 ? `${tid} ${comm}` : String(tid));
    if (verbose >= 2) out.push(...lines(catQuiet(sh, x, `/proc/${tid}/task/${tid}/stack`)).map((l) => `    ${l}`));
  }
  return { out, err: [], status: 0 };
}

function patches(sh: Shell, x: Exec, verbose: boolean): CmdResult {
  const out: string[] = [];
  for (const m of entries(sh, SYSFS_KLP)) {
    out.push(m);
    if (!verbose) continue;
    const enabled = catQuiet(sh, x, `${SYSFS_KLP}/${m}/enabled`);
    const transition = catQuiet(sh, x, `${SYSFS_KLP}/${m}/transition`);
    out.push(`    active: ${enabled === '1' ? (transition === '1' ? 'yes (transition in progress)' : 'yes') : transition === '1' ? 'no (disabling)' : 'no'}`);
    const replace = catQuiet(sh, x, `${SYSFS_KLP}/${m}/replace`);
    if (replace !== '') out.push(`    replace: ${replace === '1' ? 'yes' : 'no'}`);
    out.push('    RPM: (none: loaded with insmod)', '    CVE: (not recorded)');
  }
  return { out, err: [], status: 0 };
}

shellCommands.register({
  name: 'klp',
  usage: 'klp status | klp check | klp blocking [-v|-vv] | klp [-v] patches',
  args: { min: 0, max: Infinity },
  bin: '/usr/bin/klp',
  *run(sh, x, args) {
    let verbose = 0;
    const words: string[] = [];
    for (const a of args) {
      if (/^-v+$/.test(a)) verbose += a.length - 1;
      else words.push(a);
    }
    const [cmd, ...rest] = words;
    if (rest.length) return { out: [], err: USAGE, status: 1 };
    switch (cmd) {
      case 'status':
        return { out: [transitionPatch(sh, x) ? 'in_progress' : 'ready'], err: [], status: 0 };
      case 'check':
        return { out: [], err: [], status: transitionPatch(sh, x) ? 1 : 0 };
      case 'blocking':
        return yield* blocking(sh, x, verbose);
      case 'patches':
        return patches(sh, x, verbose > 0);
    }
    return { out: [], err: USAGE, status: 1 };
  },
});
