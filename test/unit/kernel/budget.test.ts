// Issue 11's numbered failures, each with the input that found it: the run budget
// (src/kernel/budget.ts) stops what cannot be known before the run with one message, and the
// validator refuses what can, with the document's own path.

import { describe, expect, it } from 'vitest';
import { RUN_BUDGET, type RunLimits } from '../../../src/kernel/budget';
import { validateScenario, type Scenario } from '../../../src/scenario/document';
import { sessionSourceOf } from '../../../src/scenario/build';
import { parseLine, parseScript } from '../../../src/scenario/script';
import { validateCase } from '../../../src/scenario/case';
import { Session } from '../../../src/engine/session';
import { benchSource } from '../../../src/ui/benchHook';
import { HEAD } from '../../support/scenarioFixtures';
import { bootScenario } from '../../support/helpers';

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

/** Build and run without validating (what a bypassed validator would let through). */
function runUnvalidated(s: Scenario, limits: Partial<RunLimits> = {}) {
  const b = bootScenario(s, { limits: { ...RUN_BUDGET, ...limits } });
  const out = b.run();
  return { sim: b.sim, out };
}

const PROTO_NAMES = ['constructor', '__proto__', 'toString', 'valueOf', 'hasOwnProperty'];

describe('§2 names that are Object.prototype members are unknown, not crashes', () => {
  it.each(PROTO_NAMES)('the command %s is an unknown command in a script and in a document', (name) => {
    const p = parseScript([name]);
    expect(p.ok).toBe(false);
    if (!p.ok) expect(p.errors[0]).toMatch(new RegExp(`^line 1: bash: ${name}: command not found`));
    expect(errorsOf({ ...HEAD, script: ['sleep 1', `${name} x`] })[0]).toMatch(new RegExp(`^script\\[1\\]: bash: ${name}: command not found`));
  });

  it.each(PROTO_NAMES)('a console line %s is refused with a message, and the session goes on', (name) => {
    const session = new Session(sessionSourceOf(scenarioOf({ ...HEAD })));
    const r = session.command(name);
    expect(r.ok).toBe(false);
    session.advanceTo(session.now + 1_000_000);
    expect(session.stopped).toBeUndefined();
  });

  it.each(PROTO_NAMES)('a call step to vmlinux:%s names a missing function', (name) => {
    const doc = { ...HEAD, modules: [{ name: 'm', functions: [{ name: 'f', body: [{ call: `vmlinux:${name}` }] }] }] };
    const errors = errorsOf(doc);
    expect(errors.some((e) => e.startsWith('modules[0].functions[0].body[0].call: no function'))).toBe(true);
  });

  it('?bench=__proto__ and friends name no bench machine', () => {
    for (const name of PROTO_NAMES) expect(benchSource(`?bench=${name}`)).toBeUndefined();
    expect(benchSource('?bench=tasks-100k')).toBeDefined();
  });
});

