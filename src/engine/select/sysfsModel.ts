// What the sysfs view draws: /sys/kernel/livepatch and /proc/<pid>/patch_state as `ls -l` and
// `cat` would show them, read through the model's own Vfs, each beside the internal state it
// hides (docs/kernel-model.md §7).
//
// Reading is pure for these paths: the livepatch attributes and patch_state are closures over
// fields (Vfs.read sets `current` to the caller for the read and restores it). Files whose show
// routine runs code (seq_file reads such as /proc/cmdline) would go through the ftrace handler,
// which may WARN; the view never reads those.

import { KLP_TRANSITION_IDLE, KLP_TRANSITION_PATCHED } from '../../kernel/constants';
import { strerror } from '../../kernel/errno';
import type { Kernel } from '../../kernel/kernel';
import type { KlpObject, KlpPatch } from '../../kernel/klp';
import { Sched, TF } from '../../kernel/tasks';
import { modeString, Vfs } from '../../kernel/vfs';

const LIVEPATCH_DIR = '/sys/kernel/livepatch';

export interface SysfsNode {
  path: string;
  name: string;
  kind: 'dir' | 'file';
  /** ls -l mode, e.g. -rw-r--r-- */
  mode: string;
  /** What `cat` prints (without the trailing newline), for readable files. */
  value?: string;
  /** What `cat` fails with (strerror text), for files it cannot read. */
  error?: string;
  /** The internal state behind this entry, in words. */
  truth?: string;
  /** The file alone would mislead: the truth says more than the value. */
  differs?: boolean;
  children?: SysfsNode[];
}

interface TaskTruth {
  pid: number;
  comm: string;
  node: SysfsNode;
}

interface Facts {
  k: Kernel;
  target: number;
  pending: number;
  total: number;
}

function facts(k: Kernel): Facts {
  const t = k.tasks;
  let pending = 0;
  let total = 0;
  for (let s = 0; s < t.n; s++) {
    if (t.sched[s] === Sched.DEAD) continue;
    total++;
    if (k.klpTargetState !== KLP_TRANSITION_IDLE && t.patchState[s] !== k.klpTargetState) pending++;
  }
  return { k, target: k.klpTargetState, pending, total };
}

const direction = (target: number) => (target === KLP_TRANSITION_PATCHED ? 'patching' : 'unpatching');
const tasks = (n: number) => `${n} task${n === 1 ? '' : 's'}`;

function patchTruth(f: Facts, patch: KlpPatch, attr: string): Pick<SysfsNode, 'truth' | 'differs'> {
  const inTransition = f.k.klpTransitionPatch === patch;
  switch (attr) {
    case 'enabled':
      if (inTransition) {
        return { truth: `the target, not the outcome: ${direction(f.target)} in progress, ${tasks(f.pending)} not switched yet`, differs: true };
      }
      return patch.enabled ? { truth: 'enabled and complete: every task runs it' } : { truth: 'disabled: the directory goes when the patch is freed' };
    case 'transition':
      return inTransition
        ? { truth: `${tasks(f.pending)} of ${f.total} still pending (TIF_PATCH_PENDING); sysfs does not say which`, differs: true }
        : { truth: f.k.klpTransitionPatch ? `another patch (${f.k.klpTransitionPatch.name}) is in transition` : 'no transition in progress' };
    case 'force':
      return patch.forced
        ? { truth: 'forced: its module can never be removed', differs: true }
        : { truth: 'write-only: 1 forces every pending task to the target state' };
    case 'stack_order':
      return inTransition
        ? { truth: 'the highest, yet unswitched tasks still run the entries below it', differs: true }
        : { truth: 'position in klp_patches (1 = oldest); the biggest wins' };
    case 'replace':
      return { truth: patch.replace ? 'atomic replace: older patches are replaced by nops and freed' : 'stacks on top of older patches' };
  }
  return {};
}

function objectTruth(f: Facts, obj: KlpObject): Pick<SysfsNode, 'truth' | 'differs'> {
  if (!obj.loaded) return { truth: `module ${obj.displayName} is not loaded: patched when it loads` };
  if (obj.patched && f.k.klpTransitionPatch === obj.patch) {
    return { truth: `funcs are on the func_stacks, but ${tasks(f.pending)} may still run the old code`, differs: true };
  }
  return { truth: obj.patched ? 'funcs are on the func_stacks' : 'funcs are off the func_stacks' };
}

