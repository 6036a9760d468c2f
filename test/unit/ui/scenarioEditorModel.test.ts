import { describe, expect, it } from 'vitest';
import { defaultScenario } from '../../../src/scenario/defaultScenario';
import { validateScenario } from '../../../src/scenario/document';
import { buildSimulation } from '../../../src/scenario/build';
import {
  addClass, applyBlocker, CLASS_TEMPLATES, draftOf, editForm, editText, formView, KERNEL_VERSIONS, numberOrText, perTaskDebugOn,
  removeClass, setCatalogModule, setClassField, setCpus, setPerTaskDebug, setScript, setVersion, taskTotal, versionOptions, versionSummary,
} from '../../../src/ui/scenarioEditorModel';

function scenarioOf(text: string) {
  const r = validateScenario(JSON.parse(text));
  if (!r.ok) throw new Error(r.errors.join('; '));
  return r.scenario;
}

describe('scenario editor: form and JSON in sync', () => {
  it('a fresh draft is the whole document, valid, and the form shows its fields', () => {
    const d = draftOf(defaultScenario());
    expect(d.result.ok).toBe(true);
    expect(d.locked).toBe(false);
    expect(scenarioOf(d.text)).toEqual(defaultScenario());
    const f = formView(d.formDoc);
    expect(f.title).toBe(defaultScenario().title);
    expect(f.version).toBe('6.19');
    expect(f.cpus).toBe('4');
    expect(f.perTaskDebug).toBe(false);
    expect(f.script.split('\n')).toEqual(defaultScenario().script);
  });

  it('form edits rewrite the JSON text, which validates to the edited scenario', () => {
    let d = draftOf(defaultScenario());
    d = editForm(d, setVersion('6.1'));
    d = editForm(d, setCpus('16'));
    const s = scenarioOf(d.text);
    expect(s.kernel.version).toBe('6.1');
    expect(s.kernel.cpus.count).toBe(16);
    expect(formView(d.formDoc).cpus).toBe('16');
  });

  it('a bad number typed in the form is written as typed and named by validation', () => {
    const d = editForm(draftOf(defaultScenario()), setCpus('lots'));
    expect(JSON.parse(d.text).kernel.cpus.count).toBe('lots');
    expect(d.result.ok).toBe(false);
    if (!d.result.ok) expect(d.result.errors[0]).toMatch(/^kernel\.cpus\.count: /);
    // The form made the error: it stays editable and can fix it.
    expect(d.locked).toBe(false);
    const fixed = editForm(d, setCpus('2'));
    expect(fixed.result.ok).toBe(true);
  });

  it('JSON that validates moves the form; JSON that does not leaves it, locks it, and keeps the text', () => {
    const d0 = draftOf(defaultScenario());
    const doc = JSON.parse(d0.text);
    doc.kernel.version = '6.8';
    const d1 = editText(d0, JSON.stringify(doc));
    expect(d1.locked).toBe(false);
    expect(formView(d1.formDoc).version).toBe('6.8');

    doc.tasks.classes = [{ comm: 'x-%d', count: 'many' }];
    const bad = JSON.stringify(doc);
    const d2 = editText(d1, bad);
    expect(d2.text).toBe(bad);
    expect(d2.locked).toBe(true);
    expect(formView(d2.formDoc).version).toBe('6.8');
    expect(formView(d2.formDoc).classes).toEqual([]);
    // The errors are validateScenario's own, each naming its field path.
    const direct = validateScenario(doc);
    expect(direct.ok).toBe(false);
    expect(d2.result).toEqual(direct);
    expect(d2.result.ok ? '' : d2.result.errors[0]).toMatch(/^tasks\.classes\[0\]\.count: /);
    // A locked form refuses edits: the typed text survives.
    expect(editForm(d2, setCpus('8'))).toBe(d2);
    // Fixing the JSON unlocks it and the form follows.
    doc.tasks.classes[0].count = 3;
    const d3 = editText(d2, JSON.stringify(doc));
    expect(d3.locked).toBe(false);
    expect(formView(d3.formDoc).classes).toEqual([{ name: 'x-%d', comm: 'x-%d', count: '3', kind: 'user' }]);
  });

  it('text that is not JSON is kept and reported as such', () => {
    const d = editText(draftOf(defaultScenario()), '{ "format": ');
    expect(d.text).toBe('{ "format": ');
    expect(d.locked).toBe(true);
    expect(d.result.ok ? '' : d.result.errors[0]).toMatch(/^document: not valid JSON/);
    expect(applyBlocker(d)).toBe('The document has 1 error (listed below); fix it to apply.');
    expect(applyBlocker(draftOf(defaultScenario()))).toBeUndefined();
  });

  it('numberOrText keeps what is not a number', () => {
    expect(numberOrText('12')).toBe(12);
    expect(numberOrText(' 2.5 ')).toBe(2.5);
    expect(numberOrText('')).toBe('');
    expect(numberOrText('1e')).toBe('1e');
  });
});

