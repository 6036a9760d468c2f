// Runs elkjs off the main thread, and keeps its 1.5 MB out of the page's first load: the
// page fetches this worker only when the Statechart view mounts.
// Importing elk.bundled.js inside a worker makes it claim self.onmessage for ELK's own
// worker protocol; this file takes the handler back and answers with plain layout results.

import ELK, { type ElkNode } from 'elkjs/lib/elk.bundled.js';

export interface LayoutRequest {
  id: number;
  graph: ElkNode;
}

export type LayoutReply = { id: number; ok: true; graph: ElkNode } | { id: number; ok: false; error: string };

const elk = new ELK();

self.onmessage = (e: MessageEvent<LayoutRequest>) => {
  const { id, graph } = e.data;
  elk.layout(graph).then(
    (out) => self.postMessage({ id, ok: true, graph: out } satisfies LayoutReply),
    (err: unknown) => self.postMessage({ id, ok: false, error: err instanceof Error ? err.message : String(err) } satisfies LayoutReply),
  );
};
