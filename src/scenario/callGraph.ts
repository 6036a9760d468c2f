// Call cycles in a scenario's modules, found before anything runs. A function that calls
// itself, f -> g -> f, or a livepatch whose new function calls the function it patches
// (the ftrace handler sends that call back to the new function) would recurse until the
// kernel stack overflows; the run budget (call depth) would stop it, but it is known
// statically, so the validator says so with the path of the call step that closes the cycle.
//
// A scenario function calls its own module's functions or vmlinux (moduleSpec.callTarget), so
// a cycle stays inside one module, through the vmlinux functions that module itself patches.
// Cycles that need two livepatches loaded at once are left to the run budget.

import { field, item, type Problems } from './check';
import { callTarget, type CustomModuleSpec, type ModuleSpec } from './moduleSpec';

interface Edge {
  to: string;
  /** How the call reads in a message: `g`, or `vmlinux:f (patched: lp_f)`. */
  via: string;
  path: string;
}

function edgesOf(m: CustomModuleSpec, mpath: string): Map<string, Edge[]> {
  const own = new Set(m.functions.map((f) => f.name));
  // klp_ftrace_handler(): while this livepatch is applied, a call of vmlinux:old runs new.
  const redirect = new Map<string, string>();
  if (m.livepatch) {
    for (const ob of m.objects) {
      if (ob.name !== 'vmlinux') continue;
      for (const f of ob.funcs) if (own.has(f.newFunc)) redirect.set(f.oldName, f.newFunc);
    }
  }
  const edges = new Map<string, Edge[]>();
  m.functions.forEach((f, fi) => {
    const out: Edge[] = [];
    f.body.forEach((s, si) => {
      if (!('call' in s)) return;
      const t = callTarget(s.call, own);
      const path = field(item(field(item(field(mpath, 'functions'), fi), 'body'), si), 'call');
      if (t.owner === 'self') out.push({ to: t.name, via: t.name, path });
      else {
        const to = redirect.get(t.name);
        if (to !== undefined) out.push({ to, via: `vmlinux:${t.name} (which this livepatch replaces with ${to})`, path });
      }
    });
    if (!edges.has(f.name)) edges.set(f.name, out);
  });
  return edges;
}

/** Report every call step that closes a cycle among the scenario's modules. */
export function checkCallCycles(modules: readonly ModuleSpec[], p: Problems): void {
  modules.forEach((m, mi) => {
    if (typeof m === 'string') return;
    const edges = edgesOf(m, item('modules', mi));
    const state = new Map<string, 'open' | 'done'>();
    const stack: string[] = [];
    const visit = (fn: string): void => {
      state.set(fn, 'open');
      stack.push(fn);
      for (const e of edges.get(fn) ?? []) {
        const s = state.get(e.to);
        if (s === 'open') {
          const cycle = [...stack.slice(stack.indexOf(e.to)), e.to].join(' -> ');
          p.add(e.path, `${fn} calls ${e.via}, which leads back to ${e.to}: a call cycle (${cycle}) that would recurse until the kernel stack overflows`);
        } else if (s === undefined) visit(e.to);
      }
      stack.pop();
      state.set(fn, 'done');
    };
    for (const fn of edges.keys()) if (!state.has(fn)) visit(fn);
  });
}
