// The tools SREs run on real boxes (docs/console.md, "The livepatch tools SREs use"), derived only from what they read: the
// sysfs of /sys/kernel/livepatch and /proc/<pid>/task/<tid>/{patch_state,comm,stack}. So they
// see what those tools see during a transition, and miss what they miss (an exiting task
// already unhashed from the task list is in no /proc directory; a task not yet switched but
// about to be is "stalled" to them all the same).
//
// kpatch follows dynup/kpatch kpatch/kpatch (`list`: "Loaded patch modules:" with
// [enabled|enabling...|disabling...|disabled], show_stalled_processes()'s "Stalled
// processes:" with each thread's tid, comm and stack, "Installed patch modules:"; `signal`).
// The "Currently livepatched functions" section (kpatch PR #1419, from stack_order) is a
// stand-in: its line format is the model's own (docs/console.md).

import type { Exec, Step } from '../../kernel/exec';
import type { Shell } from '../shell';
import { lines } from './coreutils';
import { shellCommands, type CmdResult } from './registry';

export const SYSFS_KLP = '/sys/kernel/livepatch';
/** What a tool spends reading one task's /proc files (virtual µs). */
const TOOL_US_PER_TASK = 20;

/** `cat FILE 2>/dev/null` from the tool's process: the contents without the newline, or ''. */
export function catQuiet(sh: Shell, x: Exec, path: string): string {
  const r = sh.readFile(x, path);
  return r.ok ? r.data.replace(/\n$/, '') : '';
}

/** The directory entries of a path, sorted as a shell glob sorts them ([] if none). */
export function entries(sh: Shell, path: string): string[] {
  const n = sh.lookup(path);
  return n && n.kind === 'dir' ? [...n.list()].sort() : [];
}

/** The patch whose transition attribute reads 1 (kpatch's get_transition_patch()). */
export function transitionPatch(sh: Shell, x: Exec): string | undefined {
  return entries(sh, SYSFS_KLP).find((m) => catQuiet(sh, x, `${SYSFS_KLP}/${m}/transition`) === '1');
}

/**
 * The threads whose /proc/<tid>/patch_state differs from the transition patch's `enabled`
 * (kpatch's is_stalled(), SUSE klp's blocking threads), each with its tid, in /proc order.
 */
export function* stalledThreads(sh: Shell, x: Exec, patch: string): Step<number[]> {
  const enabled = catQuiet(sh, x, `${SYSFS_KLP}/${patch}/enabled`);
  const tids: number[] = [];
  const pids = entries(sh, '/proc').filter((n) => /^\d+$/.test(n)).sort();
  for (const pid of pids) {
    for (const tid of entries(sh, `/proc/${pid}/task`).filter((n) => /^\d+$/.test(n))) {
      const state = catQuiet(sh, x, `/proc/${tid}/patch_state`);
      if (state === '' || state === '-1' || enabled === '') continue;
      if (state !== enabled) tids.push(Number(tid));
    }
  }
  yield { kind: 'run', us: pids.length * TOOL_US_PER_TASK };
  sh.k.exitToUserMode(x.slot);
  return tids;
}

const USAGE = [
  'usage: kpatch <command> [<args>]',
  '',
  'Valid commands:',
  '   list',
  '      list installed patch modules',
  '',
  '   signal',
  '      signal/poke any process stalling the current patch transition. This is only',
  '      useful on systems that have the sysfs livepatch signal interface. On other',
  '      systems, the signaling should be done automatically by the OS and this',
  '      subcommand is a no-op.',
];