function funcTruth(k: Kernel, obj: KlpObject, dirName: string): Pick<SysfsNode, 'truth' | 'differs'> {
  const func = obj.funcs.find((fn) => fn.sysfsName === dirName);
  if (!func) return {};
  const ops = func.oldFunc ? k.klpOps.get(func.oldFunc.id) : undefined;
  const at = ops ? ops.funcStack.indexOf(func) : -1;
  const what = func.nop ? 'nop' : `→ ${func.newFunc?.name ?? func.newName}`;
  if (at < 0) return { truth: `${what}; not on a func_stack (no attributes here)` };
  return { truth: `${what}; func_stack entry ${at + 1} of ${ops?.funcStack.length}${func.transition ? ', transition flag set' : ''} (sysfs shows none of it)`, differs: true };
}

function readNode(vfs: Vfs, k: Kernel, path: string, name: string): SysfsNode {
  const n = vfs.lookup(path);
  if (!n) return { path, name, kind: 'file', mode: '?', error: strerror(2) };
  const node: SysfsNode = { path, name, kind: n.kind, mode: modeString(n) };
  if (n.kind === 'dir') return node;
  const r = vfs.read(path, k.current);
  if (r.ok) node.value = r.data.replace(/\n$/, '');
  else node.error = strerror(r.errno);
  return node;
}

function listDir(vfs: Vfs, path: string): string[] {
  const names = vfs.readdir(path);
  return typeof names === 'number' ? [] : names;
}

/** /sys/kernel/livepatch: one node per patch directory, its attributes, objects and functions. */
export function livepatchTree(k: Kernel): SysfsNode {
  const vfs = new Vfs(k);
  const f = facts(k);
  const root = readNode(vfs, k, LIVEPATCH_DIR, 'livepatch');
  const patches = [...k.klpPatches];
  for (const m of k.modules.values()) if (m.patch && !patches.includes(m.patch)) patches.push(m.patch);
  root.truth = k.klpTransitionPatch
    ? `klp_patches: ${k.klpPatches.length}; ${direction(f.target)} ${k.klpTransitionPatch.name}`
    : `klp_patches: ${k.klpPatches.length}; no transition`;
  root.children = listDir(vfs, LIVEPATCH_DIR).map((pname) => {
    const ppath = `${LIVEPATCH_DIR}/${pname}`;
    const patch = patches.find((p) => p.name === pname);
    const pnode = readNode(vfs, k, ppath, pname);
    pnode.children = listDir(vfs, ppath).map((entry) => {
      const epath = `${ppath}/${entry}`;
      const node = readNode(vfs, k, epath, entry);
      const obj = patch?.objs.find((o) => o.displayName === entry);
      if (node.kind === 'file' && patch) Object.assign(node, patchTruth(f, patch, entry));
      if (node.kind === 'dir' && obj) {
        node.children = listDir(vfs, epath).map((leaf) => {
          const lnode = readNode(vfs, k, `${epath}/${leaf}`, leaf);
          Object.assign(lnode, lnode.kind === 'dir' ? funcTruth(k, obj, leaf) : objectTruth(f, obj));
          return lnode;
        });
      }
      return node;
    });
    return pnode;
  });
  return root;
}

/** /proc/<pid>/patch_state of the task in `slot`, beside its pending flag. */
export function patchStateOf(k: Kernel, slot: number, why: string): TaskTruth | null {
  const t = k.tasks;
  if (slot < 0 || slot >= t.n) return null;
  const pid = t.pid[slot];
  const path = `/proc/${pid}/patch_state`;
  const node = readNode(new Vfs(k), k, path, 'patch_state');
  const ps = t.patchState[slot];
  const pending = t.has(slot, TF.PATCH_PENDING);
  if (node.error) {
    node.truth = t.has(slot, TF.IDLE)
      ? `an idle task has no /proc entry; patch_state=${ps}${pending ? ', pending' : ''}`
      : `off the task list, still patch_state=${ps}: ${why}`;
    node.differs = true;
  } else if (k.klpTargetState === KLP_TRANSITION_IDLE) {
    node.truth = 'no transition in progress (KLP_TRANSITION_IDLE)';
  } else if (ps !== k.klpTargetState) {
    node.truth = `${pending ? 'TIF_PATCH_PENDING set: ' : ''}not switched yet. ${why}`;
    node.differs = true;
  } else {
    node.truth = `switched to the target state${pending ? ' (pending flag still set)' : ''}`;
  }
  return { pid, comm: t.commOf(slot), node };
}
