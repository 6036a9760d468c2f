// The fuzz suite of issue 11 (fast-check, fixed seeds): over 10,000 generated scenario
// documents, script lines, console lines and links. No exception escapes; every rejection
// has a message that starts with a path; a document that validates also builds (validation
// and build never disagree) and runs to its end or to the run budget, never past it.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { RUN_BUDGET } from '../../src/kernel/budget';
import { sessionSourceOf } from '../../src/scenario/build';
import { toDocument, validateScenario, type Scenario } from '../../src/scenario/document';
import { parseLine } from '../../src/scenario/script';
import { decodeScenarioUrl, encodeScenarioUrl } from '../../src/scenario/url';
import { Session } from '../../src/engine/session';
import { FULL_DOCUMENT, HEAD } from '../support/scenarioFixtures';
import { bootScenario } from '../support/helpers';

const PATH = /^(document|[A-Za-z_][\w.[\]]*(\[".*"\])?(\.[A-Za-z_]\w*|\[\d+\]|\[".*"\])*): \S/;

/** A small budget: a fuzzed run costs milliseconds whatever it asks for. */
const SMALL = { ...RUN_BUDGET, events: 3_000, logBytes: 200_000, tasksSpawned: 2_000, virtualUs: 600_000_000 };

// Words the script language knows, and some it must refuse, for lines that reach deep.
const WORD = fc.constantFrom(
  'insmod', 'rmmod', 'echo', 'cat', 'ls', 'grep', 'sysctl', 'sleep', 'dmesg', 'lsmod', 'load_lp', 'load_mod', 'unload_lp', 'disable_lp',
  'wait_count', 'assert_count', 'assert_output', 'wait_sysfs', 'log', 'constructor', '__proto__', 'toString', 'at', 'at 1s:', 'at 86401s:',
  '1', '0', '-q', '-c', '-Fw', '>', '>>', "'", '"', '\\', '#', '|', ';', '$(x)', '\\(.*.*\\)*zq', '[[:x:]]', 'test_klp_livepatch',
  'test_modules/test_klp_livepatch.ko', '/sys/kernel/livepatch/test_klp_livepatch/enabled', '/proc/cmdline', '\x1b[31m', '\u2028',
);
const LINE = fc.oneof(
  fc.array(WORD, { maxLength: 8 }).map((w) => w.join(' ')),
  fc.string({ maxLength: 80 }),
  fc.tuple(fc.constantFrom('at ', 'at  ', ' at\t'), fc.string({ maxLength: 10 }), fc.constantFrom(':', '', ': ls', ': sleep 1')).map((p) => p.join('')),
);

/** Every path to a field of a JSON value. */
function paths(v: unknown, prefix: (string | number)[] = []): (string | number)[][] {
  if (typeof v !== 'object' || v === null) return [prefix];
  const keys: (string | number)[] = Array.isArray(v) ? v.map((_, i) => i) : Object.keys(v);
  return [prefix, ...keys.flatMap((k) => paths((v as Record<string | number, unknown>)[k], [...prefix, k]))];
}

function withValueAt(doc: unknown, path: (string | number)[], value: unknown): unknown {
  if (path.length === 0) return value;
  const copy = structuredClone(doc) as Record<string | number, unknown>;
  let o = copy;
  for (const k of path.slice(0, -1)) {
    const next = o[k];
    if (typeof next !== 'object' || next === null) return copy;
    o = next as Record<string | number, unknown>;
  }
  o[path[path.length - 1]] = value;
  return copy;
}

// Values chosen to hit limits and prototype names, mixed with anything JSON.
const VALUE = fc.oneof(
  fc.jsonValue({ maxDepth: 2 }),
  fc.constantFrom('__proto__', 'constructor', 'toString', 'vmlinux:constructor', 'f', 'g', -1, 0, 1e9, 86_400_000_001, 1e308, '', 'x'.repeat(5000), [], {}),
  fc.constantFrom({ call: 'f' }, { call: 'vmlinux:cmdline_proc_show' }, { print: 'x' }, { sleep: { us: 1, sched: 'interruptible' } }),
);

let validated = 0;
const built: Scenario[] = [];

function checkDocument(doc: unknown): void {
  validated++;
  const r = validateScenario(doc);
  if (!r.ok) {
    expect(r.errors.length).toBeGreaterThan(0);
    for (const e of r.errors) {
      expect(e).toMatch(PATH);
      expect(e).not.toMatch(/got undefined$/);
    }
    return;
  }
  // Machines of up to 500 tasks are built and run: an event's cost grows with the task count
  // (an attempt walks them all), and large machines are the bench's job.
  const tasks = r.scenario.tasks.classes.reduce((n, c) => n + c.count, 0) + r.scenario.tasks.fixed.length;
  if (tasks <= 500 && built.length < 40 && (validated % 7 === 0 || built.length < 10)) built.push(r.scenario);
}

