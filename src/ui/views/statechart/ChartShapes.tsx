// The chart's shapes: states (compound ones as containers, with their targetless transitions
// listed inside), transitions as routed edges with their labels, initial markers.

import { line } from 'd3';
import type { ChartEdge } from '../../../engine/select/chartModel';
import { edgeLabel } from '../../../engine/select/chartModel';
import { LINE_H, type LaidEdge, type LaidNode } from './elkGraph';

const path = line();

function describeNode(n: LaidNode): string {
  const kind = n.node.type === 'parallel' ? 'parallel state (all regions active together)' : n.node.type === 'compound' ? 'compound state' : 'state';
  return `${n.node.key}: ${kind}${n.internal.length ? `; handles ${n.internal.map((e) => e.trigger).join(', ')} without leaving it` : ''}`;
}

function describeEdge(e: ChartEdge, target: string): string {
  const l = edgeLabel(e);
  return `${l.head}: ${e.source.split('.').pop()} → ${target.split('.').pop()}${l.actions ? ` ${l.actions}` : ''}`;
}

export function StateShape({ n, active, last, parentType, actions }: { n: LaidNode; active: boolean; last: Set<string>; parentType: string | null; actions: boolean }) {
  const container = n.node.children.length > 0;
  const cls = ['sc-state', container ? 'sc-container' : 'sc-leaf', parentType === 'parallel' ? 'sc-region' : ''].join(' ');
  return (
    <g className={cls} data-state={n.node.id} data-active={active ? 'true' : 'false'}>
      <title>{describeNode(n)}{active ? ' (active)' : ''}</title>
      <rect x={n.x} y={n.y} width={n.width} height={n.height} rx={container ? 8 : 6} />
      <text className="sc-name" x={n.x + 8} y={n.y + 16}>
        {n.node.key}
        {n.node.type === 'parallel' && <tspan className="sc-kind"> (parallel)</tspan>}
      </text>
      {n.internal.map((e, i) => {
        const l = edgeLabel(e);
        return (
          <text key={e.id} className="sc-internal" data-edge={e.id} data-last={last.has(e.id) ? 'true' : 'false'} x={n.x + 8} y={n.y + 24 + (i + 1) * LINE_H - 3}>
            <title>{`${l.head}: handled in ${n.node.key}, no state change ${l.actions}`}</title>
            {l.head}
            {actions && l.actions && <tspan className="sc-actions"> {l.actions}</tspan>}
          </text>
        );
      })}
    </g>
  );
}

export function EdgeShape({ e, lit }: { e: LaidEdge; lit: boolean }) {
  if (e.points.length < 2) return null;
  return (
    <g className={e.edge ? 'sc-edge' : 'sc-edge sc-initial-edge'} data-edge={e.edge?.id ?? e.id} data-last={lit ? 'true' : 'false'}>
      <title>{e.edge ? describeEdge(e.edge, e.target) : `initial state: ${e.target.split('.').pop()}`}</title>
      <path d={path(e.points) ?? ''} markerEnd={`url(#${lit ? 'sc-arrow-lit' : 'sc-arrow'})`} />
      {e.label && (
        <text className="sc-label" x={e.label.x + 3} y={e.label.y + LINE_H - 3}>
          {e.label.head}
          {e.label.actions && (
            <tspan className="sc-actions" x={e.label.x + 3} dy={LINE_H}>
              {e.label.actions}
            </tspan>
          )}
        </text>
      )}
    </g>
  );
}

export function ArrowDefs() {
  return (
    <defs>
      <marker id="sc-arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse">
        <path className="sc-arrowhead" d="M0,0 L10,5 L0,10 z" />
      </marker>
      <marker id="sc-arrow-lit" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse">
        <path className="sc-arrowhead sc-arrowhead-lit" d="M0,0 L10,5 L0,10 z" />
      </marker>
    </defs>
  );
}
