import { describe, expect, it } from 'vitest';
import { Session } from '../../../src/engine/session';
import { KLP_TRANSITION_IDLE, KLP_TRANSITION_PATCHED, KLP_TRANSITION_UNPATCHED } from '../../../src/kernel/constants';
import { klpFtraceChoice } from '../../../src/kernel/ftraceChoice';
import { sessionSourceOf } from '../../../src/scenario/build';
import { defaultScenario } from '../../../src/scenario/defaultScenario';

function stuck() {
  const s = new Session(sessionSourceOf(defaultScenario()));
  s.seek(s.start + 10_000_000);
  const k = s.sim.kernel;
  const orig = k.codeOf('test_klp_callbacks_busy', 'busymod_work_func');
  const find = (ps: number) => {
    for (let i = k.firstThread; i < k.tasks.n; i++) if (k.tasks.patchState[i] === ps) return i;
    throw new Error(`no task with patch_state ${ps}`);
  };
  return { s, k, orig, find };
}

describe('klpFtraceChoice: the ftrace handler as a pure query', () => {
  it('agrees with Kernel.resolveCall for unpatched and patched tasks during a transition', () => {
    const { k, orig, find } = stuck();
    const unpatched = find(KLP_TRANSITION_UNPATCHED);
    const patched = find(KLP_TRANSITION_PATCHED);
    const a = klpFtraceChoice(k, unpatched, orig);
    expect(a.code).toBe(orig);
    expect(a.entry).toBe(-1);
    expect(a.why).toContain('nothing below it');
    expect(a.code).toBe(k.resolveCall(unpatched, orig));
    const b = klpFtraceChoice(k, patched, orig);
    expect(k.syms.codes[b.code].name).toBe('patched_work_func');
    expect(b.entry).toBe(0);
    expect(b.func?.patch.name).toBe('test_klp_callbacks_demo');
    expect(b.code).toBe(k.resolveCall(patched, orig));
  });

  it('reports the WARN for an IDLE task without printing it', () => {
    const { k, orig, find } = stuck();
    const idle = find(KLP_TRANSITION_IDLE);
    const lines = k.log.records.length;
    const c = klpFtraceChoice(k, idle, orig);
    expect(c.warns).toBe(true);
    expect(c.entry).toBe(0);
    expect(k.syms.codes[c.code].name).toBe('patched_work_func');
    expect(k.log.records.length).toBe(lines);
    expect(k.taints.has('W')).toBe(false);
  });

  it('an unpatched function runs the original with no entry', () => {
    const { k } = stuck();
    const orig = k.codeOf('vmlinux', 'cmdline_proc_show');
    expect(klpFtraceChoice(k, k.firstThread, orig)).toMatchObject({ code: orig, entry: -1, func: null, warns: false });
  });
});
