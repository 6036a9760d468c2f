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
  setTheme(t: Theme): void;
  select(s: Selection): void;
  hover(slot: number | null): void;
  setHelp(open: boolean): void;
  setLogFilter(f: Partial<Pick<ViewState, 'logLevel' | 'logText' | 'logFollow'>>): void;
}

export const useView = create<ViewState>()((set) => ({
  theme: 'dark',
  selection: null,
  hoveredSlot: null,
  helpOpen: false,
  logLevel: 7,
  logText: '',
  logFollow: true,
  setTheme: (theme) => set({ theme }),
  select: (selection) => set({ selection }),
  hover: (hoveredSlot) => set({ hoveredSlot }),
  setHelp: (helpOpen) => set({ helpOpen }),
  setLogFilter: (f) => set(f),
}));
