// The main thread's side of the layout worker: one lazily started worker, one layout per
// chart model (the machine never changes while the page lives), errors surfaced as text.

import type { ElkNode } from 'elkjs/lib/elk-api';
import type { LayoutReply, LayoutRequest } from './layout.worker';

let worker: Worker | undefined;
let nextId = 1;
const waiting = new Map<number, (r: LayoutReply) => void>();

function layoutWorker(): Worker {
  if (!worker) {
    worker = new Worker(new URL('./layout.worker.ts', import.meta.url), { type: 'module', name: 'statechart-layout' });
    worker.onmessage = (e: MessageEvent<LayoutReply>) => {
      waiting.get(e.data.id)?.(e.data);
      waiting.delete(e.data.id);
    };
    worker.onerror = (e) => {
      for (const [id, answer] of waiting) answer({ id, ok: false, error: e.message || 'the layout worker failed to start' });
      waiting.clear();
    };
  }
  return worker;
}

/** Lay out an ELK graph in the worker. */
export function layoutInWorker(graph: ElkNode): Promise<ElkNode> {
  const id = nextId++;
  return new Promise((resolve, reject) => {
    waiting.set(id, (r) => (r.ok ? resolve(r.graph) : reject(new Error(r.error))));
    const req: LayoutRequest = { id, graph };
    layoutWorker().postMessage(req);
  });
}