describe('§3 recursion in scenario modules is refused with the path of the call, and bounded at run time', () => {
  const selfCall = { ...HEAD, modules: [{ name: 'rec', functions: [{ name: 'f', body: [{ call: 'f' }] }], kthreads: [{ comm: 'rec', fn: 'f' }] }], script: ['insmod rec.ko'] };
  const mutual = { ...HEAD, modules: [{ name: 'rec', functions: [{ name: 'f', body: [{ call: 'g' }] }, { name: 'g', body: [{ print: 'g' }, { call: 'f' }] }], kthreads: [{ comm: 'rec', fn: 'f' }] }], script: ['insmod rec.ko'] };
  const patchesItself = {
    ...HEAD,
    modules: [{ name: 'lp', livepatch: true, functions: [{ name: 'lp_show', body: [{ call: 'vmlinux:cmdline_proc_show' }] }], objects: [{ name: 'vmlinux', funcs: [{ oldName: 'cmdline_proc_show', newFunc: 'lp_show' }] }] }],
    script: ['load_lp lp', 'cat /proc/cmdline'],
  };

  it('a function calling itself', () => {
    expect(errorsOf(selfCall)).toEqual(['modules[0].functions[0].body[0].call: f calls f, which leads back to f: a call cycle (f -> f) that would recurse until the kernel stack overflows']);
  });

  it('f <-> g', () => {
    expect(errorsOf(mutual)).toEqual(['modules[0].functions[1].body[1].call: g calls f, which leads back to f: a call cycle (f -> g -> f) that would recurse until the kernel stack overflows']);
  });

  it('a livepatch whose new function calls the function it patches', () => {
    expect(errorsOf(patchesItself)).toEqual([
      'modules[0].functions[0].body[0].call: lp_show calls vmlinux:cmdline_proc_show (which this livepatch replaces with lp_show), which leads back to lp_show: a call cycle (lp_show -> lp_show) that would recurse until the kernel stack overflows',
    ]);
  });

  it('run anyway (validation bypassed), each stops at the call-depth budget with one message, the log kept', () => {
    for (const doc of [selfCall, mutual, patchesItself]) {
      const s = { ...scenarioOf({ ...HEAD, script: doc.script }), modules: doc.modules as Scenario['modules'] };
      const built = structuredClone(s);
      // Fill the defaults validateScenario would (the module's own fields).
      const v = validateScenario({ ...HEAD, modules: doc.modules.map((m) => ({ ...m, functions: m.functions.map((f) => ({ ...f, body: [] })) })) });
      if (!v.ok) throw new Error(v.errors.join('\n'));
      built.modules = v.scenario.modules.map((m, i) => (typeof m === 'string' ? m : { ...m, functions: m.functions.map((f, j) => ({ ...f, body: (doc.modules[i].functions[j].body as never) })) }));
      const { sim, out } = runUnvalidated(built);
      expect(out.budget?.budget).toBe('callDepth');
      expect(out.budget?.message).toMatch(/^run stopped at [\d.]+s: the call depth budget \(256 frames\) was reached by \S+ calling \w+\(\)$/);
      expect(sim.log.length).toBeGreaterThan(0);
    }
  });
});

describe('§5 24 hours of virtual time, the same in the CLI and the browser', () => {
  it('a line timed past 24 h, or a sleep longer, is refused by the validator', () => {
    expect(errorsOf({ ...HEAD, script: ['at 86401s: ls'] })).toEqual(["script[0]: 'at 86401s:' is past the 24 h of virtual time a run may last (at most 'at 86400s:')"]);
    expect(errorsOf({ ...HEAD, script: ['sleep 86401'] })).toEqual(['script[0]: sleep 86401 is longer than the 24 h of virtual time a run may last (at most sleep 86400)']);
  });

  it('sleeps that add up past 24 h stop at the virtual-time budget (CLI path: Simulation.run)', () => {
    const s = scenarioOf({ ...HEAD, script: ['sleep 86000', 'sleep 86000', 'ls'] });
    const b = bootScenario(s);
    const out = b.run();
    expect(out.budget?.budget).toBe('virtualUs');
    expect(out.budget?.message).toMatch(/^run stopped at [\d.]+s: the virtual time budget \(24 h\) was reached by /);
    expect(out.outcomes.length).toBe(1);
    expect(b.sim.kernel.clock.now - out.outcomes[0].time).toBeLessThanOrEqual(86_400_000_000);
  });

  it('the Session (page and worker) stops at the same point, and time does not pass it', () => {
    const session = new Session(sessionSourceOf(scenarioOf({ ...HEAD, script: ['sleep 86000', 'sleep 86000'] })));
    session.advanceTo(session.start + 90_000 * 1e6);
    expect(session.stopped).toMatch(/the virtual time budget \(24 h\)/);
    expect(session.now).toBe(session.start + 86_400_000_000);
    expect(session.stepEvent()).toBe(false);
  });
});

