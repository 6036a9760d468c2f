// Line numbers of the WARN sites (issue 12 point 3): every "at file:line" a splat prints comes
// from src/kernel/warnLines.ts, counted in the kernel source of the profile (the sources are
// named there). Quoted kernel text below, with the line it sits on:
//   kernel/livepatch/state.c:69 (v6.1, v6.12, v6.16):     if (WARN_ON_ONCE(!klp_transition_patch))
//   kernel/livepatch/patch.c:98 (v6.12, v6.16):           WARN_ON_ONCE(patch_state == KLP_TRANSITION_IDLE);
//   kernel/livepatch/transition.c:467 (v6.1):             WARN_ON_ONCE(klp_target_state == KLP_UNDEFINED);
//     (klp_start_transition(); v6.12: line 535, v6.16: line 514, as KLP_TRANSITION_IDLE)
//   kernel/livepatch/shadow.c:165:   WARN(1, "Duplicate shadow variable <%p, %lx>\n", obj, id);
//   kernel/livepatch/core.c:1042 (v6.16):                 if (WARN_ON(patch->enabled))
//     (__klp_enable_patch(); v6.1: 971, v6.12: 1017, v6.19: 1048 with klp_find_func()'s sympos hunk)
//   kernel/panic.c __warn() without a file: pr_warn("WARNING: CPU: %d PID: %d at %pS\n", ...)

import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Simulation } from '../../../src/engine/simulation';
import { klpGetPrevState } from '../../../src/kernel/state';
import { klpStartTransition, klpTryCompleteTransition } from '../../../src/kernel/transition';
import { warnLine, type WarnSite } from '../../../src/kernel/warnLines';

const PROFILES = [601, 612, 616];

/** Every WARN site the model can raise: the literal warn()/warnAs() calls in src/. */
function sitesInSource(): WarnSite[] {
  const files: string[] = [];
  const walk = (dir: string): void => {
    for (const name of readdirSync(dir)) {
      const p = join(dir, name);
      if (statSync(p).isDirectory()) walk(p);
      else if (p.endsWith('.ts') || p.endsWith('.tsx')) files.push(p);
    }
  };
  walk('src');
  const call = /\.warn(?:As)?\(\s*(?:[\w.]+,\s*)?'(kernel\/[^']+)',\s*'([^']+)',\s*(?:(?:true|false),\s*)?'([^']+)'/g;
  const sites = new Map<string, WarnSite>();
  for (const f of files) {
    for (const m of readFileSync(f, 'utf8').matchAll(call)) sites.set(`${m[1]}:${m[2]}:${m[3]}`, { file: m[1], func: m[2], why: m[3] });
  }
  return [...sites.values()];
}

function warningsOf(sim: Simulation, from: number): string[] {
  return sim.log
    .slice(from)
    .map((l) => l.text)
    .filter((t) => t.startsWith('WARNING: '));
}

describe('WARN line table (warnLines.ts)', () => {
  const sites = sitesInSource();

  it('finds the model\'s WARN sites in the source (patch.c, state.c, shadow.c, transition.c, core.c)', () => {
    const files = new Set(sites.map((s) => s.file));
    expect([...files].sort()).toEqual(['kernel/livepatch/core.c', 'kernel/livepatch/patch.c', 'kernel/livepatch/shadow.c', 'kernel/livepatch/state.c', 'kernel/livepatch/transition.c']);
    expect(sites.length).toBe(18);
  });

  it.each(PROFILES)('every site the model can raise has a counted line in profile %i', (n) => {
    const missing = sites.filter((s) => warnLine(n, s) === undefined).map((s) => `${s.file} ${s.func} (${s.why})`);
    expect(missing).toEqual([]);
  });

  it('the counted lines of the quoted kernel text', () => {
    const at = (n: number, file: string, func: string, why: string) => warnLine(n, { file: `kernel/livepatch/${file}`, func, why });
    for (const n of PROFILES) {
      expect(at(n, 'state.c', 'klp_get_prev_state', '!klp_transition_patch')).toBe(69);
      expect(at(n, 'patch.c', 'klp_ftrace_handler', 'patch_state == KLP_TRANSITION_IDLE')).toBe(98);
      expect(at(n, 'shadow.c', '__klp_shadow_get_or_alloc', 'duplicate')).toBe(165);
    }
    expect([601, 612, 616].map((n) => at(n, 'transition.c', 'klp_start_transition', 'klp_target_state == KLP_TRANSITION_IDLE'))).toEqual([467, 535, 514]);
    expect([601, 612, 616, 619].map((n) => at(n, 'core.c', '__klp_enable_patch', 'patch->enabled'))).toEqual([971, 1017, 1042, 1048]);
    // v6.12 transition.c, counted in 6.12.117 (no 6.12.y change to the file).
    expect(at(612, 'transition.c', 'klp_init_transition', 'task->patch_state != KLP_TRANSITION_IDLE')).toBe(600);
    expect(at(612, 'transition.c', 'klp_cancel_transition', 'klp_target_state != KLP_TRANSITION_PATCHED')).toBe(167);
  });

  it('answers nothing for a version whose source was not counted, or a site it does not have', () => {
    const start: WarnSite = { file: 'kernel/livepatch/transition.c', func: 'klp_start_transition', why: 'klp_target_state == KLP_TRANSITION_IDLE' };
    expect(warnLine(602, start)).toBeUndefined();
    expect(warnLine(608, start)).toBe(535);
    expect(warnLine(608, { file: 'kernel/livepatch/core.c', func: '__klp_enable_patch', why: 'patch->enabled' })).toBeUndefined();
    expect(warnLine(612, { ...start, why: 'something else' })).toBeUndefined();
  });
});

describe('the WARNING line of a splat', () => {
  it('v6.12: klp_get_prev_state() outside a transition warns at state.c:69', () => {
    const sim = new Simulation({ version: '6.12' });
    const before = sim.log.length;
    expect(klpGetPrevState(sim.kernel, 1)).toBeNull();
    expect(warningsOf(sim, before)[0]).toMatch(/^WARNING: CPU: \d PID: \d+ at kernel\/livepatch\/state\.c:69 klp_get_prev_state\+0x[0-9a-f]+\/0x[0-9a-f]+$/);
  });

  it.each([
    ['6.1', 467, 391],
    ['6.8', 535, 458],
    ['6.12', 535, 458],
    ['6.16', 514, 437],
    ['6.19', 514, 437],
  ])('v%s: klp_start_transition() and klp_try_complete_transition() with no transition warn at transition.c:%i and :%i', (version, start, tryComplete) => {
    const sim = new Simulation({ version });
    const before = sim.log.length;
    klpStartTransition(sim.kernel);
    klpTryCompleteTransition(sim.kernel);
    expect(warningsOf(sim, before).map((w) => / at (\S+) /.exec(w)?.[1])).toEqual([`kernel/livepatch/transition.c:${start}`, `kernel/livepatch/transition.c:${tryComplete}`]);
  });

  it('v6.2 (transition.c not counted): __warn()\'s form without a file, never a made-up line', () => {
    const sim = new Simulation({ version: '6.2' });
    const before = sim.log.length;
    klpStartTransition(sim.kernel);
    const [w] = warningsOf(sim, before);
    expect(w).toMatch(/^WARNING: CPU: \d PID: \d+ at klp_start_transition\+0x[0-9a-f]+\/0x[0-9a-f]+$/);
  });
});
