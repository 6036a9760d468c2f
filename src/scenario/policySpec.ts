// The parts of a scenario document that the debate needs: `kernel.policy` (upstream or a
// labelled proposal), the module fields each policy allows, and `dependencies` (functions
// that must change together, for the consistency analysis).

import { POLICY_NAMES, type PolicyName } from '../kernel/policy/types';
import { array, field, get, item, object, oneOf, present, Problems, string } from './check';
import { FUNC_NAME, MODULE_NAME, type ModuleSpec } from './moduleSpec';

/** "All or none": a task that runs any listed (function, patch) pair must run all of them. */
export interface DependencySpec {
  name: string;
  together: { function: string; patch: string }[];
}

export function validatePolicy(v: unknown, path: string, p: Problems): PolicyName {
  return oneOf(v, path, p, POLICY_NAMES, 'upstream');
}

/** A module field only one policy has is an error under the others (it would be ignored). */
export function checkPolicyFields(modules: readonly ModuleSpec[], policy: PolicyName, p: Problems): void {
  modules.forEach((m, i) => {
    if (typeof m === 'string' || !m.livepatch) return;
    const at = item('modules', i);
    if (m.replaceable !== undefined && policy !== 'hybrid-rfc-2025') p.add(field(at, 'replaceable'), `only kernel.policy "hybrid-rfc-2025" has a replaceable attribute (this scenario runs "${policy}")`);
    if (m.replaceSet !== undefined && policy !== 'replace-set-2026') p.add(field(at, 'replaceSet'), `only kernel.policy "replace-set-2026" has replace sets (this scenario runs "${policy}")`);
    if (m.replace && policy === 'replace-set-2026') p.add(field(at, 'replace'), 'kernel.policy "replace-set-2026" has no replace flag: every patch replaces the patches of its own replaceSet');
  });
}

const PATCH_NAME = { ...MODULE_NAME, pattern: { re: /^(original|[A-Za-z0-9_]+)$/, what: 'a livepatch module name, or "original"' } };

export function validateDependencies(v: unknown, path: string, p: Problems): DependencySpec[] {
  const out: DependencySpec[] = [];
  array(v, path, p, 'dependencies', 1000).forEach((d, i) => {
    const at = item(path, i);
    const o = object(d, at, p, 'a dependency ({ name, together })', ['name', 'together'], ['name', 'together']);
    if (!o) return;
    const tp = field(at, 'together');
    const together: DependencySpec['together'] = [];
    const raw = array(get(o, 'together'), tp, p, '(function, patch) pairs', 1000);
    if (Array.isArray(get(o, 'together')) && raw.length < 2) p.add(tp, 'expected at least two { function, patch } pairs (a dependency ties functions together)');
    raw.forEach((x, j) => {
      const pp = item(tp, j);
      const po = object(x, pp, p, 'a pair ({ function, patch })', ['function', 'patch'], ['function', 'patch']);
      if (!po) return;
      if (!present(po, 'function') || !present(po, 'patch')) return;
      together.push({ function: string(get(po, 'function'), field(pp, 'function'), p, FUNC_NAME), patch: string(get(po, 'patch'), field(pp, 'patch'), p, PATCH_NAME) });
    });
    out.push({ name: string(get(o, 'name'), field(at, 'name'), p, { min: 1, max: 200 }), together });
  });
  return out;
}

/**
 * Each pair of a dependency names a function its patch changes: a livepatch module of the
 * scenario whose objects patch that function (a selftest catalog module or "original" is taken
 * as written), and each function once per dependency. A pair no run can hold is a typo the
 * analysis would report as a violation forever.
 */
export function checkDependencies(deps: readonly DependencySpec[], modules: readonly ModuleSpec[], catalog: readonly string[], p: Problems): void {
  const patches = new Map<string, Set<string>>();
  for (const m of modules) if (typeof m !== 'string' && m.livepatch) patches.set(m.name, new Set(m.objects.flatMap((o) => o.funcs.map((f) => f.oldName))));
  deps.forEach((d, i) => {
    const seen = new Set<string>();
    d.together.forEach((x, j) => {
      const at = item(field(item('dependencies', i), 'together'), j);
      if (seen.has(x.function)) p.add(field(at, 'function'), `function ${JSON.stringify(x.function)} is listed twice in dependency ${JSON.stringify(d.name)}`);
      seen.add(x.function);
      if (x.patch === 'original' || catalog.includes(x.patch)) return;
      const funcs = patches.get(x.patch);
      if (!funcs) p.add(field(at, 'patch'), `${JSON.stringify(x.patch)} is not a livepatch module of this scenario`);
      else if (!funcs.has(x.function)) p.add(field(at, 'function'), `livepatch module ${JSON.stringify(x.patch)} does not patch ${JSON.stringify(x.function)} (it patches ${[...funcs].join(', ') || 'nothing'})`);
    });
  });
}
