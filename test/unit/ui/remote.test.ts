// The worker transport's crash report (issue 11): an exception inside the simulation worker, or
// the worker gone, is reported by the port (error()), the worker is terminated, every request
// still waiting is answered, and the last snapshot stays as the last good state to restart from.

import { afterEach, describe, expect, it } from 'vitest';
import { defaultScenario } from '../../../src/scenario/defaultScenario';
import { DIED, RemoteSim, type WorkerWatch } from '../../../src/ui/remote';
import { createWorkerHost, type FromWorker, type ToWorker } from '../../../src/ui/workerHost';

const open: RemoteSim[] = [];
afterEach(() => {
  for (const p of open.splice(0)) p.close();
});

async function until(cond: () => boolean): Promise<void> {
  while (!cond()) await new Promise((r) => setTimeout(r, 5));
}

/**
 * The worker's host behind an asynchronous structured-clone channel, as a browser delivers it:
 * an exception thrown by the worker's message handler reaches the page as an error event.
 */
function channel(opts: { swallow?: (m: ToWorker) => boolean } = {}) {
  let toPage: ((e: MessageEvent<FromWorker>) => void) | null = null;
  const host = createWorkerHost({ post: (m) => setTimeout(() => toPage?.({ data: structuredClone(m) } as MessageEvent<FromWorker>), 0) });
  const c = {
    terminated: 0,
    alive: true,
    postMessage(m: ToWorker) {
      setTimeout(() => {
        if (!c.alive || opts.swallow?.(m)) return;
        try {
          host.handle(structuredClone(m));
        } catch (e) {
          c.onerror?.({ message: `Uncaught Error: ${(e as Error).message}` } as ErrorEvent);
        }
      }, 0);
    },
    set onmessage(fn: ((e: MessageEvent<FromWorker>) => void) | null) {
      toPage = fn;
    },
    get onmessage() {
      return toPage;
    },
    onerror: null as ((e: ErrorEvent) => void) | null,
    terminate() {
      c.terminated++;
      c.alive = false;
      host.close();
    },
  };
  return c;
}

/**
 * The page's watchdog as the Web Locks API behaves: the request for a worker's lock is granted
 * once that worker is gone (terminated: `c.alive` false), never while it lives.
 */
function lockOf(c: ReturnType<typeof channel>) {
  const w = { asked: [] as string[], cancelled: 0, grant: () => {} };
  const watch: WorkerWatch = (lock, dead) => {
    w.asked.push(lock);
    let on = true;
    w.grant = () => {
      if (on && !c.alive) dead();
    };
    return () => {
      on = false;
      w.cancelled++;
    };
  };
  return { w, watch };
}

function remote(c: ReturnType<typeof channel>, watch?: WorkerWatch): RemoteSim {
  const r = new RemoteSim({ scenario: defaultScenario() }, c, (cb) => setTimeout(cb, 0), watch);
  open.push(r);
  return r;
}

/** What simWorker.ts posts once it holds its lock. */
const alive = (c: ReturnType<typeof channel>, lock = 'livepatch-sim-1') => c.onmessage?.({ data: { type: 'alive', lock } } as MessageEvent<FromWorker>);

describe('the simulation worker crashes', () => {
  it('an exception inside the worker: reported, the worker terminated, the last snapshot kept, later requests answered at once', async () => {
    const c = channel();
    const r = remote(c);
    await until(() => r.ready());
    const ok = await r.command('cat /proc/cmdline');
    expect(ok.ok).toBe(true);
    const typed = () => r.piece('console').entries.some((e) => e.endsWith(': cat /proc/cmdline'));
    await until(typed);
    expect(r.error()).toBeUndefined();
    let told = 0;
    r.subscribe(() => told++);
    r.debugCrash('throw');
    await until(() => r.error() !== undefined);
    expect(r.error()).toBe('The simulation worker crashed: Uncaught Error: crash requested by RemoteSim.debugCrash (a test of the crash report)');
    expect(c.terminated).toBe(1);
    expect(told).toBeGreaterThan(0);
    // The last good state: the last snapshot, typed command included.
    expect(typed()).toBe(true);
    const after = await r.command('ls');
    expect(after).toMatchObject({ ok: false, error: r.error() });
    await expect(r.query('dmesg', null)).rejects.toThrow('crashed');
  });

  it('requests in flight when the worker dies are answered with the failure, never left hanging', async () => {
    // The worker never answers commands (as if it died while running one).
    const c = channel({ swallow: (m) => m.type === 'command' || m.type === 'query' });
    const { w, watch } = lockOf(c);
    const r = remote(c, watch);
    await until(() => r.ready());
    alive(c);
    const pending = r.command('sleep 1');
    const question = r.query('dmesg', null);
    r.debugCrash('die');
    w.grant();
    expect(await pending).toMatchObject({ ok: false, error: DIED });
    await expect(question).rejects.toThrow('died');
    // Terminated from outside, then again by the crash report (terminate() is idempotent).
    expect(c.terminated).toBe(2);
    // A second failure report changes nothing: the first one is what happened.
    c.onerror?.({ message: 'later' } as ErrorEvent);
    expect(r.error()).toBe(DIED);
  });

  it('the watchdog: a worker gone without an error event (terminated, out of memory) is reported; a live or busy one never', async () => {
    const c = channel();
    const { w, watch } = lockOf(c);
    const r = remote(c, watch);
    await until(() => r.ready());
    // Not before the worker holds its lock (the page would be granted it at once).
    expect(w.asked).toEqual([]);
    alive(c, 'livepatch-sim-7-abc');
    alive(c, 'livepatch-sim-7-abc');
    expect(w.asked).toEqual(['livepatch-sim-7-abc']);
    // Alive, however long it takes to answer: the lock is not granted, nothing is reported.
    w.grant();
    expect(r.error()).toBeUndefined();
    // Killed from outside: no error event, no message; the lock is released.
    c.alive = false;
    w.grant();
    expect(r.error()).toBe(DIED);
    expect(c.terminated).toBe(1);
    expect(w.cancelled).toBe(1);
  });

  it('closing the port stops its watchdog: a closed page reports nothing', async () => {
    const c = channel();
    const { w, watch } = lockOf(c);
    const r = remote(c, watch);
    await until(() => r.ready());
    alive(c);
    r.close();
    expect(w.cancelled).toBe(1);
    w.grant();
    expect(r.error()).toBeUndefined();
  });

  it('the worker host throws on the crash message only', () => {
    const h = createWorkerHost({ post: () => {} });
    expect(() => h.handle({ type: 'crash' })).toThrow('crash requested by RemoteSim.debugCrash');
    expect(() => h.handle({ type: 'ack' })).not.toThrow();
    h.close();
  });
});
