// The worker transport's crash report (issue 11): an exception inside the simulation worker, or
// the worker gone, is reported by the port (error()), the worker is terminated, every request
// still waiting is answered, and the last snapshot stays as the last good state to restart from.

import { afterEach, describe, expect, it } from 'vitest';
import { defaultScenario } from '../../../src/scenario/defaultScenario';
import { RemoteSim } from '../../../src/ui/remote';
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

function remote(c: ReturnType<typeof channel>): RemoteSim {
  const r = new RemoteSim({ scenario: defaultScenario() }, c, (cb) => setTimeout(cb, 0));
  open.push(r);
  return r;
}

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
    const r = remote(c);
    await until(() => r.ready());
    const pending = r.command('sleep 1');
    const question = r.query('dmesg', null);
    r.debugCrash('die');
    expect(await pending).toMatchObject({ ok: false, error: 'The simulation worker died (it was terminated)' });
    await expect(question).rejects.toThrow('died');
    expect(c.terminated).toBe(1);
    // A second failure report changes nothing: the first one is what happened.
    c.onerror?.({ message: 'later' } as ErrorEvent);
    expect(r.error()).toBe('The simulation worker died (it was terminated)');
  });

  it('the worker host throws on the crash message only', () => {
    const h = createWorkerHost({ post: () => {} });
    expect(() => h.handle({ type: 'crash' })).toThrow('crash requested by RemoteSim.debugCrash');
    expect(() => h.handle({ type: 'ack' })).not.toThrow();
    h.close();
  });
});
