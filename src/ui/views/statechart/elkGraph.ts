// The chart model as an ELK graph (layered, hierarchical: compound and parallel states are
// containers, edges may cross their borders) and the laid-out graph read back as SVG-ready
// geometry. Text is drawn in the monospace font, so its width is known without measuring.
// Targetless transitions are not edges: they are listed inside their state (as Stately's
// visualizer does), which keeps the chart free of self-loops that say nothing.

import type { ElkExtendedEdge, ElkNode } from 'elkjs/lib/elk-api';
import { edgeLabel, type ChartEdge, type ChartModel, type ChartNode } from '../../../engine/select/chartModel';

const CHAR_W = 6.6;
export const LINE_H = 14;
const PAD = 8;
const HEADER_H = 24;
const INITIAL_R = 5;

export interface LaidNode {
  node: ChartNode;
  x: number;
  y: number;
  width: number;
  height: number;
  /** Targetless transitions listed inside the state. */
  internal: ChartEdge[];
}

export interface LaidEdge {
  /** The ELK edge id: the chart edge id and the target index, or the initial marker's. */
  id: string;
  edge: ChartEdge | null;
  /** The target state's id. */
  target: string;
  points: [number, number][];
  label: { x: number; y: number; width: number; height: number; head: string; actions: string } | null;
}

export interface ChartLayout {
  /** Whether labels include the actions (they take room; the tooltips always have them). */
  actions: boolean;
  width: number;
  height: number;
  /** Parents before children, so drawing in order layers them right. */
  nodes: LaidNode[];
  edges: LaidEdge[];
  initials: { parent: string; x: number; y: number; r: number }[];
}

const textW = (s: string) => s.length * CHAR_W;
/** State names are drawn bold, which runs wider than the monospace body text. */
const BOLD_W = 7.6;
const titleW = (s: string) => s.length * BOLD_W;
const initialId = (compound: string) => `${compound}#initial`;

function internalLines(model: ChartModel, id: string): ChartEdge[] {
  return model.edges.filter((e) => e.source === id && e.targets.length === 0);
}

function shownLabel(e: ChartEdge, actions: boolean): { head: string; actions: string } {
  const l = edgeLabel(e);
  return actions ? l : { head: l.head, actions: '' };
}

function lineOf(e: ChartEdge, actions: boolean): string {
  const l = shownLabel(e, actions);
  return l.actions ? `${l.head} ${l.actions}` : l.head;
}

/** Nearest state that contains both ends: ELK wants an edge declared there. */
function containerOf(model: ChartModel, source: string, target: string): string {
  const up = (id: string) => {
    const out: string[] = [];
    for (let p = model.nodes.get(id)?.parent ?? null; p; p = model.nodes.get(p)!.parent) out.push(p);
    return out;
  };
  const targetUp = new Set(up(target));
  return up(source).find((a) => targetUp.has(a)) ?? model.root;
}

function elkEdges(model: ChartModel, actions: boolean): Map<string, ElkExtendedEdge[]> {
  const by = new Map<string, ElkExtendedEdge[]>();
  const add = (container: string, e: ElkExtendedEdge) => by.set(container, [...(by.get(container) ?? []), e]);
  for (const n of model.nodes.values()) {
    if (n.initial) add(n.id, { id: initialId(n.id), sources: [initialId(n.id)], targets: [n.initial] });
  }
  for (const e of model.edges) {
    e.targets.forEach((t, i) => {
      const l = shownLabel(e, actions);
      const lines = l.actions ? 2 : 1;
      add(containerOf(model, e.source, t), {
        id: `${e.id}#${i}`,
        sources: [e.source],
        targets: [t],
        labels: [{ id: `${e.id}#${i}:label`, text: l.head, width: Math.max(textW(l.head), textW(l.actions)) + 6, height: lines * LINE_H + 2 }],
      });
    });
  }
  return by;
}

const LAYERED = {
  'elk.algorithm': 'layered',
  'elk.edgeRouting': 'ORTHOGONAL',
  'elk.layered.spacing.nodeNodeBetweenLayers': '36',
  'elk.spacing.nodeNode': '24',
  'elk.spacing.edgeNode': '14',
  'elk.spacing.edgeEdge': '10',
  'elk.spacing.edgeLabel': '4',
  'elk.layered.nodePlacement.strategy': 'NETWORK_SIMPLEX',
  'elk.layered.cycleBreaking.strategy': 'MODEL_ORDER',
  'elk.layered.considerModelOrder.strategy': 'NODES_AND_EDGES',
};

