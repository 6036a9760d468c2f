// The laid-out chart in an SVG that d3-zoom pans and zooms (wheel, drag); the transform is
// view state in the store, so React draws it and Fit / 1:1 simply set it.

import { select, zoom, zoomIdentity, type ZoomBehavior } from 'd3';
import { forwardRef, useEffect, useMemo, useRef } from 'react';
import { useView } from '../../store';
import { ArrowDefs, EdgeShape, StateShape } from './ChartShapes';
import type { ChartLayout } from './elkGraph';
import type { Lit } from '../../../engine/select/chartLit';

interface ChartZoom {
  k: number;
  x: number;
  y: number;
}

/**
 * The transform that fits the chart in a `width` × `height` box, never above 1:1; in a small
 * box it fits the width only, at no less than 60%, so labels stay legible (drag to pan).
 */
function fitTransform(layout: ChartLayout, width: number, height: number): ChartZoom {
  const byWidth = (width - 8) / layout.width;
  const k = Math.min(1, byWidth, Math.max(0.6, (height - 8) / layout.height));
  return { k, x: (width - layout.width * k) / 2, y: 4 };
}

interface Props {
  layout: ChartLayout;
  lit: Lit;
  width: number;
  height: number;
}

export const StatechartSvg = forwardRef<SVGSVGElement, Props>(function StatechartSvg({ layout, lit, width, height }, ref) {
  const inner = useRef<SVGSVGElement | null>(null);
  const stored = useView((v) => v.chartZoom);
  const setChartZoom = useView((v) => v.setChartZoom);
  const t = stored ?? fitTransform(layout, width, height);
  const behaviour = useMemo<ZoomBehavior<SVGSVGElement, unknown>>(
    () => zoom<SVGSVGElement, unknown>().scaleExtent([0.15, 3]).on('zoom', (e) => {
      if (e.sourceEvent) setChartZoom({ k: e.transform.k, x: e.transform.x, y: e.transform.y });
    }),
    [setChartZoom],
  );
  useEffect(() => {
    const svg = inner.current;
    if (!svg) return;
    select(svg).call(behaviour).on('dblclick.zoom', null);
    return () => {
      select(svg).on('.zoom', null);
    };
  }, [behaviour]);
  useEffect(() => {
    // Keep d3-zoom's own idea of the transform equal to the one drawn.
    if (inner.current) behaviour.transform(select(inner.current), zoomIdentity.translate(t.x, t.y).scale(t.k));
  }, [behaviour, t.x, t.y, t.k]);
  const parentType = (id: string | null) => (id ? (layout.nodes.find((n) => n.node.id === id)?.node.type ?? null) : null);
  return (
    <svg
      ref={(el) => {
        inner.current = el;
        if (typeof ref === 'function') ref(el);
        else if (ref) ref.current = el;
      }}
      className="sc-svg"
      width={width}
      height={height}
      role="img"
      aria-label="Statechart of the klp core machine"
      data-chart-width={layout.width}
      data-chart-height={layout.height}
    >
      <ArrowDefs />
      <g className="sc-zoom" data-zoom="true" transform={`translate(${t.x},${t.y}) scale(${t.k})`}>
        {layout.nodes.map((n) => (
          <StateShape key={n.node.id} n={n} active={lit.active.has(n.node.id)} last={lit.last} parentType={parentType(n.node.parent)} actions={layout.actions} />
        ))}
        {layout.initials.map((i) => (
          <circle key={i.parent} className="sc-initial" cx={i.x} cy={i.y} r={i.r}>
            <title>initial state of {i.parent.split('.').pop()}</title>
          </circle>
        ))}
        {layout.edges.map((e) => (
          <EdgeShape key={e.id} e={e} lit={e.edge !== null && lit.last.has(e.edge.id)} />
        ))}
      </g>
    </svg>
  );
});
