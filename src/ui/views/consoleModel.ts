// The console's transcript: every command of this timeline (the scenario's script and the
// lines typed in), each with what the shell printed, plus the lines that never joined the
// script (rejected) and the fork notices. Pure: the view passes the session's arrays in.

import type { EntryRun, ScriptEntry } from '../../engine/session';
import type { ConsoleNote } from '../store';

export type ItemStatus = 'waiting' | 'running' | 'done' | 'rejected' | 'forked';

export interface ConsoleItem {
  key: string;
  command: string;
  /** Typed in the console (not from the scenario's script). */
  typed: boolean;
  status: ItemStatus;
  /** When it started (µs), or for a waiting typed line the time it is due. */
  time?: number;
  out: string[];
  err: string[];
  exit?: number;
}

export function consoleItems(entries: readonly ScriptEntry[], runs: readonly EntryRun[], notes: readonly ConsoleNote[]): ConsoleItem[] {
  const byIndex = new Map(runs.map((r) => [r.index, r]));
  const items: ConsoleItem[] = [];
  // Notes typed in a future the timeline has since dropped (a fork) went with it.
  const pending = notes.filter((n) => n.after <= entries.length).sort((a, b) => a.after - b.after);
  let n = 0;
  const flushNotes = (upTo: number) => {
    for (; n < pending.length && pending[n].after <= upTo; n++) {
      const note = pending[n];
      items.push({
        key: `note-${note.time}-${n}`,
        command: note.text,
        typed: true,
        status: note.kind,
        time: note.time,
        out: [],
        err: [note.message],
      });
    }
  };
  entries.forEach((e, i) => {
    flushNotes(i);
    const run = byIndex.get(i);
    const base = { key: `entry-${i}-${e.text}`, command: e.text, typed: e.at !== undefined };
    if (!run) items.push({ ...base, status: 'waiting', time: e.at, out: [], err: [] });
    else if (run.end === undefined || !run.result) items.push({ ...base, status: 'running', time: run.start, out: [], err: [] });
    else items.push({ ...base, status: 'done', time: run.start, out: run.result.out, err: run.result.err, exit: run.result.status });
  });
  flushNotes(Infinity);
  return items;
}

/**
 * Browsing the history with the arrow keys: `at` is the history index shown (history.length
 * = the draft being typed). Returns the new index, clamped.
 */
export function historyStep(length: number, at: number, key: 'ArrowUp' | 'ArrowDown'): number {
  return key === 'ArrowUp' ? Math.max(0, at - 1) : Math.min(length, at + 1);
}
