// View state only (what is selected, hovered, filtered, shown): the simulation's state is
// read from the engine, never copied here.

import { create } from 'zustand';

export type Theme = 'dark' | 'light';
export type Selection =
  | { kind: 'task'; slot: number }
  | { kind: 'patch'; name: string }
  | { kind: 'func'; name: string }
  | null;

export interface ViewState {
  theme: Theme;
  selection: Selection;
  hoveredSlot: number | null;
  helpOpen: boolean;
  logLevel: number;
  logText: string;
  logFollow: boolean;
  /** d3-zoom transform of the Tasks canvas. */
  tasksZoom: { k: number; x: number; y: number };
  /** The Tasks view shows its table instead of only offering it to screen readers. */
  tasksTable: boolean;
  /** The function the Inspector's "what would it run" question is about (original name). */
  inspectorCall: string | null;
  setTheme(t: Theme): void;
  select(s: Selection): void;
  hover(slot: number | null): void;
  setHelp(open: boolean): void;
  setLogFilter(f: Partial<Pick<ViewState, 'logLevel' | 'logText' | 'logFollow'>>): void;
  setTasksZoom(z: { k: number; x: number; y: number }): void;
  setTasksTable(shown: boolean): void;
  setInspectorCall(name: string | null): void;
}

export const useView = create<ViewState>()((set) => ({
  theme: 'dark',
  selection: null,
  hoveredSlot: null,
  helpOpen: false,
  logLevel: 7,
  logText: '',
  logFollow: true,
  tasksZoom: { k: 1, x: 0, y: 0 },
  tasksTable: false,
  inspectorCall: null,
  setTheme: (theme) => set({ theme }),
  select: (selection) => set({ selection }),
  hover: (hoveredSlot) => set({ hoveredSlot }),
  setHelp: (helpOpen) => set({ helpOpen }),
  setLogFilter: (f) => set(f),
  setTasksZoom: (tasksZoom) => set({ tasksZoom }),
  setTasksTable: (tasksTable) => set({ tasksTable }),
  setInspectorCall: (inspectorCall) => set({ inspectorCall }),
}));
