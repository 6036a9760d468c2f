// The scenario document (src/scenario/document.ts): defaults, a full round trip, and the exact
// message of every kind of validation error (each names the field path and what was expected).

import { describe, expect, it } from 'vitest';
import { DEFAULT_KERNEL, FORMAT, migrate, parseScenarioText, toDocument, validateScenario, type Scenario } from '../../../src/scenario/document';
import { DEFAULT_CONFIG } from '../../../src/kernel/kernel';
import { kernelConfigOf } from '../../../src/scenario/build';
import { FULL_DOCUMENT, HEAD } from '../../support/scenarioFixtures';

function errorsOf(doc: unknown): string[] {
  const r = validateScenario(doc);
  expect(r.ok).toBe(false);
  return r.ok ? [] : r.errors;
}

function scenarioOf(doc: unknown): Scenario {
  const r = validateScenario(doc);
  if (!r.ok) throw new Error(r.errors.join('\n'));
  return r.scenario;
}

describe('a valid document', () => {
  it('needs only format and version; every other field takes the selftest configuration default', () => {
    const s = scenarioOf(HEAD);
    expect(s).toEqual({ title: '', description: '', seed: 1, kernel: DEFAULT_KERNEL, modules: [], tasks: { classes: [], fixed: [] }, script: [], dependencies: [] });
  });

  it('a full document validates, and its document (full or compact) validates back to the same scenario', () => {
    const s = scenarioOf(FULL_DOCUMENT);
    expect(s.kernel.cpus).toEqual({ count: 8, offline: [7] });
    expect(s.tasks.classes[0].comm).toBe('nginx-%d');
    expect(scenarioOf(toDocument(s))).toEqual(s);
    expect(scenarioOf(JSON.parse(JSON.stringify(toDocument(s, true))))).toEqual(s);
    const r = parseScenarioText(JSON.stringify(FULL_DOCUMENT));
    expect(r.ok && r.scenario).toEqual(s);
  });

  it('the compact document leaves out every default', () => {
    expect(toDocument(scenarioOf(HEAD), true)).toEqual(HEAD);
    const s = scenarioOf({ ...HEAD, tasks: { classes: [{ comm: 'w', count: 2 }] } });
    expect(s.tasks.classes[0]).toEqual({ name: 'w', comm: 'w', count: 2, kind: 'user', phases: [], syscallRatePerS: 0, forkRatePerS: 0, exitRatePerS: 0, reliableStack: true });
    expect(toDocument(s, true)).toEqual({ ...HEAD, tasks: { classes: [{ comm: 'w', count: 2 }] } });
  });

  it('the walk knobs and watchdog_thresh default to the KernelConfig defaults, reach the KernelConfig, and survive both documents', () => {
    expect(DEFAULT_KERNEL.walk).toEqual({ checkUsPerTask: DEFAULT_CONFIG.walkCheckUsPerTask, debugPrintUs: DEFAULT_CONFIG.walkDebugPrintUs });
    expect(DEFAULT_KERNEL.watchdogThresh).toBe(DEFAULT_CONFIG.watchdogThresh);
    expect(kernelConfigOf(scenarioOf(HEAD))).toMatchObject({ walkCheckUsPerTask: 3, walkDebugPrintUs: 8680, watchdogThresh: 10 });
    // Only the fields set differ from the defaults; 0 is a valid print cost and turns the detector off.
    const doc = { ...HEAD, kernel: { walk: { debugPrintUs: 0 }, watchdogThresh: 0 } };
    const s = scenarioOf(doc);
    expect(s.kernel.walk).toEqual({ checkUsPerTask: 3, debugPrintUs: 0 });
    expect(s.kernel.watchdogThresh).toBe(0);
    expect(kernelConfigOf(s)).toMatchObject({ walkCheckUsPerTask: 3, walkDebugPrintUs: 0, watchdogThresh: 0 });
    expect(toDocument(s, true)).toEqual(doc);
    expect(scenarioOf(toDocument(s))).toEqual(s);
    const slow = scenarioOf({ ...HEAD, kernel: { walk: { checkUsPerTask: 2.5, debugPrintUs: 104_167 }, watchdogThresh: 60 } });
    expect(kernelConfigOf(slow)).toMatchObject({ walkCheckUsPerTask: 2.5, walkDebugPrintUs: 104_167, watchdogThresh: 60 });
    expect(toDocument(slow, true)).toEqual({ ...HEAD, kernel: { walk: { checkUsPerTask: 2.5, debugPrintUs: 104_167 }, watchdogThresh: 60 } });
    // Set to their defaults, the fields are left out of the compact document.
    expect(toDocument(scenarioOf({ ...HEAD, kernel: { walk: { debugPrintUs: 8680 }, watchdogThresh: 10 } }), true)).toEqual(HEAD);
  });

  it('a class may set the mean times of the two exit steps; they survive both documents; bad values are named', () => {
    const doc = { ...HEAD, tasks: { classes: [{ comm: 'job-%d', count: 3, exitRatePerS: 1, exitListedUs: 1500, exitUnhashedUs: 300000 }] } };
    const s = scenarioOf(doc);
    expect(s.tasks.classes[0]).toMatchObject({ exitRatePerS: 1, exitListedUs: 1500, exitUnhashedUs: 300000 });
    expect(toDocument(s, true)).toEqual(doc);
    expect(scenarioOf(toDocument(s))).toEqual(s);
    expect(scenarioOf({ ...HEAD, tasks: { classes: [{ comm: 'w', count: 1 }] } }).tasks.classes[0]).not.toHaveProperty('exitUnhashedUs');
    expect(errorsOf({ ...HEAD, tasks: { classes: [{ comm: 'w', count: 1, exitUnhashedUs: 0, exitListedUs: 'x' }] } })).toEqual(['tasks.classes[0].exitListedUs: expected a positive number, got "x"', 'tasks.classes[0].exitUnhashedUs: expected a positive number, got 0']);
  });
});