function* list(sh: Shell, x: Exec): Step<CmdResult> {
  const out = ['Loaded patch modules:'];
  const mods = entries(sh, SYSFS_KLP);
  for (const m of mods) {
    const inTransition = catQuiet(sh, x, `${SYSFS_KLP}/${m}/transition`) === '1';
    const enabled = catQuiet(sh, x, `${SYSFS_KLP}/${m}/enabled`) === '1';
    out.push(`${m} [${enabled ? (inTransition ? 'enabling...' : 'enabled') : inTransition ? 'disabling...' : 'disabled'}]`);
  }
  const patch = transitionPatch(sh, x);
  if (patch) {
    out.push('', 'Stalled processes:');
    for (const tid of yield* stalledThreads(sh, x, patch)) {
      out.push(`${tid} ${catQuiet(sh, x, `/proc/${tid}/task/${tid}/comm`)}`, 'stack:', ...lines(catQuiet(sh, x, `/proc/${tid}/task/${tid}/stack`)));
    }
  }
  const functions = livepatchedFunctions(sh, x);
  if (functions.length) out.push('', 'Currently livepatched functions:', ...functions);
  out.push('', 'Installed patch modules:');
  return { out, err: [], status: 0 };
}

/**
 * Per [object, function,sympos], the patch with the highest stack_order that has it (only
 * kernels with stack_order, 6.14+); "(transition)" when that patch is in transition, when
 * the function is new for the tasks already switched and old for the others.
 */
function livepatchedFunctions(sh: Shell, x: Exec): string[] {
  const owner = new Map<string, { order: number; module: string; object: string; func: string }>();
  for (const m of entries(sh, SYSFS_KLP)) {
    const order = catQuiet(sh, x, `${SYSFS_KLP}/${m}/stack_order`);
    if (order === '') continue;
    for (const obj of entries(sh, `${SYSFS_KLP}/${m}`)) {
      if (sh.lookup(`${SYSFS_KLP}/${m}/${obj}`)?.kind !== 'dir') continue;
      for (const f of entries(sh, `${SYSFS_KLP}/${m}/${obj}`)) {
        if (sh.lookup(`${SYSFS_KLP}/${m}/${obj}/${f}`)?.kind !== 'dir') continue;
        const key = `${obj}:${f}`;
        const seen = owner.get(key);
        if (!seen || Number(order) > seen.order) owner.set(key, { order: Number(order), module: m, object: obj, func: f });
      }
    }
  }
  if (!owner.size) return [];
  const rows = [...owner.values()].sort((a, b) => a.module.localeCompare(b.module) || a.object.localeCompare(b.object) || a.func.localeCompare(b.func));
  const w1 = Math.max(6, ...rows.map((r) => r.module.length));
  const w2 = Math.max(6, ...rows.map((r) => r.object.length));
  const row = (a: string, b: string, c: string) => `${a.padEnd(w1)}  ${b.padEnd(w2)}  ${c}`;
  return [row('Module', 'Object', 'Function'), ...rows.map((r) => row(r.module, r.object, r.func) + (catQuiet(sh, x, `${SYSFS_KLP}/${r.module}/transition`) === '1' ? ' (transition)' : ''))];
}

shellCommands.register({
  name: 'kpatch',
  usage: 'kpatch list | kpatch signal',
  args: { min: 0, max: Infinity },
  bin: '/usr/sbin/kpatch',
  *run(sh, x, args) {
    const [cmd, ...rest] = args;
    if (cmd === 'list' && !rest.length) return yield* list(sh, x);
    if (cmd === 'signal' && !rest.length) {
      if (!transitionPatch(sh, x)) return { out: [], err: [], status: 0 };
      // The kernel has signalled stalled tasks itself since 5.x: no signal attribute.
      return { out: [], err: ['kpatch: Livepatch process signaling is performed automatically on your system.', 'kpatch: Skipping manual process signaling.'], status: 0 };
    }
    if (cmd === undefined || cmd === 'list' || cmd === 'signal' || cmd === 'help' || cmd === '-h' || cmd === '--help') return { out: [], err: USAGE, status: 1 };
    if (['load', 'unload', 'install', 'uninstall', 'info', 'version'].includes(cmd)) {
      return { out: [], err: [`kpatch: '${cmd}' is not modelled here: load with insmod NAME.ko, disable with echo 0 > ${SYSFS_KLP}/NAME/enabled`], status: 1 };
    }
    return { out: [`subcommand ${cmd} not recognized`], err: USAGE, status: 1 };
  },
});
