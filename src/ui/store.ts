// View state only (what is selected, hovered, filtered, shown): the simulation's state is
// read from the engine, never copied here.

import { create } from 'zustand';

export type Theme = 'dark' | 'light';
export type Selection =
  | { kind: 'task'; slot: number }
  | { kind: 'patch'; name: string }
  | { kind: 'func'; name: string }
  | null;

/** A console line that never reached the script: a rejected command, or a fork notice. */
export interface ConsoleNote {
  /** Virtual time it was typed at (µs), to place it among the runs. */
  time: number;
  /** How many script entries existed then: it shows after them. */
  after: number;
  text: string;
  kind: 'rejected' | 'forked';
  message: string;
}

export interface ViewState {
  theme: Theme;
  selection: Selection;
  hoveredSlot: number | null;
  helpOpen: boolean;
  logLevel: number;
  logText: string;
  logFollow: boolean;
  consoleDraft: string;
  consoleHistory: string[];
  consoleNotes: ConsoleNote[];
  setTheme(t: Theme): void;
  select(s: Selection): void;
  hover(slot: number | null): void;
  setHelp(open: boolean): void;
  setLogFilter(f: Partial<Pick<ViewState, 'logLevel' | 'logText' | 'logFollow'>>): void;
  setConsoleDraft(text: string): void;
  /** A command entered in the console: it joins the history; a note when it was rejected or forked. */
  enterConsole(text: string, note?: ConsoleNote): void;
}

export const useView = create<ViewState>()((set) => ({
  theme: 'dark',
  selection: null,
  hoveredSlot: null,
  helpOpen: false,
  logLevel: 7,
  logText: '',
  logFollow: true,
  consoleDraft: '',
  consoleHistory: [],
  consoleNotes: [],
  setTheme: (theme) => set({ theme }),
  select: (selection) => set({ selection }),
  hover: (hoveredSlot) => set({ hoveredSlot }),
  setHelp: (helpOpen) => set({ helpOpen }),
  setLogFilter: (f) => set(f),
  setConsoleDraft: (consoleDraft) => set({ consoleDraft }),
  enterConsole: (text, note) =>
    set((v) => ({
      consoleHistory: v.consoleHistory.at(-1) === text ? v.consoleHistory : [...v.consoleHistory, text],
      consoleNotes: note ? [...v.consoleNotes, note] : v.consoleNotes,
    })),
}));
