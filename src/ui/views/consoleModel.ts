// The console's transcript: every command of this timeline (the scenario's script and the
// lines typed in), each with what the shell printed, plus the lines that never joined the
// script (rejected) and the fork notices. Pure: the view passes the session's arrays in.

import type { EntryRun } from '../../engine/runner';
import type { ConsoleNote } from '../store';

type ItemStatus = 'waiting' | 'running' | 'done' | 'rejected' | 'forked';

export interface ConsoleItem {
  key: string;
  command: string;
  /** Typed in the console (not from the scenario's script). */
  typed: boolean;
  status: ItemStatus;
  /** When it started (µs since boot), or for a waiting timed line the time it is due. */
  time?: number;
  out: string[];
  err: string[];
  exit?: number;
}

/** A timed script line's prefix (`at 5s: `) and its time. */
const AT = /^\s*at\s+(\d+(?:\.\d+)?)(us|ms|s):\s*/;
const UNIT_US: Record<string, number> = { us: 1, ms: 1e3, s: 1e6 };

/**
 * `entries` is the timeline's script: its first `scriptLength` lines come from the scenario,
 * the rest were typed (the session writes them as `at T: CMD`; the transcript shows CMD).
 * `start` is the virtual time the script began at.
 */
export function consoleItems(entries: readonly string[], runs: readonly EntryRun[], notes: readonly ConsoleNote[], scriptLength: number, start: number): ConsoleItem[] {
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
  entries.forEach((text, i) => {
    flushNotes(i);
    const run = byIndex.get(i);
    const typed = i >= scriptLength;
    const at = AT.exec(text);
    const base = { key: `entry-${i}-${text}`, command: typed && at ? text.slice(at[0].length) : text, typed };
    if (!run) items.push({ ...base, status: 'waiting', time: at ? start + Number(at[1]) * UNIT_US[at[2]] : undefined, out: [], err: [] });
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
