// The dedicated module worker big scenarios run in (src/ui/remote.ts starts it): the Session
// and its playback live here, the page only draws the snapshots this posts.
//
// First of all it takes a Web Lock named after itself and holds it for its whole life: when
// the worker is terminated or killed, the browser releases the lock, and the page's watchdog
// (RemoteSim, WorkerWatch), which asks for the same lock once told 'alive', learns of it.

import { createWorkerHost, type FromWorker, type ToWorker } from './workerHost';

const scope = self as unknown as {
  name: string;
  navigator?: { locks?: LockManager };
  postMessage(msg: FromWorker, transfer: Transferable[]): void;
  onmessage: ((e: MessageEvent<ToWorker>) => void) | null;
};

scope.navigator?.locks
  ?.request(scope.name, () => {
    scope.postMessage({ type: 'alive', lock: scope.name }, []);
    // Held until the worker ends.
    return new Promise<never>(() => {});
  })
  .catch(() => {});

const host = createWorkerHost({ post: (msg, transfer) => scope.postMessage(msg, transfer) });
scope.onmessage = (e) => host.handle(e.data);
