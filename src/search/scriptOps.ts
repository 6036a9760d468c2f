// The script's lines as moves of the search: loading and unloading modules, enabling,
// disabling and reversing through `enabled`, forcing through `force`, as core.c does them
// (klp_enable_patch(), klp_add_nops(), __klp_disable_patch(), enabled_store(), force_store(),
// klp_module_coming(), and the module reference that rmmod finds held).

import { KLP_TRANSITION_IDLE, KLP_TRANSITION_PATCHED, KLP_TRANSITION_UNPATCHED } from '../kernel/constants';
import type { SearchModel } from './model';
import type { Listed, State } from './state';
import { SearchRefused, type PatchSpec } from './spec';

export function applyOp(m: SearchModel, s: State, index: number): void {
  const { op } = m.spec.script[index];
  s.pc = index + 1;
  if (op.kind === 'load') {
    const patch = m.patchByName.get(op.module);
    const loaded = patch ? loadPatch(m, s, patch, op.helper, op.wait) : loadTarget(m, s, op.module, op.helper);
    // load_failing_mod: "unexpectedly loaded" ends the script.
    if (loaded && op.expectFail) s.ended = true;
  } else if (op.kind === 'disable') {
    const p = m.patchByName.get(op.patch);
    const l = p && s.list.find((x) => x.p === p.index);
    if (!p || !l) return void m.failed(s, op.helper);
    if (s.trans === p.index) {
      // enabled_store() on the transition patch: klp_reverse_transition(), patching only.
      if (!l.enabled) return void m.failed(s, op.helper);
      m.reverse(s, l);
    } else {
      if (!l.enabled || s.trans >= 0) return void m.failed(s, op.helper);
      disable(m, s, l);
    }
    if (op.wait) s.waiting = true;
  } else if (op.kind === 'force') {
    const p = m.patchByName.get(op.patch);
    if (p && s.trans === p.index) m.force(s);
  } else if (op.kind === 'wait') {
    if (s.trans >= 0) s.waiting = true;
  } else if (op.kind === 'unload') {
    unload(m, s, op.module, op.helper);
  }
}

/** The module loads (true), or the load fails (false). */
function loadTarget(m: SearchModel, s: State, module: string, helper: boolean): boolean {
  const bit = m.targetBit.get(module) ?? 0;
  if (s.targets & bit) return m.failed(s, helper);
  const before = m.universesNow(s);
  // klp_module_coming() patches the module for every listed patch: the func_stacks follow.
  s.targets |= bit;
  m.massSwitch(s, before, (ps) => ps, `when module '${module}' loaded (klp_module_coming())`);
  // kthread_run(): each kthread copies kthreadd's patch_state and runs to its first sleep.
  for (const t of m.spec.targets.get(module) ?? []) {
    s.tasks[t] = { alive: true, ps: s.bgPs, stack: [m.spec.tasks[t].fn, 0] };
    m.runTask(s, t, true);
  }
  return true;
}

/** klp_enable_patch() from the module's init: the module loads (true), or the load fails (false). */
function loadPatch(m: SearchModel, s: State, patch: PatchSpec, helper: boolean, wait: boolean): boolean {
  const bit = 1 << patch.index;
  if (s.lpLoaded & bit) return m.failed(s, helper);
  // klp_is_patch_compatible(): the states of the patches it is compared with.
  for (const l of s.list) {
    const old = m.spec.patches[l.p];
    if (!m.policy.comparesStates(m.policyView[patch.index], m.policyView[l.p])) continue;
    for (const st of old.states) {
      const mine = patch.states.find((x) => x.id === st.id);
      if (!mine || mine.version < st.version) return m.failed(s, helper);
    }
  }
  // The check a policy adds after klp_is_patch_compatible() (replace-set-2026: another set's function or state id).
  if (m.policy.enableRefusal(m.policyView[patch.index], s.list.map((l) => m.policyView[l.p]))) return m.failed(s, helper);
  // __klp_enable_patch(): -EBUSY while a transition is in progress.
  if (s.trans >= 0) return m.failed(s, helper);
  s.lpLoaded |= bit;
  let nops = 0;
  if (patch.replace) {
    // klp_add_nops(): a nop for each function of a patch it replaces that it does not change.
    for (const l of s.list) {
      if (!m.policy.replaces(m.policyView[patch.index], m.policyView[l.p])) continue;
      const old = m.spec.patches[l.p];
      old.newCode.forEach((c, f) => {
        if ((c >= 0 || l.nops & (1 << f)) && patch.newCode[f] < 0) nops |= 1 << f;
      });
    }
  }
  const before = m.universesNow(s);
  const entry: Listed = { p: patch.index, enabled: false, nops };
  s.list = [...s.list, entry];
  m.initTransition(s, patch.index, KLP_TRANSITION_PATCHED);
  m.massSwitch(s, before, () => KLP_TRANSITION_UNPATCHED, `when '${patch.name}' was enabled`);
  m.startTransition(s);
  entry.enabled = true;
  if (wait) s.waiting = true;
  m.attempt(s);
  return true;
}

function disable(m: SearchModel, s: State, l: Listed): void {
  const before = m.universesNow(s);
  m.initTransition(s, l.p, KLP_TRANSITION_UNPATCHED);
  m.massSwitch(s, before, () => KLP_TRANSITION_PATCHED, `when '${m.spec.patches[l.p].name}' was disabled`);
  m.startTransition(s);
  l.enabled = false;
  m.attempt(s);
}

function unload(m: SearchModel, s: State, module: string, helper: boolean): void {
  const patch = m.patchByName.get(module);
  if (patch) {
    const bit = 1 << patch.index;
    if (!(s.lpLoaded & bit)) return void m.failed(s, helper);
    // The reference klp_enable_patch() took is dropped when the patch is freed, never when forced.
    if (s.forced & bit) m.hit('rmmod-refused', `rmmod ${module}: refused, the module is in use: a forced transition left its reference held (klp_free_patch_finish() skips module_put())`);
    if (s.forced & bit || s.list.some((l) => l.p === patch.index)) return void m.failed(s, helper);
    s.lpLoaded &= ~bit;
    return;
  }
  const bit = m.targetBit.get(module) ?? 0;
  if (!(s.targets & bit)) return void m.failed(s, helper);
  for (const l of s.list) {
    if (m.spec.functions.some((fn, f) => fn.module === module && (m.spec.patches[l.p].newCode[f] >= 0 || l.nops & (1 << f)))) {
      throw new SearchRefused(`search: unloading '${module}' while '${m.spec.patches[l.p].name}' patches it (klp_module_going()) is not modelled`);
    }
  }
  s.targets &= ~bit;
  for (const t of m.spec.targets.get(module) ?? []) s.tasks[t] = { alive: false, ps: KLP_TRANSITION_IDLE, stack: [] };
}

