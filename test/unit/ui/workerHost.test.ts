// The simulation worker's message protocol, run in Node by calling the host's handler
// directly (src/ui/workerHost.ts): snapshots carry what the views draw, computed by the same
// functions the page uses; one snapshot in flight until acknowledged; commands, questions
// and playback events go through the same Session as on the page.

import { afterEach, describe, expect, it, vi } from 'vitest';
import { Session } from '../../../src/engine/session';
import { sessionSourceOf } from '../../../src/scenario/build';
import { defaultScenario } from '../../../src/scenario/defaultScenario';
import type { Scenario } from '../../../src/scenario/document';
import { allPieces, runQuery } from '../../../src/engine/select/viewData';
import { RemoteSim } from '../../../src/ui/remote';
import { createWorkerHost, type FromWorker, type Snapshot, type ToWorker, type WorkerHost } from '../../../src/ui/workerHost';
import { buildTasksModel } from '../../../src/engine/select/tasksModel';

interface Harness {
  host: WorkerHost;
  got: FromWorker[];
  transfers: Transferable[][];
  snapshots(): Snapshot[];
}

const hosts: WorkerHost[] = [];
afterEach(() => {
  for (const h of hosts.splice(0)) h.close();
});

function harness(): Harness {
  const got: FromWorker[] = [];
  const transfers: Transferable[][] = [];
  const host = createWorkerHost({
    post: (m, t) => {
      // What the page would receive: a structured clone (fails on functions or kernel objects).
      got.push(structuredClone(m));
      transfers.push(t);
    },
  });
  hosts.push(host);
  return { host, got, transfers, snapshots: () => got.flatMap((m) => (m.type === 'snapshot' ? [m.snapshot] : [])) };
}

/** Wait for the host's timers (no time limit: vitest's test timeout bounds it). */
async function until(cond: () => boolean): Promise<void> {
  while (!cond()) await new Promise((r) => setTimeout(r, 5));
}

function scenario(): Scenario {
  return defaultScenario();
}

