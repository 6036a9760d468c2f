// View state only (what is selected, hovered, filtered, shown): the simulation's state is
// read from the engine, never copied here.

import { create } from 'zustand';

export type Theme = 'dark' | 'light';
type Selection =
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
  /** Long kernel log lines wrap (on by default: no reason text is cut off). */
  logWrap: boolean;
  /** The timeline's visible window of virtual time (µs); null fits the whole run. */
  timelineWindow: { t0: number; t1: number } | null;
  /** Virtual time under the pointer on the timeline (its readout), or null. */
  timelineHover: number | null;
  /** The statechart's pan and zoom (a d3-zoom transform); null fits the chart. */
  chartZoom: { k: number; x: number; y: number } | null;
  /** Whether the statechart prints each transition's actions. */
  chartActions: boolean;
  consoleDraft: string;
  consoleHistory: string[];
  consoleNotes: ConsoleNote[];
  /** d3-zoom transform of the Tasks canvas. */
  tasksZoom: { k: number; x: number; y: number };
  /** The Tasks view shows its table instead of only offering it to screen readers. */
  tasksTable: boolean;
  /** The Tasks view draws only blocked tasks. */
  tasksBlockedOnly: boolean;
  setTasksBlockedOnly(on: boolean): void;
  /** The Tasks view's search: what was searched, the matching slots (capped) and their total. */
  tasksSearch: { text: string; slots: number[]; total: number } | null;
  setTasksSearch(s: { text: string; slots: number[]; total: number } | null): void;
  /** The function the Inspector's "what would it run" question is about (original name). */
  inspectorCall: string | null;
  /** Pending counts on a log scale (true / false), or by the task count (null). */
  timelineLog: boolean | null;
  setTimelineLog(on: boolean): void;
  /** The timeline's legend shown (true), hidden (false), or by the panel's height (null). */
  timelineLegend: boolean | null;
  setTimelineLegend(shown: boolean): void;
  /** The panel shown over the whole grid, or null. */
  expandedPanel: string | null;
  setExpandedPanel(id: string | null): void;
  setTheme(t: Theme): void;
  /** Forget what referred to the previous scenario (selection, zooms, console notes). */
  resetForScenario(): void;
  select(s: Selection): void;
  hover(slot: number | null): void;
  setHelp(open: boolean): void;
  setLogFilter(f: Partial<Pick<ViewState, 'logLevel' | 'logText' | 'logFollow' | 'logWrap'>>): void;
  setTimelineWindow(w: { t0: number; t1: number } | null): void;
  setTimelineHover(t: number | null): void;
  setChartZoom(z: { k: number; x: number; y: number } | null): void;
  setChartActions(on: boolean): void;
  setConsoleDraft(text: string): void;
  /** A command entered in the console: it joins the history; a note when it was rejected or forked. */
  enterConsole(text: string, note?: ConsoleNote): void;
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
  logWrap: true,
  timelineWindow: null,
  timelineHover: null,
  chartZoom: null,
  chartActions: false,
  consoleDraft: '',
  consoleHistory: [],
  consoleNotes: [],
  tasksZoom: { k: 1, x: 0, y: 0 },
  tasksTable: false,
  inspectorCall: null,
  expandedPanel: null,
  timelineLegend: null,
  timelineLog: null,
  setTimelineLog: (timelineLog) => set({ timelineLog }),
  tasksBlockedOnly: false,
  setTasksBlockedOnly: (tasksBlockedOnly) => set({ tasksBlockedOnly }),
  tasksSearch: null,
  setTasksSearch: (tasksSearch) => set({ tasksSearch }),
  setTimelineLegend: (timelineLegend) => set({ timelineLegend }),
  setExpandedPanel: (expandedPanel) => set({ expandedPanel }),
  setTheme: (theme) => set({ theme }),
  resetForScenario: () => set({ tasksSearch: null, selection: null, hoveredSlot: null, timelineWindow: null, timelineHover: null, chartZoom: null, consoleNotes: [], tasksZoom: { k: 1, x: 0, y: 0 } }),
  select: (selection) => set({ selection }),
  hover: (hoveredSlot) => set({ hoveredSlot }),
  setHelp: (helpOpen) => set({ helpOpen }),
  setLogFilter: (f) => set(f),
  setTimelineWindow: (timelineWindow) => set({ timelineWindow }),
  setTimelineHover: (timelineHover) => set({ timelineHover }),
  setChartZoom: (chartZoom) => set({ chartZoom }),
  setChartActions: (chartActions) => set({ chartActions, chartZoom: null }),
  setConsoleDraft: (consoleDraft) => set({ consoleDraft }),
  enterConsole: (text, note) =>
    set((v) => ({
      consoleHistory: v.consoleHistory.at(-1) === text ? v.consoleHistory : [...v.consoleHistory, text],
      consoleNotes: note ? [...v.consoleNotes, note] : v.consoleNotes,
    })),
  setTasksZoom: (tasksZoom) => set({ tasksZoom }),
  setTasksTable: (tasksTable) => set({ tasksTable }),
  setInspectorCall: (inspectorCall) => set({ inspectorCall }),
}));
