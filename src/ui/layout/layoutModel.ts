// The workspace's layout: three columns of panels, each column a share of the width, each
// panel a weight of its column's height, any panel collapsed to its header. Kept in the
// browser's local settings (never in the URL: a shared link carries the scenario, not the
// reader's screen). Pure: the Workbench reads and writes it through the view store.

export const COLUMNS: readonly (readonly string[])[] = [
  ['tasks', 'timeline', 'log'],
  ['status', 'console', 'sysfs'],
  ['inspector', 'funcs', 'consistency', 'statechart'],
];
export const PANEL_IDS: readonly string[] = COLUMNS.flat();

export interface Layout {
  /** Each column's share of the width (sums to 1). */
  cols: number[];
  /** Each panel's weight within its column's height. */
  weights: Record<string, number>;
  /** Panels shown as their header only. */
  collapsed: Record<string, boolean>;
}

const LAYOUT_KEY = 'livepatch-explorer:layout';
/** The narrowest a column may get (share of the width). */
export const MIN_COL = 0.12;
/** The lightest a panel may get (weight; the defaults are around 1). */
export const MIN_WEIGHT = 0.15;

const DEFAULT_WEIGHTS: Record<string, number> = { tasks: 1.6, timeline: 1.1, log: 1.1, status: 1.2, console: 1, sysfs: 0.7, inspector: 2, funcs: 1, consistency: 0.9, statechart: 0.9 };

function nullProto<T>(entries: [string, T][]): Record<string, T> {
  return Object.assign(Object.create(null) as Record<string, T>, Object.fromEntries(entries));
}

export function defaultLayout(): Layout {
  return {
    cols: [0.5, 0.26, 0.24],
    weights: nullProto(PANEL_IDS.map((id) => [id, DEFAULT_WEIGHTS[id] ?? 1])),
    collapsed: nullProto(PANEL_IDS.map((id) => [id, false])),
  };
}

const isNum = (x: unknown): x is number => typeof x === 'number' && Number.isFinite(x);

/** A saved layout, or the default when it is missing or not one this version wrote. */
export function parseLayout(text: string | null): Layout {
  const d = defaultLayout();
  if (!text) return d;
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return d;
  }
  if (!raw || typeof raw !== 'object') return d;
  const r = raw as { cols?: unknown; weights?: unknown; collapsed?: unknown };
  if (Array.isArray(r.cols) && r.cols.length === COLUMNS.length && r.cols.every((c) => isNum(c) && c >= MIN_COL && c <= 1)) {
    const sum = (r.cols as number[]).reduce((a, b) => a + b, 0);
    d.cols = (r.cols as number[]).map((c) => c / sum);
  }
  const w = r.weights && typeof r.weights === 'object' ? (r.weights as Record<string, unknown>) : {};
  const c = r.collapsed && typeof r.collapsed === 'object' ? (r.collapsed as Record<string, unknown>) : {};
  for (const id of PANEL_IDS) {
    const wi = Object.hasOwn(w, id) ? w[id] : undefined;
    if (isNum(wi) && wi >= MIN_WEIGHT && wi <= 20) d.weights[id] = wi;
    if (Object.hasOwn(c, id) && typeof c[id] === 'boolean') d.collapsed[id] = c[id] as boolean;
  }
  return d;
}

export function layoutText(l: Layout): string {
  return JSON.stringify({ cols: l.cols.map((c) => +c.toFixed(4)), weights: { ...l.weights }, collapsed: { ...l.collapsed } });
}

/** Move the boundary after column `i` by `delta` (share of the width), within MIN_COL. */
export function resizeColumns(l: Layout, i: number, delta: number): Layout {
  const cols = l.cols.slice();
  if (i < 0 || i + 1 >= cols.length) return l;
  const pair = cols[i] + cols[i + 1];
  const left = Math.min(pair - MIN_COL, Math.max(MIN_COL, cols[i] + delta));
  cols[i] = left;
  cols[i + 1] = pair - left;
  return { ...l, cols };
}

/**
 * Move the boundary between panels `a` and `b` (neighbours in a column, both open) by
 * `delta`, a share of the pair's combined height; the pair keeps its total weight.
 */
export function resizePanels(l: Layout, a: string, b: string, delta: number): Layout {
  const wa = l.weights[a];
  const wb = l.weights[b];
  if (wa === undefined || wb === undefined) return l;
  const total = wa + wb;
  const nextA = Math.min(total - MIN_WEIGHT, Math.max(MIN_WEIGHT, wa + delta * total));
  const weights = nullProto(Object.entries(l.weights));
  weights[a] = nextA;
  weights[b] = total - nextA;
  return { ...l, weights };
}

export function setCollapsed(l: Layout, id: string, collapsed: boolean): Layout {
  const c = nullProto(Object.entries(l.collapsed));
  c[id] = collapsed;
  return { ...l, collapsed: c };
}

export function readLayout(): Layout {
  try {
    return parseLayout(localStorage.getItem(LAYOUT_KEY));
  } catch {
    return defaultLayout();
  }
}

export function saveLayout(l: Layout): void {
  try {
    localStorage.setItem(LAYOUT_KEY, layoutText(l));
  } catch {
    // Storage disabled or full: the layout lasts for this page.
  }
}