describe('simulation worker host', () => {
  it('posts, after open, a snapshot equal to what the page computes from the same moment', async () => {
    const h = harness();
    h.host.handle({ type: 'open', scenario: scenario() });
    await until(() => h.snapshots().length === 1);
    const snap = h.snapshots()[0];
    const local = new Session(sessionSourceOf(scenario()));
    expect(snap.version).toBe(h.host.session?.version);
    expect(snap.pieces).toEqual(structuredClone(allPieces(local)));
    expect(snap.playback).toEqual({ playing: false, seeking: false, speedExp: 0, limited: false });
    expect(snap.log).toEqual({ gen: 1, from: 0, records: structuredClone(local.sim.log) });
    const model = buildTasksModel(local);
    expect(Array.from(snap.tasks.codes)).toEqual(Array.from(model.codes.subarray(0, model.slotOfCell.length)));
    expect(snap.tasks.grouping?.groups).toEqual(model.groups.map((g) => ({ name: g.name, count: g.slots.length })));
    expect(Array.from(snap.tasks.grouping?.slotOfCell ?? [])).toEqual(Array.from(model.slotOfCell));
    // The big arrays go as transfers, not copies.
    expect(h.transfers[0].map((b) => (b as ArrayBuffer).byteLength)).toEqual([
      snap.tasks.codes.byteLength,
      snap.tasks.grouping?.slotOfCell.byteLength,
      snap.tasks.grouping?.cellOfSlot.byteLength,
    ]);
  });

  it('keeps one snapshot in flight until the page acknowledges it', async () => {
    const h = harness();
    h.host.handle({ type: 'open', scenario: scenario() });
    await until(() => h.snapshots().length === 1);
    h.host.handle({ type: 'playback', event: { type: 'STEP_FORWARD' } });
    h.host.handle({ type: 'playback', event: { type: 'STEP_FORWARD' } });
    await new Promise((r) => setTimeout(r, 20));
    expect(h.snapshots().length).toBe(1);
    h.host.handle({ type: 'ack' });
    await until(() => h.snapshots().length === 2);
    const second = h.snapshots()[1];
    // Both steps folded into one snapshot, and the grouping (unchanged) is not sent again.
    expect(second.version).toBe(h.host.session?.version);
    expect(second.log.from).toBe(h.snapshots()[0].log.records.length);
    // A change of speed alone: the same tasks, so no grouping and no new log records.
    h.host.handle({ type: 'ack' });
    h.host.handle({ type: 'playback', event: { type: 'FASTER' } });
    await until(() => h.snapshots().length === 3);
    const third = h.snapshots()[2];
    expect(third.playback.speedExp).toBe(1);
    expect(third.tasks.grouping).toBeUndefined();
    expect(third.log.records).toEqual([]);
    expect(third.tasks.codes.length).toBe(second.tasks.codes.length);
  });

  it('runs console commands and answers questions by request id', async () => {
    const h = harness();
    // No script: the shell waits at the prompt, so a typed command runs at once.
    h.host.handle({ type: 'open', scenario: { ...scenario(), script: [] } });
    await until(() => h.snapshots().length === 1);
    h.host.handle({ type: 'command', id: 7, text: 'cat /sys/kernel/livepatch/nope/enabled' });
    h.host.handle({ type: 'command', id: 8, text: 'at 5s: ls' });
    h.host.handle({ type: 'query', id: 9, name: 'task', arg: 0 });
    h.host.handle({ type: 'query', id: 10, name: 'patch', arg: 'no_such_patch' });
    const reply = (id: number) => h.got.find((m) => (m.type === 'answer' || m.type === 'command') && m.id === id);
    const ok = reply(7);
    expect(ok?.type === 'command' && ok.outcome.ok).toBe(true);
    const s = h.host.session as Session;
    const run = s.runs.find((r) => ok?.type === 'command' && ok.outcome.ok && r.index === ok.outcome.index);
    // Paused: the console ran the session on until the command finished, with the shell's error.
    expect(run?.result?.err.join('\n')).toMatch(/No such file or directory/);
    const bad = reply(8);
    expect(bad?.type === 'command' && !bad.outcome.ok && bad.outcome.error).toMatch(/a typed command runs now/);
    const task = reply(9);
    expect(task).toEqual({ type: 'answer', id: 9, value: structuredClone(runQuery(s, 'task', 0)) });
    expect(task?.type === 'answer' && (task.value as { pid: number }).pid).toBe(s.sim.kernel.tasks.pid[0]);
    expect(reply(10)).toEqual({ type: 'answer', id: 10, value: null });
  });

  it('plays on its own ticks and starts the log over after a backward seek', async () => {
    const h = harness();
    h.host.handle({ type: 'open', scenario: scenario() });
    await until(() => h.snapshots().length === 1);
    const start = h.snapshots()[0].pieces.cursor.start;
    h.host.handle({ type: 'playback', event: { type: 'SPEED', exp: 12 } });
    h.host.handle({ type: 'playback', event: { type: 'PLAY' } });
    const last = () => h.snapshots()[h.snapshots().length - 1];
    const ackAll = () => h.host.handle({ type: 'ack' });
    await until(() => {
      ackAll();
      return last().playback.playing && last().pieces.cursor.now > start + 2_000_000;
    });
    h.host.handle({ type: 'playback', event: { type: 'PAUSE' } });
    h.host.handle({ type: 'playback', event: { type: 'SEEK', time: start } });
    await until(() => {
      ackAll();
      return !last().playback.playing && !last().playback.seeking && last().pieces.cursor.now === start;
    });
    expect(last().log.gen).toBe(2);
    expect(last().log.from).toBe(0);
    expect(last().pieces.cursor.head).toBeGreaterThan(start + 2_000_000);
  });

  it('collapses seeks that queued up into the last one, and keeps later events after it', async () => {
    const h = harness();
    h.host.handle({ type: 'open', scenario: scenario() });
    await until(() => h.snapshots().length === 1);
    const start = h.snapshots()[0].pieces.cursor.start;
    const seek = vi.spyOn(Session.prototype, 'seek');
    try {
      for (const dt of [3_000_000, 1_000_000, 2_000_000]) h.host.handle({ type: 'playback', event: { type: 'SEEK', time: start + dt } });
      await until(() => seek.mock.calls.length > 0 && h.host.session?.seekTarget === null);
      expect(seek.mock.calls.map((c) => c[0])).toEqual([start + 2_000_000]);
      expect(h.host.session?.now).toBe(start + 2_000_000);
      // A step sent right after a seek runs from where the seek put the cursor.
      h.host.handle({ type: 'playback', event: { type: 'SEEK', time: start + 1_000_000 } });
      h.host.handle({ type: 'playback', event: { type: 'STEP_FORWARD' } });
      expect(seek.mock.calls.map((c) => c[0])).toEqual([start + 2_000_000, start + 1_000_000]);
      await until(() => h.host.session?.seekTarget === null);
    } finally {
      seek.mockRestore();
    }
  });

  it('reports a scenario it cannot start as text', () => {
    const h = harness();
    h.host.handle({ type: 'open', scenario: { ...scenario(), script: ['at nonsense: ls'] } });
    expect(h.got).toEqual([{ type: 'error', message: expect.stringMatching(/could not be started: .*does not parse/) }]);
  });
});

