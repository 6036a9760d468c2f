// Timeline markers read from the kernel log, one kind per kind of trouble: WARN, BUG / Oops,
// hard LOCKUP and the RCU Tasks informational lines (warningKind() in src/engine/summary.ts
// decides, as for `sim --summary` and the Status panel). Each names the task or CPU its splat
// names ("CPU: 9 PID: 222982 Comm: java-221981"). Read incrementally: only new records are
// scanned, and at most SPLAT_LOOKAHEAD records after a header for its task.

import type { Marker, MarkerKind } from '../session';
import { warningKind, type WarningCounts } from '../summary';
import type { LogRecord } from '../../kernel/printk';

/** Records after a splat's first line that may hold its "CPU: N PID: P Comm: C" line. */
const SPLAT_LOOKAHEAD = 8;
const TASK_LINE = /^CPU: (\d+) (?:UID: \d+ )?PID: (\d+) Comm: (\S+)/;

const KIND: Record<keyof WarningCounts, MarkerKind> = { warn: 'warn', bug: 'oops', oops: 'oops', lockup: 'lockup', rcuTasksInfo: 'rcu' };

function taskOf(records: readonly LogRecord[], i: number): string | undefined {
  for (let j = i + 1; j < records.length && j <= i + SPLAT_LOOKAHEAD; j++) {
    const m = TASK_LINE.exec(records[j].text);
    if (m) return `${m[3]}:${m[2]} on CPU ${m[1]}`;
  }
  return undefined;
}

function labelOf(kind: keyof WarningCounts, text: string, task: string | undefined): string {
  switch (kind) {
    case 'lockup':
      return `hard LOCKUP on CPU ${/cpu (\d+)/.exec(text)?.[1] ?? '?'}${task ? ` (${task})` : ''}`;
    case 'rcuTasksInfo':
      return `RCU Tasks: ${text.replace(/^rcu_tasks_wait_gp: /, '').replace(/\.$/, '')}`;
    case 'warn': {
      const at = / at (\S+)/.exec(text)?.[1];
      return `WARN${at ? ` at ${at}` : ''}${task ? ` in ${task}` : ''}`;
    }
    default:
      return `${text.length > 60 ? `${text.slice(0, 60)}…` : text}${task ? ` in ${task}` : ''}`;
  }
}

const cache = new WeakMap<readonly LogRecord[], { n: number; out: Marker[] }>();

/** Markers for every warning in the log (a BUG and its Oops at one instant are one marker). */
export function logMarkers(records: readonly LogRecord[]): readonly Marker[] {
  let c = cache.get(records);
  if (!c) cache.set(records, (c = { n: 0, out: [] }));
  // A splat's task line may not be printed yet: re-read the last few records next time.
  const done = Math.max(0, records.length - SPLAT_LOOKAHEAD);
  for (let i = c.n; i < records.length; i++) {
    const r = records[i];
    const kind = warningKind(r.text);
    if (!kind) continue;
    const task = taskOf(records, i);
    // Near the end of the log a splat may still be printing: wait for its task line.
    if (i >= done && !task && kind !== 'rcuTasksInfo') break;
    const prev = c.out.at(-1);
    if (kind === 'oops' && prev?.kind === 'oops' && prev.time === r.time) {
      c.n = i + 1;
      continue;
    }
    c.out.push({ time: r.time, kind: KIND[kind], label: labelOf(kind, r.text, task) });
    c.n = i + 1;
  }
  if (c.n < done) c.n = done;
  return c.out;
}