describe('§6 no run without bounds: events, log bytes, tasks', () => {
  it('1000 x 1000 x 1000 nested prints stop at the kernel log budget', () => {
    const three = { name: 'f3', body: Array.from({ length: 1000 }, () => ({ print: 'x'.repeat(100) })) };
    const two = { name: 'f2', body: Array.from({ length: 1000 }, () => ({ call: 'f3' })) };
    const one = { name: 'f1', body: Array.from({ length: 1000 }, () => ({ call: 'f2' })) };
    const s = scenarioOf({ ...HEAD, modules: [{ name: 'noisy', functions: [three, two, one], kthreads: [{ comm: 'noisy', fn: 'f1' }] }], script: ['insmod noisy.ko'] });
    const { sim, out } = runUnvalidated(s, { logBytes: 1_000_000 });
    expect(out.budget?.budget).toBe('logBytes');
    expect(out.budget?.message).toMatch(/the kernel log budget \(0\.954 MiB\) was reached by the line 'noisy: x{53}\.\.\.'/);
    expect(sim.budget.logBytes).toBeLessThan(1_000_200);
  });

  it('1000 kthreads on 1 µs steps stop at the events budget', () => {
    const s = scenarioOf({
      ...HEAD,
      modules: [{ name: 'spin', functions: [{ name: 's', loop: true, body: [{ sleep: { us: 1, sched: 'interruptible' } }] }], kthreads: Array.from({ length: 1000 }, (_, i) => ({ comm: `k${i}`, fn: 's' })) }],
      script: ['insmod spin.ko', 'sleep 100'],
    });
    const { out } = runUnvalidated(s, { events: 20_000 });
    expect(out.budget?.budget).toBe('events');
    expect(out.budget?.message).toMatch(/the events budget \(20,000 events\) was reached by '/);
  });

  it('a 1 µs sleep loop over 100 s stops at the events budget', () => {
    const s = scenarioOf({
      ...HEAD,
      modules: [{ name: 'spin', functions: [{ name: 's', loop: true, body: [{ sleep: { us: 1, sched: 'interruptible' } }] }], kthreads: [{ comm: 'k', fn: 's' }] }],
      script: ['insmod spin.ko', 'sleep 100'],
    });
    const { out } = runUnvalidated(s, { events: 20_000 });
    expect(out.budget?.budget).toBe('events');
  });

  it('a fork storm stops at the tasks-spawned budget', () => {
    const s = scenarioOf({ ...HEAD, tasks: { classes: [{ comm: 'f%d', count: 1000, forkRatePerS: 1_000_000, phases: [{ frames: ['schedule'], dwellUs: 1, sched: 'interruptible' }] }] }, script: ['sleep 100'] });
    const { out } = runUnvalidated(s, { tasksSpawned: 5_000 });
    expect(out.budget?.budget).toBe('tasksSpawned');
    expect(out.budget?.message).toMatch(/the tasks spawned budget \(5,000 tasks\) was reached by 'f\d+'/);
  });
});

describe('a workload whose every tick moves a crowd', () => {
  it('syscalls, forks and exits at 1e6/s on 1,000 tasks stop at the task-steps budget (no event or slot counter moves)', () => {
    const s = scenarioOf({
      ...HEAD,
      tasks: { classes: [{ comm: 'f%d', count: 1000, kind: 'user', syscallRatePerS: 1_000_000, forkRatePerS: 1_000_000, exitRatePerS: 1_000_000, phases: [{ frames: ['schedule'], dwellUs: 1, sched: 'interruptible' }] }] },
      script: ['sleep 100'],
    });
    const { out } = runUnvalidated(s, { taskSteps: 200_000 });
    expect(out.budget?.budget).toBe('taskSteps');
    expect(out.budget?.message).toMatch(/^run stopped at \d+\.\d{6}s: the task steps budget \(200,000 steps\) was reached by 'workload tick'$/);
  });
});

describe('§8 the rest: linear `at` parse, one path per rule, no second "got undefined", case limits', () => {
  it('`at` followed by 150,000 blanks parses in one pass (the old pattern took 8.7 s)', () => {
    expect(parseLine(`at${' '.repeat(150_000)}`, 1)).toMatchObject({ error: expect.stringMatching(/^line 1: bash: at: command not found/) });
    expect(parseLine(`at${' '.repeat(150_000)}5s: ls`, 1)).toMatchObject({ at: 5_000_000, commands: [{ words: ['ls'] }] });
    expect(parseLine(`${' '.repeat(150_000)}at 1s:`, 1)).toEqual({ error: "line 1: 'at 1s:' needs a command after it" });
  });

  it('what installWorkload refuses is refused by the validator first, under tasks. (never workload.)', () => {
    const cls = (extra: object) => ({ ...HEAD, tasks: { classes: [{ comm: 'a%d', count: 2, phases: [{ frames: ['schedule'], dwellUs: 100, sched: 'interruptible' }], ...extra }] } });
    expect(errorsOf(cls({ kind: 'kthread', syscallRatePerS: 5 }))).toEqual(['tasks.classes[0].syscallRatePerS: kthreads never enter from user space; expected 0']);
    expect(errorsOf(cls({ phases: [{ frames: ['no_such_fn'], dwellUs: 100, sched: 'interruptible' }] }))[0]).toMatch(/^tasks\.classes\[0\]\.phases\[0\]\.frames\[0\]: no function "no_such_fn" in vmlinux/);
    const modFrame = { ...cls({ phases: [{ frames: ['stuckmod:stuck_loop'], dwellUs: 100, sched: 'interruptible' }] }), modules: [{ name: 'stuckmod', functions: [{ name: 'stuck_loop', body: [] }] }] };
    expect(errorsOf(modFrame)[0]).toMatch(/^tasks\.classes\[0\]\.phases\[0\]\.frames\[0\]: module "stuckmod" is not loaded when the tasks are created/);
    const many = { ...HEAD, tasks: { classes: Array.from({ length: 255 }, (_, i) => ({ comm: `c${i}`, count: 1 })) } };
    expect(errorsOf(many)).toEqual(['tasks: expected at most 254 task classes and fixed tasks in all (each is a class of the workload), got 255']);
  });

  it('a missing required field is one message, with no second "got undefined"', () => {
    const docs = [
      { ...HEAD, tasks: { classes: [{}] } },
      { ...HEAD, tasks: { fixed: [{}] } },
      { ...HEAD, kernel: { cpus: {} } },
      { ...HEAD, modules: [{}] },
      { ...HEAD, modules: [{ name: 'm', functions: [{}], kthreads: [{}] }] },
      { ...HEAD, modules: [{ name: 'lp', livepatch: true, objects: [{ funcs: [{}] }] }] },
      { ...HEAD, tasks: { classes: [{ comm: 'a', count: 1, phases: [{}] }] } },
    ];
    for (const d of docs) {
      const errors = errorsOf(d);
      expect(errors.filter((e) => e.endsWith('got undefined'))).toEqual([]);
      expect(errors.some((e) => /: missing \(/.test(e))).toBe(true);
    }
  });

  it('a case file has a line limit, a line-length limit, and no prototype-named fields', () => {
    const base = { id: 'x', title: '', source: '', script: [], expectedLog: [] };
    const long = validateCase({ ...base, script: Array.from({ length: 10_001 }, () => 'ls') });
    expect(long).toEqual({ ok: false, errors: ['case.script: expected at most 10,000 lines, got 10,001'] });
    const wide = validateCase({ ...base, expectedLog: ['x'.repeat(5000)] });
    expect(wide).toEqual({ ok: false, errors: ['case.expectedLog[0]: expected at most 4096 characters, got 5000'] });
    const proto = validateCase(JSON.parse('{"__proto__": {"id": "p"}, "id": "x", "title": "", "source": "", "script": [], "expectedLog": []}'));
    expect(proto.ok).toBe(false);
  });
});

describe('§4 the console accepts only what a document accepts, so the saved copy always opens', () => {
  it('a typed line over 4,096 characters is refused with a message, and nothing changes', () => {
    const session = new Session(sessionSourceOf(scenarioOf({ ...HEAD })));
    const r = session.command(`cat ${'x'.repeat(4100)}`);
    expect(r).toEqual({ ok: false, error: 'a command is at most 4096 characters, as a script line of a scenario (this one has 4104); nothing was run' });
    expect(session.entries).toEqual([]);
  });

  it('past 10,000 script lines a typed line is refused, and the script still validates', () => {
    const script = Array.from({ length: 10_000 }, () => '# note');
    const session = new Session(sessionSourceOf(scenarioOf({ ...HEAD, script })));
    const r = session.command('ls');
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error).toMatch(/^the script has 10,000 lines, the most a scenario holds/);
    expect(validateScenario({ ...HEAD, script: session.entries }).ok).toBe(true);
  });
});

describe('§7 a far cursor is reached in slices, cancellable, capped by the budget', () => {
  it('t=36000000000 on a stuck transition: the seek yields, stops at the virtual-time budget, and cancelSeek keeps what was reached', () => {
    const s = scenarioOf({
      ...HEAD,
      modules: [
        { name: 'stuckmod', functions: [{ name: 'stuck_loop', loop: true, body: [{ sleep: { us: 20000, sched: 'uninterruptible' } }] }], kthreads: [{ comm: 'stuckd', fn: 'stuck_loop' }] },
        { name: 'lp_stuck', livepatch: true, functions: [{ name: 'lp_stuck_loop' }], objects: [{ name: 'stuckmod', funcs: [{ oldName: 'stuck_loop', newFunc: 'lp_stuck_loop' }] }] },
      ],
      script: ['load_mod stuckmod', 'load_lp_nowait lp_stuck'],
    });
    const session = new Session(sessionSourceOf(s));
    let slices = 0;
    expect(session.seek(36_000_000_000, () => ++slices > 0)).toBe(false);
    expect(session.seekTarget).toBe(36_000_000_000);
    for (let i = 0; i < 50; i++) session.continueSeek(() => true);
    expect(session.seekProgress).toBeLessThan(1);
    session.cancelSeek();
    expect(session.seekTarget).toBeNull();
    const reached = session.now;
    expect(reached).toBeGreaterThan(session.start);
    expect(session.command('cat /sys/kernel/livepatch/lp_stuck/transition')).toMatchObject({ ok: true, forked: false });
  });
});

describe('§4 a saved copy that fails to open is kept, never overwritten', () => {
  it('initialScenario hands it back as it was, and rescueSavedCopy keeps it under a key of its own', async () => {
    const { initialScenario, rescueSavedCopy, RESCUE_PREFIX } = await import('../../../src/ui/scenarioStore');
    // The three losing cases saved documents like these: times going backwards, a line too long, too many lines.
    const losing = [
      { ...HEAD, script: ['at 10s: ls', 'at 5s: lsmod'] },
      { ...HEAD, script: [`cat ${'x'.repeat(4100)}`] },
      { ...HEAD, script: Array.from({ length: 10_001 }, () => 'ls') },
    ];
    const store = new Map<string, string>();
    const storage = { getItem: (k: string) => store.get(k) ?? null, setItem: (k: string, v: string) => void store.set(k, v) };
    for (const doc of losing) {
      const saved = JSON.stringify({ document: doc, cursorUs: 5 });
      const init = initialScenario('', saved);
      expect(init.from).toBe('default');
      expect(init.notice).toMatch(/^Your saved scenario could not be restored \(the saved scenario is invalid: script.*\); it is kept in this browser, and you can download it\./);
      expect(init.rescued).toBe(saved);
      const key = rescueSavedCopy(storage, saved, 1000);
      expect(key?.startsWith(RESCUE_PREFIX)).toBe(true);
      expect(store.get(key!)).toBe(saved);
    }
    // Three failures at the same instant: three keys, none overwritten.
    expect(store.size).toBe(3);
  });
});
