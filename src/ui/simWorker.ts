// The dedicated module worker big scenarios run in (src/ui/remote.ts starts it): the Session
// and its playback live here, the page only draws the snapshots this posts.

import { createWorkerHost, type ToWorker } from './workerHost';

const scope = self as unknown as {
  postMessage(msg: unknown, transfer: Transferable[]): void;
  onmessage: ((e: MessageEvent<ToWorker>) => void) | null;
};

const host = createWorkerHost({ post: (msg, transfer) => scope.postMessage(msg, transfer) });
scope.onmessage = (e) => host.handle(e.data);
