// One engine behind one port (issue 13): shipped scenarios give the same transcript through
// the CLI (src/cli/sim.ts main(), itself a client of an engine host running the script
// headless, Session.runToEnd), the in-process port and the worker port (the worker's host
// behind a structured-clone message channel, as postMessage delivers it); every shipped
// scenario up to 20,000 tasks and a few conformance cases give the same one through the CLI
// and the in-process port (one Session and one script runner, src/engine/runner.ts, whoever
// drives the clock); and two hosts run side by side without touching each other.

import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { main } from '../../../src/cli/sim';
import { EngineHost } from '../../../src/engine/host';
import { inProcessPort, type EnginePort } from '../../../src/engine/port';
import { sessionSourceOf } from '../../../src/scenario/build';
import { caseSource, validateCase } from '../../../src/scenario/case';
import { parseScenarioText, type Scenario } from '../../../src/scenario/document';
import { RemoteSim } from '../../../src/ui/remote';
import { createWorkerHost, type FromWorker, type ToWorker } from '../../../src/ui/workerHost';

const ROOT = join(__dirname, '..', '..', '..');
const SCENARIO_DIR = join(ROOT, 'public', 'scenarios');
const FILE = join(SCENARIO_DIR, 'stuck-kthread-reverse.json');
const UNTIL_S = 40;

function scenario(file = FILE): Scenario {
  const r = parseScenarioText(readFileSync(file, 'utf8'));
  if (!r.ok) throw new Error(r.errors.join('\n'));
  return r.scenario;
}

/** Tasks a scenario's workload starts (the larger ones are left to the goldens: a replay each is slow). */
function taskCount(s: Scenario): number {
  return s.tasks.classes.reduce((n, c) => n + c.count, 0) + s.tasks.fixed.length;
}

const SMALL_SCENARIOS = readdirSync(SCENARIO_DIR)
  .filter((f) => f.endsWith('.json'))
  .sort()
  .filter((f) => taskCount(scenario(join(SCENARIO_DIR, f))) <= 20_000);
/** A few more through the worker transport too (each a replay in the worker: kept small). */
const WORKER_SCENARIOS = SMALL_SCENARIOS.filter((f) => f !== 'stuck-kthread-reverse.json').slice(0, 3);
const CASES = ['test/fixtures/conformance/livepatch-01.json', 'test/fixtures/conformance/callbacks-03.json', 'test/fixtures/conformance/sysfs-02.json', 'test/fixtures/extra-cases/state-04.json'];
/** Past the end of most scripts above (the shell then waits at its prompt in both clients), in the middle of a few. */
const UNTIL_ALL_S = 30;

/** What the CLI prints for the file up to `untilS` (a line may fail, some scenarios show that; no helper dies, no budget stops it). */
function cliTranscript(file: string, untilS: number): string[] {
  const out: string[] = [];
  const err: string[] = [];
  main([file, '--until', `${untilS}s`], { out: (t) => out.push(t), err: (t) => err.push(t) });
  expect(err.filter((e) => !/^sim: (line \d+ .* failed: |stopped at .* \(--until\) before the script ended$)/.test(e))).toEqual([]);
  return out;
}

const open: EnginePort[] = [];
afterEach(() => {
  for (const p of open.splice(0)) p.close();
});

async function until(cond: () => boolean): Promise<void> {
  while (!cond()) await new Promise((r) => setTimeout(r, 5));
}

/** The worker transport over an in-process message channel (structured clones, asynchronous). */
function workerPort(s: Scenario): RemoteSim {
  let toPage: ((e: MessageEvent<FromWorker>) => void) | null = null;
  const host = createWorkerHost({ post: (m) => setTimeout(() => toPage?.({ data: structuredClone(m) } as MessageEvent<FromWorker>), 0) });
  const channel = {
    postMessage: (m: ToWorker) => setTimeout(() => host.handle(structuredClone(m)), 0),
    set onmessage(fn: ((e: MessageEvent<FromWorker>) => void) | null) {
      toPage = fn;
    },
    get onmessage() {
      return toPage;
    },
    onerror: null,
    terminate: () => host.close(),
  };
  const remote = new RemoteSim({ scenario: s }, channel, (cb) => setTimeout(cb, 0));
  open.push(remote);
  return remote;
}

