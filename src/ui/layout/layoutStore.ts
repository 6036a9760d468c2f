// The layout as app state: read once from the local settings, written back on every change.
import { create } from 'zustand';
import { defaultLayout, readLayout, resizeColumns, resizePanels, saveLayout, setCollapsed, type Layout } from './layoutModel';

interface LayoutState {
  layout: Layout;
  resizeColumns(i: number, delta: number): void;
  resizePanels(a: string, b: string, delta: number): void;
  setCollapsed(id: string, collapsed: boolean): void;
  reset(): void;
}

export const useLayout = create<LayoutState>()((set, get) => {
  const put = (layout: Layout) => {
    saveLayout(layout);
    set({ layout });
  };
  return {
    layout: readLayout(),
    resizeColumns: (i, delta) => put(resizeColumns(get().layout, i, delta)),
    resizePanels: (a, b, delta) => put(resizePanels(get().layout, a, b, delta)),
    setCollapsed: (id, collapsed) => put(setCollapsed(get().layout, id, collapsed)),
    reset: () => put(defaultLayout()),
  };
});