describe('the page side of the worker (RemoteSim) over an in-process host', () => {
  /** A port that hands each message to the other side as a structured clone, as postMessage does. */
  function connect(): { remote: RemoteSim; host: WorkerHost } {
    let toPage: ((e: MessageEvent<FromWorker>) => void) | null = null;
    const host = createWorkerHost({ post: (m) => setTimeout(() => toPage?.({ data: structuredClone(m) } as MessageEvent<FromWorker>), 0) });
    hosts.push(host);
    const port = {
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
    const remote = new RemoteSim({ scenario: scenario() }, port, (cb) => setTimeout(cb, 0));
    return { remote, host };
  }

  it('rebuilds the Tasks model, keeps the whole log, and runs commands and questions', async () => {
    const { remote, host } = connect();
    await until(() => remote.snapshot !== undefined);
    const s = host.session as Session;
    const model = buildTasksModel(s);
    expect(remote.tasks()?.groups.map((g) => [g.name, Array.from(g.slots)])).toEqual(model.groups.map((g) => [g.name, Array.from(g.slots)]));
    expect(Array.from(remote.tasks()?.cellOfSlot.subarray(0, s.sim.kernel.tasks.n) ?? [])).toEqual(Array.from(model.cellOfSlot.subarray(0, s.sim.kernel.tasks.n)));
    remote.send({ type: 'SPEED', exp: 12 });
    remote.send({ type: 'PLAY' });
    // The default scenario's transition completes and is reversed: the log on the page is the kernel's.
    await until(() => remote.log().some((r) => r.text.includes('unpatching complete')));
    remote.send({ type: 'PAUSE' });
    await until(() => remote.snapshot?.playback.playing === false);
    const log = remote.log();
    await until(() => remote.snapshot?.version === s.version && remote.log().length === s.sim.log.length);
    expect(remote.log()).toBe(log);
    expect(remote.log()).toEqual(structuredClone(s.sim.log));
    const out = await remote.command('at 1s: ls');
    expect(out).toMatchObject({ ok: false, error: expect.stringMatching(/a typed command runs now/) });
    expect(await remote.query('task', 0)).toEqual(structuredClone(runQuery(s, 'task', 0)));
    await expect(remote.query('func', 'no_such_function')).resolves.toBeNull();
    remote.close();
  });

  it("a dragged slider's sliced seek back crosses as plain data, and the page's log is the new kernel's", async () => {
    const { remote, host } = connect();
    await until(() => remote.snapshot !== undefined);
    const start = remote.piece('cursor').start;
    remote.send({ type: 'SPEED', exp: 12 });
    remote.send({ type: 'PLAY' });
    await until(() => remote.log().some((r) => r.text.includes('patching complete')));
    remote.send({ type: 'PAUSE' });
    await until(() => remote.snapshot?.playback.playing === false);
    // The time slider's event: structuredClone (the fake postMessage) throws on a function.
    remote.send({ type: 'SEEK', time: start, sliced: true });
    await until(() => remote.snapshot?.playback.seeking === false && remote.piece('cursor').now === start);
    const s = host.session as Session;
    await until(() => remote.log().length === s.sim.log.length);
    expect(remote.log().some((r) => r.text.includes('patching complete'))).toBe(false);
    expect(remote.log()).toEqual(structuredClone(s.sim.log));
    remote.close();
  });
});