/** Move a port's cursor to `t` (µs since boot) and read dmesg there, as the Export button does. */
async function dmesgAt(p: EnginePort, t: number): Promise<string[]> {
  await until(() => p.ready());
  p.playback.send({ type: 'SEEK', time: t });
  await until(() => p.piece('cursor').now === t && p.piece('cursor').seekProgress === 1);
  return p.query('dmesg', null);
}

describe('one engine, three clients', () => {
  it(`stuck-kthread-reverse to ${UNTIL_S} s: the CLI, the in-process port and the worker port print the same transcript`, async () => {
    const out: string[] = [];
    expect(main([FILE, '--until', `${UNTIL_S}s`], { out: (t) => out.push(t), err: () => {} })).toBe(0);
    const t = UNTIL_S * 1_000_000;

    const local = inProcessPort(new EngineHost(sessionSourceOf(scenario())));
    open.push(local);
    const viaLocal = await dmesgAt(local, t);

    const viaWorker = await dmesgAt(workerPort(scenario()), t);

    expect(out.length).toBeGreaterThan(50);
    expect(out.join('\n')).toContain('reversing transition from patching to unpatching');
    expect(viaLocal).toEqual(out);
    expect(viaWorker).toEqual(out);
  });

  it.each(SMALL_SCENARIOS)(`%s to ${UNTIL_ALL_S} s: the CLI and the in-process port print the same transcript`, async (f) => {
    const file = join(SCENARIO_DIR, f);
    const out = cliTranscript(file, UNTIL_ALL_S);
    const local = inProcessPort(new EngineHost(sessionSourceOf(scenario(file))));
    open.push(local);
    expect(out.length).toBeGreaterThan(3);
    expect(await dmesgAt(local, UNTIL_ALL_S * 1_000_000)).toEqual(out);
  });

  it.each(WORKER_SCENARIOS)(`%s to ${UNTIL_ALL_S} s: the CLI (its engine host, headless) and the worker port print the same transcript`, async (f) => {
    const file = join(SCENARIO_DIR, f);
    const out = cliTranscript(file, UNTIL_ALL_S);
    expect(out.length).toBeGreaterThan(3);
    expect(await dmesgAt(workerPort(scenario(file)), UNTIL_ALL_S * 1_000_000)).toEqual(out);
  });

  it.each(CASES)(`conformance case %s to ${UNTIL_ALL_S} s: the CLI and the in-process port print the same transcript`, async (f) => {
    const file = join(ROOT, f);
    const v = validateCase(JSON.parse(readFileSync(file, 'utf8')), f);
    if (!v.ok) throw new Error(v.errors.join('\n'));
    const out = cliTranscript(file, UNTIL_ALL_S);
    const source = caseSource(v.c);
    if ('errors' in source) throw new Error(source.errors.join('\n'));
    const local = inProcessPort(new EngineHost(source));
    open.push(local);
    expect(out.join('\n')).toContain('livepatch:');
    expect(await dmesgAt(local, UNTIL_ALL_S * 1_000_000)).toEqual(out);
  });

  it('two hosts side by side: commands and seeks on one leave the other as it was', async () => {
    const a = inProcessPort(new EngineHost(sessionSourceOf(scenario())));
    const b = inProcessPort(new EngineHost(sessionSourceOf(scenario())));
    open.push(a, b);
    const before = await b.query('dmesg', null);
    await dmesgAt(a, 10_000_000);
    expect(await a.command('lsmod', { ahead: 'keep' })).toMatchObject({ ok: true });
    expect(a.piece('console').entries.length).toBeGreaterThan(b.piece('console').entries.length);
    expect(await b.query('dmesg', null)).toEqual(before);
    expect(b.piece('cursor').now).toBeLessThan(a.piece('cursor').now);
  });
});
