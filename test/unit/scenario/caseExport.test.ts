// A run exported as a conformance case (issue 11): the case the explorer and `sim --export-case`
// write runs back through the conformance runner and passes; re-exporting a kernel selftest
// case gives that case back byte for byte; the machine field is validated with its path.

import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../../../src/cli/sim';
import { runCase, validateCase, type CaseFile } from '../../../src/scenario/case';
import { caseIdOf, caseText, completeCase, exportCase } from '../../../src/scenario/caseExport';
import { defaultScenario } from '../../../src/scenario/defaultScenario';
import { parseScenarioText, type Scenario } from '../../../src/scenario/document';

const ROOT = join(__dirname, '..', '..', '..');

function shipped(name: string): Scenario {
  const r = parseScenarioText(readFileSync(join(ROOT, 'public', 'scenarios', `${name}.json`), 'utf8'));
  if (!r.ok) throw new Error(r.errors.join('\n'));
  return r.scenario;
}

/** Through the file format, as the conformance runner reads it. */
function readBack(c: CaseFile): CaseFile {
  const v = validateCase(JSON.parse(caseText(c)), c.id);
  if (!v.ok) throw new Error(v.errors.join('\n'));
  return v.c;
}

function exported(s: Scenario): CaseFile {
  const r = exportCase(s);
  if (!r.ok) throw new Error(r.error);
  return r.c;
}

describe('a run exported as a conformance case', () => {
  it.each(['stuck-kthread-reverse', 'atomic-replace-v1-v2', 'do-exit-crash', 'cpu-bound-kthread-6.1'])('%s: exported, it passes the conformance runner on its own machine', (name) => {
    const c = readBack(exported(shipped(name)));
    expect(c.machine).toBeDefined();
    expect(c.expectedLog.length).toBeGreaterThan(0);
    expect(c.expectedLog.some((l) => l.startsWith('livepatch: '))).toBe(true);
    const r = runCase(c);
    expect(r.reason).toBeUndefined();
    expect(r.pass).toBe(true);
  });

  it('the default scenario with a typed command (a forked script): the typed line is in the case, and it passes', () => {
    const s = defaultScenario();
    const c = readBack(exported({ ...s, script: [...s.script.slice(0, 3), 'at 2s: echo 0 > /sys/kernel/livepatch/test_klp_callbacks_demo/enabled'] }));
    expect(c.id).toBe('a-kworker-blocks-the-transition-the-operator-reverses-it');
    expect(c.script.at(-1)).toBe('at 2s: echo 0 > /sys/kernel/livepatch/test_klp_callbacks_demo/enabled');
    expect(c.expectedLog).toContain("livepatch: 'test_klp_callbacks_demo': reversing transition from patching to unpatching");
    expect(runCase(c).pass).toBe(true);
  });

  it('the expected log depends on the machine: the same script on the selftest machine fails', () => {
    const c = readBack(exported(shipped('stuck-kthread-reverse')));
    const { machine: _, ...plain } = c;
    const r = runCase(plain);
    expect(r.pass).toBe(false);
  });

  it('a kernel selftest case re-exported (no machine) is the same case', () => {
    for (const dir of ['conformance', 'extra-cases']) {
      for (const f of readdirSync(join(ROOT, 'test', 'fixtures', dir)).filter((x) => x.endsWith('.json')).slice(0, 4)) {
        const text = readFileSync(join(ROOT, 'test', 'fixtures', dir, f), 'utf8');
        const v = validateCase(JSON.parse(text), f);
        if (!v.ok) throw new Error(v.errors.join('\n'));
        const { expectedLog: _, ...base } = v.c;
        const r = completeCase(base);
        if (!r.ok) throw new Error(r.error);
        expect(caseText(r.c), f).toBe(text.endsWith('\n') ? text : `${text}\n`);
      }
    }
  });

  it('a run that stops before the end of its script makes no case, and says why', () => {
    const s = defaultScenario();
    const r = exportCase({ ...s, script: ['false_command_that_does_not_exist', ...s.script] });
    if (r.ok) {
      // A failing command does not stop a script; a dying one does (assert_*).
      expect(runCase(readBack(r.c)).pass).toBe(true);
    }
    const died = exportCase({ ...s, script: ["assert_output 'cat /proc/cmdline' 'no such text'"] });
    expect(died).toMatchObject({ ok: false, error: expect.stringContaining('the run did not reach the end of its script') });
  });

  it('the machine field is validated with its path; a machine with a script of its own is refused', () => {
    const base = { id: 'x', title: 't', source: 's', script: [], expectedLog: [] };
    const bad = validateCase({ ...base, machine: { format: 'livepatch-explorer/scenario', version: 1, kernel: { cpus: { count: 0 } } } }, 'c.json');
    expect(bad.ok).toBe(false);
    if (!bad.ok) expect(bad.errors[0]).toMatch(/^c\.json\.machine\.kernel\.cpus\.count: /);
    const scripted = validateCase({ ...base, machine: { format: 'livepatch-explorer/scenario', version: 1, script: ['ls'] } }, 'c.json');
    expect(scripted).toEqual({ ok: false, errors: ["c.json.machine.script: expected no script (the case's own script runs on the machine), got 1 lines"] });
  });

  it('case ids are file-name safe', () => {
    expect(caseIdOf('A kworker blocks; the operator reverses it!')).toBe('a-kworker-blocks-the-operator-reverses-it');
    expect(caseIdOf('../../etc/passwd')).toBe('etc-passwd');
    expect(caseIdOf('')).toBe('exported-run');
    expect(caseIdOf('x'.repeat(100))).toHaveLength(60);
  });
});

describe('sim --export-case DIR', () => {
  const io = () => {
    const out: string[] = [];
    const err: string[] = [];
    return { out, err, io: { out: (t: string) => out.push(t), err: (t: string) => err.push(t) } };
  };

  it('writes DIR/<id>.json, which the conformance runner passes', () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'lpx-case-')), 'cases');
    const o = io();
    expect(main([join(ROOT, 'public', 'scenarios', 'atomic-replace-v1-v2.json'), '--export-case', dir], o.io)).toBe(0);
    const file = join(dir, 'atomic-replace-v1-v2-nops-and-per-task-routing.json');
    expect(o.out).toEqual([`${file}: case 'atomic-replace-v1-v2-nops-and-per-task-routing', 5 script lines, 10 expected log lines`]);
    const v = validateCase(JSON.parse(readFileSync(file, 'utf8')), file);
    expect(v.ok && runCase(v.c).pass).toBe(true);
  });

  it('refuses --until and a missing folder, with a message', () => {
    const o = io();
    expect(main([join(ROOT, 'public', 'scenarios', 'atomic-replace-v1-v2.json'), '--export-case', '/tmp/x', '--until', '3s'], o.io)).toBe(2);
    expect(o.err[0]).toBe('sim: --export-case runs the whole script; it takes no --until, --summary or --analysis');
    const p = io();
    expect(main([join(ROOT, 'public', 'scenarios', 'atomic-replace-v1-v2.json'), '--export-case='], p.io)).toBe(2);
    expect(p.err[0]).toBe('sim: --export-case expects a folder to write the case file into');
  });
});
