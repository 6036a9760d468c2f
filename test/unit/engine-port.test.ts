// One engine behind one port (issue 13): a shipped scenario gives the same transcript through
// the CLI (src/cli/sim.ts), the in-process port and the worker port (the worker's host behind
// a structured-clone message channel, as postMessage delivers it); and two hosts run side by
// side without touching each other.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/sim';
import { EngineHost } from '../../src/engine/host';
import { inProcessPort, type EnginePort } from '../../src/engine/port';
import { sessionSourceOf } from '../../src/scenario/build';
import { parseScenarioText, type Scenario } from '../../src/scenario/document';
import { RemoteSim } from '../../src/ui/remote';
import { createWorkerHost, type FromWorker, type ToWorker } from '../../src/ui/workerHost';

const FILE = join(__dirname, '..', '..', 'public', 'scenarios', 'stuck-kthread-reverse.json');
const UNTIL_S = 40;

function scenario(): Scenario {
  const r = parseScenarioText(readFileSync(FILE, 'utf8'));
  if (!r.ok) throw new Error(r.errors.join('\n'));
  return r.scenario;
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
