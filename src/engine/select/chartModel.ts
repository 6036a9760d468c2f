// The statechart as drawable data, read from an XState v5 machine's StateNode tree: every
// state node (with its type and children), every transition (event, guard, delay, actions,
// targets) and the initial pseudo-states. Nothing here is hand-written per machine, so the
// chart cannot drift from the definition the simulation runs.

import type { AnyStateMachine, AnyStateNode, AnyTransitionDefinition, StateValue } from 'xstate';

type ChartNodeType = 'atomic' | 'compound' | 'parallel' | 'final' | 'history';

export interface ChartNode {
  /** The state node's id (e.g. `klp.core.patching`). */
  id: string;
  /** Its key in the parent (`patching`); the root's is the machine id. */
  key: string;
  type: ChartNodeType;
  parent: string | null;
  children: string[];
  /** For compound states: the id of the initial child. */
  initial: string | null;
  /** Nesting depth (the root is 0). */
  depth: number;
}

export interface ChartEdge {
  /** Stable id: source id, event, index among that event's transitions on the source. */
  id: string;
  source: string;
  /** Target state ids; empty for a targetless (internal) transition. */
  targets: string[];
  /** The event type as the machine sees it (`klp.reverse`, `xstate.after.…`). */
  event: string;
  /** What to print: the event name, or `after <delay>` for delayed transitions. */
  trigger: string;
  guard: string | null;
  actions: string[];
}

export interface ChartModel {
  root: string;
  nodes: Map<string, ChartNode>;
  edges: ChartEdge[];
}

function nameOf(x: unknown): string {
  if (typeof x === 'string') return x;
  if (x && typeof x === 'object' && 'type' in x && typeof x.type === 'string') return x.type;
  if (typeof x === 'function') return x.name || 'inline';
  return 'inline';
}

/** The id the chart gives a transition definition (the same for the live actor's steps). */
export function edgeIdOf(t: AnyTransitionDefinition): string {
  const list = t.source.transitions.get(t.eventType) ?? [];
  return `${t.source.id}|${t.eventType}|${Math.max(0, list.indexOf(t))}`;
}

function triggerOf(t: AnyTransitionDefinition): string {
  const delay = (t as AnyTransitionDefinition & { delay?: unknown }).delay;
  if (delay === undefined) return t.eventType;
  return `after ${typeof delay === 'number' ? `${delay}ms` : nameOf(delay)}`;
}

/** Walk the machine's StateNode tree into a ChartModel. */
export function chartModel(machine: AnyStateMachine): ChartModel {
  const nodes = new Map<string, ChartNode>();
  const edges: ChartEdge[] = [];
  const visit = (n: AnyStateNode, parent: string | null, depth: number) => {
    const children = Object.values(n.states) as AnyStateNode[];
    nodes.set(n.id, {
      id: n.id,
      key: n.key,
      type: n.type,
      parent,
      children: children.map((c) => c.id),
      initial: n.type === 'compound' ? (n.initial.target[0]?.id ?? null) : null,
      depth,
    });
    for (const list of n.transitions.values()) {
      for (const t of list) {
        edges.push({
          id: edgeIdOf(t),
          source: n.id,
          targets: (t.target ?? []).map((x: AnyStateNode) => x.id),
          event: t.eventType,
          trigger: triggerOf(t),
          guard: t.guard ? nameOf(t.guard) : null,
          actions: t.actions.map(nameOf),
        });
      }
    }
    for (const c of children) visit(c, n.id, depth + 1);
  };
  visit(machine.root, null, 0);
  return { root: machine.root.id, nodes, edges };
}

/** Ids of the state nodes active in `value` (the root, regions and leaves). */
export function activeStateIds(model: ChartModel, value: StateValue): Set<string> {
  const out = new Set<string>();
  const walk = (id: string, v: StateValue | undefined) => {
    const node = model.nodes.get(id);
    if (!node) return;
    out.add(id);
    if (node.type === 'parallel') {
      for (const c of node.children) walk(c, typeof v === 'object' ? v[model.nodes.get(c)!.key] : undefined);
      return;
    }
    const key = typeof v === 'string' ? v : v && typeof v === 'object' ? Object.keys(v)[0] : undefined;
    const child = node.children.find((c) => model.nodes.get(c)!.key === key);
    if (child) walk(child, typeof v === 'object' && v && key !== undefined ? v[key] : undefined);
  };
  walk(model.root, value);
  return out;
}

/** Human label of an edge: `event [guard]` and, on a second line, `/ actions`. */
export function edgeLabel(e: ChartEdge): { head: string; actions: string } {
  return { head: e.guard ? `${e.trigger} [${e.guard}]` : e.trigger, actions: e.actions.length ? `/ ${e.actions.join(', ')}` : '' };
}
