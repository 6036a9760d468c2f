import { useRef, type KeyboardEvent, type PointerEvent as ReactPointerEvent, type ReactNode } from 'react';
import { COLUMNS } from './layoutModel';
import { useLayout } from './layoutStore';
import './layout.css';

/** Share of the width or height one arrow key press moves a splitter by. */
const KEY_STEP = 0.02;

interface SplitterProps {
  orientation: 'vertical' | 'horizontal';
  label: string;
  /** The position (0-100) screen readers announce. */
  value: number;
  /** Move by `delta`, a share of the extent the splitter divides. */
  move(delta: number): void;
  /** The extent (px) that `move`'s share is of. */
  extent(): number;
}

/** A drag handle between two columns or two panels; arrow keys move it too. */
function Splitter({ orientation, label, value, move, extent }: SplitterProps) {
  const last = useRef<number | null>(null);
  const vertical = orientation === 'vertical';
  const onDown = (e: ReactPointerEvent<HTMLDivElement>) => {
    e.preventDefault();
    e.currentTarget.setPointerCapture(e.pointerId);
    last.current = vertical ? e.clientX : e.clientY;
  };
  const onMove = (e: ReactPointerEvent<HTMLDivElement>) => {
    if (last.current === null) return;
    const at = vertical ? e.clientX : e.clientY;
    const size = extent();
    if (size > 0 && at !== last.current) move((at - last.current) / size);
    last.current = at;
  };
  const onUp = () => {
    last.current = null;
  };
  const onKey = (e: KeyboardEvent<HTMLDivElement>) => {
    const back = vertical ? 'ArrowLeft' : 'ArrowUp';
    const fwd = vertical ? 'ArrowRight' : 'ArrowDown';
    if (e.key !== back && e.key !== fwd) return;
    e.preventDefault();
    e.stopPropagation();
    move(e.key === back ? -KEY_STEP : KEY_STEP);
  };
  return (
    <div
      className={`splitter splitter-${orientation}`}
      role="separator"
      aria-orientation={orientation}
      aria-label={label}
      aria-valuenow={Math.round(value)}
      aria-valuemin={0}
      aria-valuemax={100}
      tabIndex={0}
      title={`${label}: drag, or focus and use the arrow keys`}
      onPointerDown={onDown}
      onPointerMove={onMove}
      onPointerUp={onUp}
      onPointerCancel={onUp}
      onKeyDown={onKey}
    />
  );
}

function Column({ ids, panels, titles }: { ids: readonly string[]; panels: Record<string, ReactNode>; titles: Record<string, string> }) {
  const layout = useLayout((s) => s.layout);
  const resize = useLayout((s) => s.resizePanels);
  const box = useRef<HTMLDivElement>(null);
  const out: ReactNode[] = [];
  ids.forEach((id, i) => {
    const collapsed = layout.collapsed[id];
    out.push(
      <div key={id} className={`slot${collapsed ? ' slot-collapsed' : ''}`} style={collapsed ? undefined : { flexGrow: layout.weights[id] }} data-slot={id}>
        {panels[id]}
      </div>,
    );
    const next = ids[i + 1];
    if (next && !collapsed && !layout.collapsed[next]) {
      const wa = layout.weights[id];
      const wb = layout.weights[next];
      out.push(
        <Splitter
          key={`${id}|${next}`}
          orientation="horizontal"
          label={`Resize ${titles[id]} and ${titles[next]}`}
          value={(100 * wa) / (wa + wb)}
          move={(d) => resize(id, next, d)}
          extent={() => {
            const el = box.current;
            const a = el?.querySelector<HTMLElement>(`[data-slot="${id}"]`);
            const b = el?.querySelector<HTMLElement>(`[data-slot="${next}"]`);
            return (a?.offsetHeight ?? 0) + (b?.offsetHeight ?? 0);
          }}
        />,
      );
    }
  });
  return (
    <div className="column" ref={box}>
      {out}
    </div>
  );
}

/**
 * The panels in three resizable columns: drag (or arrow-key) the splitters between columns
 * and between panels, collapse a panel to its header; the layout is kept in local settings.
 */
export function Workbench({ panels, titles }: { panels: Record<string, ReactNode>; titles: Record<string, string> }) {
  const cols = useLayout((s) => s.layout.cols);
  const resize = useLayout((s) => s.resizeColumns);
  const grid = useRef<HTMLElement>(null);
  const out: ReactNode[] = [];
  COLUMNS.forEach((ids, i) => {
    out.push(
      <div key={`c${i}`} className="column-box" style={{ flexGrow: cols[i] }}>
        <Column ids={ids} panels={panels} titles={titles} />
      </div>,
    );
    if (i + 1 < COLUMNS.length) {
      const left = cols.slice(0, i + 1).reduce((a, b) => a + b, 0);
      out.push(
        <Splitter
          key={`s${i}`}
          orientation="vertical"
          label={`Resize the columns of ${titles[ids[0]]} and ${titles[COLUMNS[i + 1][0]]}`}
          value={100 * left}
          move={(d) => resize(i, d)}
          extent={() => grid.current?.clientWidth ?? 0}
        />,
      );
    }
  });
  return (
    <main className="grid workbench" ref={grid}>
      {out}
    </main>
  );
}