// Parallel regions are packed in a column, in definition order (rectpacking keeps it);
// inside a region the flow runs downwards, with edges free to cross nested state borders.
// (Transitions between parallel regions would need the layered algorithm here as well.)
function elkNode(model: ChartModel, n: ChartNode, edges: Map<string, ElkExtendedEdge[]>, actions: boolean): ElkNode {
  const internal = internalLines(model, n.id);
  if (n.children.length === 0) {
    const width = Math.max(96, titleW(n.key) + 2 * PAD, ...internal.map((e) => textW(lineOf(e, actions)) + 2 * PAD));
    return { id: n.id, width, height: HEADER_H + internal.length * LINE_H + (internal.length ? PAD : 0) };
  }
  const children = n.children.map((c) => elkNode(model, model.nodes.get(c)!, edges, actions));
  if (n.initial) children.unshift({ id: initialId(n.id), width: 2 * INITIAL_R, height: 2 * INITIAL_R, layoutOptions: { 'elk.layered.layering.layerConstraint': 'FIRST' } });
  const arrange: Record<string, string> = n.type === 'parallel'
    ? { 'elk.algorithm': 'rectpacking', 'elk.aspectRatio': '0.2', 'elk.spacing.nodeNode': '16' }
    : { ...LAYERED, 'elk.direction': 'DOWN', 'elk.hierarchyHandling': 'INCLUDE_CHILDREN' };
  return {
    id: n.id,
    children,
    edges: edges.get(n.id) ?? [],
    layoutOptions: {
      ...arrange,
      'elk.padding': `[top=${HEADER_H + 6 + internal.length * LINE_H},left=${PAD + 4},bottom=${PAD + 4},right=${PAD + 4}]`,
      'elk.nodeSize.minimum': `(${titleW(n.key) + 4 * PAD}, 40)`,
      'elk.nodeSize.constraints': 'MINIMUM_SIZE',
    },
  };
}

/** The ELK input graph of a chart model. */
export function toElk(model: ChartModel, actions: boolean): ElkNode {
  const edges = elkEdges(model, actions);
  return {
    id: 'chart',
    children: [elkNode(model, model.nodes.get(model.root)!, edges, actions)],
    edges: edges.get(model.root) ?? [],
    layoutOptions: {
      ...LAYERED,
      'elk.padding': '[top=4,left=4,bottom=4,right=4]',
      'elk.json.edgeCoords': 'ROOT',
      'elk.json.shapeCoords': 'ROOT',
    },
  };
}

function collectEdges(n: ElkNode, out: ElkExtendedEdge[]): ElkExtendedEdge[] {
  out.push(...(n.edges ?? []));
  for (const c of n.children ?? []) collectEdges(c, out);
  return out;
}

function collect(n: ElkNode, out: Map<string, ElkNode>): void {
  out.set(n.id, n);
  for (const c of n.children ?? []) collect(c, out);
}

/** Geometry of the laid-out graph (ELK's output, coordinates relative to the root). */
export function fromElk(model: ChartModel, out: ElkNode, actions: boolean): ChartLayout {
  const shapes = new Map<string, ElkNode>();
  collect(out, shapes);
  const nodes: LaidNode[] = [];
  const initials: ChartLayout['initials'] = [];
  const place = (id: string) => {
    const n = model.nodes.get(id)!;
    const s = shapes.get(id);
    if (!s) throw new Error(`the layout lost state ${id}`);
    nodes.push({ node: n, x: s.x ?? 0, y: s.y ?? 0, width: s.width ?? 0, height: s.height ?? 0, internal: internalLines(model, id) });
    if (n.initial) {
      const i = shapes.get(initialId(id))!;
      initials.push({ parent: id, x: (i.x ?? 0) + INITIAL_R, y: (i.y ?? 0) + INITIAL_R, r: INITIAL_R });
    }
    n.children.forEach(place);
  };
  place(model.root);
  const byId = new Map(model.edges.map((e) => [e.id, e]));
  const edges: LaidEdge[] = collectEdges(out, []).map((e) => {
    const sec = e.sections?.[0];
    const points: [number, number][] = sec ? [[sec.startPoint.x, sec.startPoint.y], ...(sec.bendPoints ?? []).map((p): [number, number] => [p.x, p.y]), [sec.endPoint.x, sec.endPoint.y]] : [];
    const chartEdge = byId.get(e.id.slice(0, e.id.lastIndexOf('#'))) ?? null;
    const lab = e.labels?.[0];
    const text = chartEdge ? shownLabel(chartEdge, actions) : null;
    return {
      id: e.id,
      edge: chartEdge,
      target: e.targets[0],
      points,
      label: lab && text ? { x: lab.x ?? 0, y: lab.y ?? 0, width: lab.width ?? 0, height: lab.height ?? 0, ...text } : null,
    };
  });
  return { actions, width: out.width ?? 0, height: out.height ?? 0, nodes, edges, initials };
}