describe('scenario editor: fields', () => {
  it('per-task debug lines follow the dynamic debug rules and the checkbox adds or removes the line', () => {
    expect(perTaskDebugOn(['file kernel/livepatch/* +p'])).toBe(true);
    expect(perTaskDebugOn(['file kernel/livepatch/* +p', 'func klp_try_switch_task -p'])).toBe(false);
    let d = draftOf(defaultScenario());
    d = editForm(d, setPerTaskDebug(true));
    expect(scenarioOf(d.text).kernel.dynamicDebug).toEqual(['file kernel/livepatch/* +p', 'func klp_try_switch_task +p']);
    expect(formView(d.formDoc).perTaskDebug).toBe(true);
    d = editForm(d, setPerTaskDebug(false));
    // The file rule would still print them: an explicit -p keeps them off.
    expect(scenarioOf(d.text).kernel.dynamicDebug).toEqual(['file kernel/livepatch/* +p', 'func klp_try_switch_task -p']);
    d = editForm(d, (doc) => {
      (doc.kernel as { dynamicDebug: string[] }).dynamicDebug = ['func klp_try_switch_task +p'];
    });
    d = editForm(d, setPerTaskDebug(false));
    expect(scenarioOf(d.text).kernel.dynamicDebug).toEqual([]);
  });

  it('catalog modules are listed and unlisted; defined modules stay', () => {
    let d = draftOf({ ...defaultScenario(), modules: ['test_klp_livepatch', { ...customModule() }] });
    d = editForm(d, setCatalogModule('test_klp_state', true));
    d = editForm(d, setCatalogModule('test_klp_livepatch', false));
    const s = scenarioOf(d.text);
    expect(s.modules.map((m) => (typeof m === 'string' ? m : m.name))).toEqual(['stuckmod', 'test_klp_state']);
    const f = formView(d.formDoc);
    expect(f.catalogModules).toEqual(['test_klp_state']);
    expect(f.customModules).toEqual([{ name: 'stuckmod', livepatch: false }]);
  });

  it('task classes: add from every template (valid, unique names), edit, remove; the total counts them', () => {
    let d = draftOf(defaultScenario());
    expect(taskTotal(d.formDoc)).toBe(0);
    for (const t of CLASS_TEMPLATES) d = editForm(d, addClass(t.id));
    d = editForm(d, addClass('idle'));
    expect(d.result.ok ? [] : d.result.errors).toEqual([]);
    const s = scenarioOf(d.text);
    expect(s.tasks.classes.map((c) => c.name)).toEqual([...CLASS_TEMPLATES.map((t) => t.spec.name), 'idle threads 2']);
    const sum = CLASS_TEMPLATES.reduce((n, t) => n + t.spec.count, 0) + 100;
    expect(taskTotal(d.formDoc)).toBe(sum);
    expect(formView(d.formDoc).totalTasks).toBe(sum);

    d = editForm(d, setClassField(0, 'count', '7'));
    d = editForm(d, setClassField(0, 'comm', 'web-%d'));
    d = editForm(d, setClassField(0, 'name', 'web'));
    d = editForm(d, setClassField(0, 'kind', 'kthread'));
    const c0 = scenarioOf(d.text).tasks.classes[0];
    expect([c0.name, c0.comm, c0.count, c0.kind, c0.syscallRatePerS]).toEqual(['web', 'web-%d', 7, 'kthread', 0]);
    expect(taskTotal(d.formDoc)).toBe(sum - 100 + 7);

    d = editForm(d, removeClass(0));
    expect(scenarioOf(d.text).tasks.classes.map((c) => c.name)[0]).toBe(CLASS_TEMPLATES[1].spec.name);
    expect(() => addClass('nope')({})).toThrow(/no task class template/);
  });

  it('each template boots: its frames exist and its kind fits (installWorkload accepts it)', () => {
    for (const t of CLASS_TEMPLATES) {
      const s = scenarioOf(editForm(draftOf(defaultScenario()), addClass(t.id)).text);
      const sim = buildSimulation(s);
      expect(sim.workload?.classes.map((c) => c.name), t.id).toEqual([t.spec.name]);
    }
  });

  it("a kthread template's frames start as the scenario's kernel starts a task (ret_from_fork_asm from 6.6)", () => {
    const kthreadFrames = (version: string) => {
      const d = editForm(editForm(draftOf(defaultScenario()), setVersion(version)), addClass('kworkers'));
      const c = scenarioOf(d.text).tasks.classes.find((x) => x.kind === 'kthread');
      return c?.phases[0].frames.slice(0, 3);
    };
    expect(kthreadFrames('6.1')).toEqual(['ret_from_fork', 'kthread', 'worker_thread']);
    expect(kthreadFrames('6.5')).toEqual(['ret_from_fork', 'kthread', 'worker_thread']);
    expect(kthreadFrames('6.6')).toEqual(['ret_from_fork_asm', 'ret_from_fork', 'kthread']);
  });

  it('a count typed as text is not counted and validation names it', () => {
    let d = editForm(draftOf(defaultScenario()), addClass('forking'));
    d = editForm(d, setClassField(0, 'count', 'x'));
    expect(taskTotal(d.formDoc)).toBe(0);
    expect(d.result.ok ? '' : d.result.errors[0]).toMatch(/^tasks\.classes\[0\]\.count: expected/);
  });

  it('the script textarea is one line per row, blank lines included', () => {
    const d = editForm(draftOf(defaultScenario()), setScript('load_mod test_klp_livepatch\n\nsleep 1'));
    expect(scenarioOf(d.text).script).toEqual(['load_mod test_klp_livepatch', '', 'sleep 1']);
    expect(formView(d.formDoc).script).toBe('load_mod test_klp_livepatch\n\nsleep 1');
  });

  it('every offered kernel version validates, and each has a summary of its profile', () => {
    expect(KERNEL_VERSIONS[0]).toBe('6.1');
    expect(KERNEL_VERSIONS.at(-1)).toBe('6.19');
    for (const v of KERNEL_VERSIONS) {
      const d = editForm(draftOf(defaultScenario()), setVersion(v));
      expect(d.result.ok, v).toBe(true);
    }
    expect(versionOptions('6.12')).toEqual(KERNEL_VERSIONS);
    expect(versionOptions('7.2').at(-1)).toBe('7.2');
    expect(versionSummary('6.1')).toMatch(/^No scheduler hook/);
    expect(versionSummary('6.8')).toMatch(/^cond_resched\(\) switches/);
    expect(versionSummary('6.19')).toMatch(/old_sympos 0 and 1 match\.$/);
  });
});

function customModule() {
  return {
    name: 'stuckmod', description: '', livepatch: false, replace: false, states: [], objects: [],
    functions: [{ name: 'stuck_loop', loop: true, body: [{ sleep: { us: 20000, sched: 'uninterruptible' as const } }] }],
    init: { print: [], ret: 0 }, exit: { print: [] }, kthreads: [], work: [],
  };
}