describe('validation errors name the field path and what was expected', () => {
  it('the document itself, its format and its version', () => {
    expect(errorsOf(42)).toEqual(['document: expected a scenario document (a JSON object), got 42']);
    expect(errorsOf([])).toEqual(['document: expected a scenario document (a JSON object), got an array']);
    expect(errorsOf({})).toEqual(['format: missing (a scenario document needs format, version)', 'version: missing (a scenario document needs format, version)']);
    expect(errorsOf({ format: 'other', version: 1 })).toEqual(['format: expected "livepatch-explorer/scenario", got "other"']);
    expect(errorsOf({ format: FORMAT, version: 2 })).toEqual(['version: this document is version 2, written by a newer Livepatch Explorer; this one reads versions up to 1']);
    expect(errorsOf({ format: FORMAT, version: '1' })).toEqual(['version: expected the document version, a whole number (this explorer writes 1), got "1"']);
  });

  it('migrate() passes version 1 through and rejects unknown future versions', () => {
    expect(migrate({ ...HEAD })).toEqual({ ok: true, doc: HEAD });
    expect(migrate({ format: FORMAT, version: 7 })).toEqual({ ok: false, error: 'version: this document is version 7, written by a newer Livepatch Explorer; this one reads versions up to 1' });
  });

  it('unknown fields are rejected with the allowed names', () => {
    expect(errorsOf({ ...HEAD, titel: 'x' })).toEqual(['titel: unknown field (allowed: format, version, title, description, seed, kernel, modules, tasks, script, dependencies)']);
    expect(errorsOf({ ...HEAD, kernel: { cpu: 4 } })).toEqual(['kernel.cpu: unknown field (allowed: version, cpus, hz, reliableStacktrace, dynamicDebug, ftraceEnabled, walk, watchdogThresh, policy)']);
    expect(errorsOf({ ...HEAD, kernel: { 'a b': 1 } })).toEqual(['kernel["a b"]: unknown field (allowed: version, cpus, hz, reliableStacktrace, dynamicDebug, ftraceEnabled, walk, watchdogThresh, policy)']);
    expect(errorsOf(JSON.parse(`{"format":"${FORMAT}","version":1,"__proto__":{"x":1}}`))).toEqual(['__proto__: unknown field (allowed: format, version, title, description, seed, kernel, modules, tasks, script, dependencies)']);
  });

  it('scalar fields: title, seed', () => {
    expect(errorsOf({ ...HEAD, title: 'x'.repeat(201) })).toEqual([`title: expected at most 200 characters, got "${'x'.repeat(40)}..." (201 characters)`]);
    expect(errorsOf({ ...HEAD, seed: -1 })).toEqual(['seed: expected an integer from 0 to 4294967295, got -1']);
    expect(errorsOf({ ...HEAD, seed: 1.5 })).toEqual(['seed: expected an integer from 0 to 4294967295, got 1.5']);
  });

  it('kernel settings', () => {
    const k = (kernel: unknown) => errorsOf({ ...HEAD, kernel });
    expect(k({ version: '5.15' })).toEqual(['kernel.version: expected a kernel version profile: "6.1", "6.4" to "6.15", or "6.16" and later (e.g. "6.19"), got "5.15"']);
    expect(k({ version: '6.2' })[0]).toMatch(/^kernel\.version: expected a kernel version profile/);
    expect(k({ version: 6.1 })[0]).toMatch(/got 6\.1$/);
    expect(k({ cpus: { count: 2000 } })).toEqual(['kernel.cpus.count: expected an integer from 1 to 1024, got 2000']);
    expect(k({ cpus: 4 })).toEqual(['kernel.cpus: expected the CPUs ({ count, offline }) (a JSON object), got 4']);
    expect(k({ cpus: { count: 4, offline: [0] } })).toEqual(['kernel.cpus.offline[0]: expected an integer from 1 to 3, got 0']);
    expect(k({ cpus: { count: 4, offline: [2, 2] } })).toEqual(['kernel.cpus.offline[1]: CPU 2 is listed twice']);
    expect(k({ hz: 200 })).toEqual(['kernel.hz: expected one of 100, 250, 300, 1000, got 200']);
    expect(k({ reliableStacktrace: 'yes' })).toEqual(['kernel.reliableStacktrace: expected true or false, got "yes"']);
    expect(k({ dynamicDebug: ['func klp_try_switch_task'] })).toEqual(['kernel.dynamicDebug[0]: expected a dynamic debug control line such as "func klp_try_switch_task +p", got "func klp_try_switch_task"']);
    expect(k({ walk: { checkUsPerTask: 0 } })).toEqual(['kernel.walk.checkUsPerTask: expected a positive number, got 0']);
    expect(k({ walk: { checkUs: 3 } })).toEqual(['kernel.walk.checkUs: unknown field (allowed: checkUsPerTask, debugPrintUs)']);
    expect(k({ walk: 3 })).toEqual(['kernel.walk: expected the walk cost model ({ checkUsPerTask, debugPrintUs }) (a JSON object), got 3']);
    expect(k({ walk: { debugPrintUs: -1 } })).toEqual(['kernel.walk.debugPrintUs: expected a non-negative number, got -1']);
    expect(k({ walk: { debugPrintUs: '8680' } })).toEqual(['kernel.walk.debugPrintUs: expected a non-negative number, got "8680"']);
    expect(k({ walk: { debugPrintUs: 1_000_001 } })).toEqual(['kernel.walk.debugPrintUs: expected a non-negative number of at most 1000000, got 1000001']);
    expect(k({ watchdogThresh: 61 })).toEqual(['kernel.watchdogThresh: expected an integer from 0 to 60, got 61']);
    expect(k({ watchdogThresh: -1 })).toEqual(['kernel.watchdogThresh: expected an integer from 0 to 60, got -1']);
    expect(k({ watchdogThresh: 2.5 })).toEqual(['kernel.watchdogThresh: expected an integer from 0 to 60, got 2.5']);
    expect(k({ watchdogThresh: '10' })).toEqual(['kernel.watchdogThresh: expected an integer from 0 to 60, got "10"']);
  });

  it('task classes: the example of the issue, counts, comm patterns, frames', () => {
    const cls = (extra: Record<string, unknown>) => ({ comm: 'w-%d', count: 10, ...extra });
    const t = (classes: unknown[]) => errorsOf({ ...HEAD, tasks: { classes } });
    const phase = { frames: ['schedule'], dwellUs: 10, sched: 'interruptible' };
    expect(t([cls({}), cls({}), cls({ phases: [{ ...phase, dwellUs: 'x' }] })])).toEqual(['tasks.classes[2].phases[0].dwellUs: expected a positive number, got "x"']);
    expect(t([cls({ count: 0 })])).toEqual(['tasks.classes[0].count: expected an integer from 1 to 1000000, got 0']);
    expect(t([cls({ count: 600_000 }), cls({ count: 500_000 })])).toEqual(['tasks: expected at most 1,000,000 tasks in all, the classes and fixed tasks add up to 1,100,000']);
    expect(t([cls({ comm: 'nginx-worker-%d', count: 101 })])).toEqual(['tasks.classes[0].comm: expected at most 15 characters after expansion (TASK_COMM_LEN - 1), "nginx-worker-100" has 16']);
    expect(t([cls({ comm: 'a%s' })])).toEqual(['tasks.classes[0].comm: expected a comm pattern with at most one %d (replaced by the task\'s index), got "a%s"']);
    expect(t([cls({ kind: 'daemon' })])).toEqual(['tasks.classes[0].kind: expected one of "user", "kthread", got "daemon"']);
    expect(t([cls({ phases: [{ ...phase, sched: 'sleeping' }] })])).toEqual(['tasks.classes[0].phases[0].sched: expected one of "running", "interruptible", "uninterruptible", "freezable", "uninterruptible-freezable", got "sleeping"']);
    expect(t([cls({ phases: [{ ...phase, frames: [] }] })])).toEqual(['tasks.classes[0].phases[0].frames: expected at least one frame (outermost first)']);
    expect(t([cls({ phases: [{ ...phase, frames: ['nosuchmod:f'] }] })])).toEqual(['tasks.classes[0].phases[0].frames[0]: no module "nosuchmod" in this scenario or the catalog, and a frame names a vmlinux function']);
    expect(t([cls({ phases: [{ ...phase, frames: ['a b'] }] })])).toEqual(['tasks.classes[0].phases[0].frames[0]: expected a function name or vmlinux:name, got "a b"']);
    expect(t([cls({ syscallRatePerS: -1 })])).toEqual(['tasks.classes[0].syscallRatePerS: expected a non-negative number, got -1']);
    expect(t([cls({ cpuBound: { frames: ['kthread'] } })])).toEqual(['tasks.classes[0].cpuBound.condResched: missing (a CPU-bound loop ({ frames, condResched }) needs frames, condResched)']);
    expect(t([{ count: 1 }])).toEqual(['tasks.classes[0].comm: missing (a task class needs comm, count)']);
    // The workload's own rules, validated here once (installWorkload only asserts them).
    expect(t([cls({ kind: 'kthread', syscallRatePerS: 3, phases: [phase] })])).toEqual(['tasks.classes[0].syscallRatePerS: kthreads never enter from user space; expected 0']);
    expect(t([cls({ kind: 'kthread' })])).toEqual(['tasks.classes[0]: a kthread class needs phases (where it sleeps) or a cpuBound loop']);
    expect(t([cls({ kind: 'kthread', phases: [phase], cpuBound: { frames: ['kthread'], condResched: true } })])).toEqual(['tasks.classes[0].cpuBound: a CPU-bound loop never sleeps, so the class has no phases; expected phases: []']);
    expect(t([cls({ phases: [{ ...phase, frames: Array.from({ length: 101 }, () => 'schedule') }] })])).toEqual(['tasks.classes[0].phases[0].frames: expected at most 100 frames, got 101']);
    expect(t(Array.from({ length: 64 }, () => cls({ count: 1, phases: [phase] })))).toEqual(['tasks: expected at most 255 task states in all (one per phase, user space, CPU-bound loop and the two exit steps of each class, one per fixed task), these tasks need 256']);
    expect(errorsOf({ ...HEAD, tasks: { fixed: [{ comm: 'kworker/%d', frames: ['schedule'], sched: 'uninterruptible' }] } })).toEqual(['tasks.fixed[0].comm: expected a task name without %, got "kworker/%d"']);
  });

  it('modules: catalog names, names, livepatch structure, functions and steps', () => {
    const m = (mod: unknown) => errorsOf({ ...HEAD, modules: [mod] });
    const lp = (extra: Record<string, unknown>) => ({ name: 'lp', livepatch: true, functions: [{ name: 'f2' }], objects: [{ name: 'vmlinux', funcs: [{ oldName: 'f', newFunc: 'f2' }] }], ...extra });
    expect(m('test_klp_nothing')[0]).toBe('modules[0]: no catalog module "test_klp_nothing" (the catalog has test_klp_livepatch, test_klp_atomic_replace, test_klp_callbacks_demo, test_klp_callbacks_demo2, test_klp_callbacks_mod, test_klp_callbacks_busy, test_klp_mod_target, test_klp_mod_patch, test_klp_state, test_klp_state2, test_klp_state3, test_klp_syscall, test_klp_kprobe, test_klp_shadow_vars); define the module as an object instead');
    expect(m({ name: 'test_klp_livepatch' })).toEqual(['modules[0].name: "test_klp_livepatch" is a catalog module; list it by name ("test_klp_livepatch") or give this module another name']);
    expect(m({ name: 'x'.repeat(56) })).toEqual([`modules[0].name: expected at most 55 characters, got "${'x'.repeat(40)}..." (56 characters)`]);
    expect(m({ name: 'my-mod' })).toEqual(['modules[0].name: expected a module name (letters, digits and _, at most 55 characters), got "my-mod"']);
    expect(errorsOf({ ...HEAD, modules: ['test_klp_livepatch', 'test_klp_livepatch'] })).toEqual(['modules[1]: module "test_klp_livepatch" is listed twice']);
    expect(m({ name: 'lp', livepatch: true })).toEqual(['modules[0].objects: missing (a livepatch module patches at least one object, e.g. { "name": "vmlinux", "funcs": [...] })']);
    expect(m(lp({ objects: [] }))).toEqual(['modules[0].objects: expected at least one object']);
    expect(m(lp({ objects: [{ name: 'vmlinux', funcs: [{ oldName: 'f', newFunc: 'nope' }] }] }))).toEqual(['modules[0].objects[0].funcs[0].newFunc: no function "nope" in this module\'s functions (define what it does there)']);
    expect(m(lp({ objects: [{ name: 'vmlinux', funcs: [{ oldName: 'f', newFunc: 'f2', oldSympos: -1 }] }] }))).toEqual(['modules[0].objects[0].funcs[0].oldSympos: expected an integer from 0 to 2147483647, got -1']);
    expect(m(lp({ objects: [{ name: 'vmlinux', callbacks: { postPatch: { print: 'x', ret: -1 } } }] }))).toEqual(['modules[0].objects[0].callbacks.postPatch.ret: unknown field (allowed: print)']);
    expect(m(lp({ objects: [{ name: 'vmlinux', callbacks: { prePatch: { ret: 1 } } }] }))).toEqual(['modules[0].objects[0].callbacks.prePatch.ret: expected an integer from -4095 to 0, got 1']);
    expect(m(lp({ states: [{ id: 1, version: 1 }, { id: 1, version: 2 }] }))).toEqual(['modules[0].states[1].id: duplicate klp_state id 1 in this patch']);
    expect(m(lp({ kthreads: [] }))).toEqual(['modules[0].kthreads: a livepatch module does not start kthreads (put them in a target module)']);
    expect(m({ name: 't', replace: true })).toEqual(['modules[0].replace: only a livepatch module (livepatch: true) has replace']);
    expect(m({ name: 't', functions: [{ name: 'a', body: [{ print: 'x', show: 'y' }] }] })).toEqual(['modules[0].functions[0].body[0]: expected exactly one of print, show, call, sleep, run in a step, got print and show']);
    expect(m({ name: 't', functions: [{ name: 'a', loop: true, body: [{ print: 'x' }] }] })).toEqual(['modules[0].functions[0].loop: a looping function needs a sleep or run step, or it would spin without virtual time passing']);
    expect(m({ name: 't', functions: [{ name: 'a', body: [{ call: 'msleep' }] }] })).toEqual(['modules[0].functions[0].body[0].call: msleep() takes an argument a step cannot give: use a sleep step with sched "uninterruptible"']);
    expect(m({ name: 't', functions: [{ name: 'a', body: [{ call: 'nosuch_fn' }] }] })).toEqual(['modules[0].functions[0].body[0].call: no function "nosuch_fn" in this module\'s functions or in vmlinux']);
    expect(m({ name: 't', functions: [{ name: 'a', body: [{ call: 'other:f' }] }] })).toEqual(['modules[0].functions[0].body[0].call: a step calls a function of this module or of vmlinux ("name" or "vmlinux:name"), "other:f" names another owner']);
    expect(m({ name: 't', functions: [{ name: 'a', body: [{ sleep: { us: 10, sched: 'running' } }] }] })).toEqual(['modules[0].functions[0].body[0].sleep.sched: expected one of "interruptible", "uninterruptible", "freezable", "uninterruptible-freezable", got "running"']);
    expect(m({ name: 't', functions: [{ name: 'a' }, { name: 'a' }] })).toEqual(['modules[0].functions[1].name: duplicate function "a" in this module']);
    expect(m({ name: 't', kthreads: [{ comm: 'a-very-long-kthread', fn: 'f' }] })).toEqual([
      'modules[0].kthreads[0].comm: expected at most 15 characters, got "a-very-long-kthread"',
      'modules[0].kthreads[0].fn: no function "f" in this module\'s functions',
    ]);
    expect(m({ name: 't', init: { print: 'a\nb' } })).toEqual(['modules[0].init.print: expected one line of text (no newline), got "a\\nb"']);
    expect(m(lp({ init: { ret: -1 } }))).toEqual(['modules[0].init.ret: unknown field (allowed: print)']);
  });

  it('script: parse errors are reported as script[N], times must not go backwards, limits', () => {
    expect(errorsOf({ ...HEAD, script: ['sleep 1', 'frobnicate'] })[0]).toBe('script[1]: bash: frobnicate: command not found');
    expect(errorsOf({ ...HEAD, script: ['at 5s: sleep 1', 'at 2s: sleep 1'] })).toEqual(['script[1]: time 2s is earlier than 5s on line 1; times must not go backwards']);
    expect(errorsOf({ ...HEAD, script: ['at 5: sleep 1'] })).toEqual(["script[0]: expected a time such as 'at 5s:', 'at 1500ms:' or 'at 2.5s:', got 'at 5:'"]);
    expect(errorsOf({ ...HEAD, script: 'sleep 1' })).toEqual(['script: expected an array of script lines, got "sleep 1"']);
    expect(errorsOf({ ...HEAD, script: [1] })).toEqual(['script[0]: expected one line of the script language (no newline), got 1']);
    expect(errorsOf({ ...HEAD, script: new Array(10_001).fill('sleep 1') })).toEqual(['script: expected at most 10000 script lines, got 10001']);
  });

  it('document text: size limit and JSON syntax', () => {
    const big = JSON.stringify({ ...HEAD, description: 'x'.repeat(1_000_001) });
    expect(parseScenarioText(big)).toEqual({ ok: false, errors: ['document: expected at most 1,000,000 bytes of JSON, got 1,000,070'] });
    const r = parseScenarioText('{"format": ');
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.errors[0]).toMatch(/^document: not valid JSON \(/);
  });
});