describe('fuzz: documents, script lines, console lines, links (fast-check, seeded)', () => {
  it('5,000 documents: mutations of a full document and of small ones, any JSON besides', () => {
    const full = paths(FULL_DOCUMENT).filter((p) => p.length > 0);
    const small = { ...HEAD, modules: [{ name: 'm', functions: [{ name: 'f', body: [{ print: 'x' }] }, { name: 'g', body: [] }], kthreads: [{ comm: 'k', fn: 'f' }] }], tasks: { classes: [{ comm: 'c%d', count: 3, phases: [{ frames: ['schedule'], dwellUs: 10, sched: 'interruptible' }] }] }, script: ['insmod m.ko', 'sleep 1'] };
    const smallPaths = paths(small).filter((p) => p.length > 0);
    fc.assert(fc.property(fc.constantFrom(...full), VALUE, (p, v) => checkDocument(withValueAt(FULL_DOCUMENT, p, v))), { seed: 1101, numRuns: 1500 });
    fc.assert(fc.property(fc.constantFrom(...smallPaths), VALUE, fc.constantFrom(...smallPaths), VALUE, (p, v, q, w) => checkDocument(withValueAt(withValueAt(small, p, v), q, w))), { seed: 1102, numRuns: 2500 });
    fc.assert(fc.property(fc.jsonValue({ maxDepth: 4 }), (v) => checkDocument(v)), { seed: 1103, numRuns: 500 });
    fc.assert(fc.property(fc.array(LINE, { maxLength: 6 }), (script) => checkDocument({ ...HEAD, script })), { seed: 1104, numRuns: 500 });
    expect(validated).toBeGreaterThanOrEqual(5000);
  });

  it('every document that validated builds, and runs to its end or stops at the budget with a message', () => {
    expect(built.length).toBeGreaterThanOrEqual(15);
    for (const s of built) {
      const b = bootScenario(s, { limits: SMALL });
      const out = b.run();
      if (out.budget) expect(out.budget.message).toMatch(/^run stopped at [\d.]+s: the .+ budget \(.+\) was reached by /);
      expect(b.sim.budget.events).toBeLessThanOrEqual(SMALL.events + 1);
      expect(b.sim.budget.logBytes).toBeLessThanOrEqual(SMALL.logBytes + 4096);
      expect(b.sim.kernel.clock.now).toBeLessThanOrEqual(b.sim.budget.endTime);
    }
  });

  it('4,000 script lines: a parsed line or a message naming the line', () => {
    let n = 0;
    fc.assert(
      fc.property(LINE, (text) => {
        n++;
        const r = parseLine(text, 7);
        if (r !== null && 'error' in r) expect(r.error).toMatch(/^line 7: \S/);
      }),
      { seed: 1105, numRuns: 4000 },
    );
    expect(n).toBe(4000);
  });

  it('300 console lines typed into a live session: accepted or refused, never thrown, and time still moves', () => {
    const valid = validateScenario({ ...HEAD, script: ['load_lp test_klp_livepatch'] });
    if (!valid.ok) throw new Error(valid.errors.join('\n'));
    const session = new Session(sessionSourceOf(valid.scenario));
    fc.assert(
      fc.property(LINE, (text) => {
        const r = session.command(text);
        if (!r.ok) expect(r.error.length).toBeGreaterThan(0);
        session.advanceTo(session.now + 10_000);
      }),
      { seed: 1106, numRuns: 300 },
    );
    expect(session.now).toBeGreaterThan(session.start);
  });

  it('2,000 links: any string and mutations of valid ones decode or fail with one link: message', () => {
    const valid = validateScenario(FULL_DOCUMENT);
    if (!valid.ok) throw new Error(valid.errors.join('\n'));
    const url = encodeScenarioUrl(valid.scenario, 5);
    const check = (s: string) => {
      const r = decodeScenarioUrl(s);
      if (r.ok) expect(validateScenario(toDocument(r.scenario, true)).ok).toBe(true);
      else for (const e of r.errors) expect(e).toMatch(/^link: \S/);
    };
    fc.assert(fc.property(fc.string({ maxLength: 200 }), check), { seed: 1107, numRuns: 1000 });
    fc.assert(
      fc.property(fc.nat(url.length - 1), fc.string({ maxLength: 4 }), fc.nat(8), (at, ins, del) => check(url.slice(0, at) + ins + url.slice(at + del))),
      { seed: 1108, numRuns: 1000 },
    );
  });
});
