// The end-of-run summary an operator reads first: how each transition went, what still blocks
// the current one and why (klp_try_switch_task()'s verdict for each pending task), the fake
// signal rounds, and the warnings the log shows.

import { KLP_TRANSITION_IDLE, KLP_TRANSITION_PATCHED, type PatchState } from '../kernel/constants';
import type { Kernel } from '../kernel/kernel';
import type { LogRecord } from '../kernel/printk';
import { isUninterruptibleSleep, TF } from '../kernel/tasks';
import { switchExplainer } from '../kernel/transition';
import type { TimedKlpEvent } from './simulation';

export interface TransitionRecord {
  patch: string;
  /** The target when the transition began (a reversal flips `target`). */
  initialTarget: PatchState;
  target: PatchState;
  start: number;
  started: boolean;
  end?: number;
  reversedAt?: number;
  forced: boolean;
  attempts: number;
  signalRounds: number;
  signalledTasks: number;
}

/** The transitions of a run, from the livepatch lifecycle events. */
export function transitionsOf(events: readonly TimedKlpEvent[]): TransitionRecord[] {
  const out: TransitionRecord[] = [];
  let cur: TransitionRecord | undefined;
  for (const { time, event: e } of events) {
    switch (e.type) {
      case 'klp.init':
        cur = { patch: e.patch, initialTarget: e.target, target: e.target, start: time, started: false, forced: false, attempts: 0, signalRounds: 0, signalledTasks: 0 };
        out.push(cur);
        break;
      case 'klp.start':
        if (cur) cur.started = true;
        break;
      case 'klp.attempt':
        if (cur) cur.attempts++;
        break;
      case 'klp.signal':
        if (cur) {
          cur.signalRounds++;
          cur.signalledTasks += e.tasks;
        }
        break;
      case 'klp.reverse':
        if (cur) {
          cur.reversedAt = time;
          cur.target = e.target;
        }
        break;
      case 'klp.force':
        if (cur) cur.forced = true;
        break;
      case 'klp.complete':
        if (cur) {
          cur.end = time;
          cur.target = e.target;
          cur = undefined;
        }
        break;
    }
  }
  return out;
}

/** Virtual µs as seconds, as short as exact: 12.34s, 4.21357s, 30s. */
export function formatSeconds(us: number): string {
  return `${(us / 1e6).toFixed(6).replace(/\.?0+$/, '')}s`;
}

const word = (t: PatchState) => (t === KLP_TRANSITION_PATCHED ? 'patching' : 'unpatching');
const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

function describeTransition(r: TransitionRecord): string {
  const tries = plural(r.attempts, 'attempt');
  if (r.end === undefined) return `transition: still ${word(r.target)} ${r.patch} after ${tries} (started at ${formatSeconds(r.start)}${r.reversedAt !== undefined ? `, reversed at ${formatSeconds(r.reversedAt)}` : ''})`;
  if (!r.started) return `transition: ${word(r.initialTarget)} ${r.patch} canceled at ${formatSeconds(r.end)}`;
  const how = r.forced ? ' (forced)' : '';
  const rev = r.reversedAt !== undefined ? `${word(r.initialTarget)} ${r.patch} reversed at ${formatSeconds(r.reversedAt)}, ${word(r.target)}` : `${word(r.target)} ${r.patch}`;
  return `transition: ${rev} complete at ${formatSeconds(r.end)}${how} after ${tries}`;
}

const EXAMPLES = 3;

/** Tasks not yet in the target state, grouped by why klp_try_switch_task() would refuse them. */
export function pendingByReason(k: Kernel): { total: number; reasons: { reason: string; count: number; examples: string[] }[] } {
  const groups = new Map<string, { count: number; examples: string[] }>();
  let total = 0;
  if (k.klpTargetState === KLP_TRANSITION_IDLE) return { total, reasons: [] };
  const t = k.tasks;
  const explain = switchExplainer(k);
  for (let s = 0; s < t.n; s++) {
    const idle = k.isIdleTask(s);
    if (idle ? !k.cpus[s].online : !(t.flags[s] & TF.LISTED)) continue;
    if (t.patchState[s] === k.klpTargetState) continue;
    total++;
    const v = explain(s);
    let reason: string;
    if (v.ok) reason = 'switches at the next attempt';
    else if (v.reason === 'running') reason = 'running';
    else if (v.reason === 'unreliable') reason = 'has an unreliable stack';
    else if (v.reason === 'sleeping') reason = `sleeping on function ${v.func}`;
    else reason = 'no reliable stack traces (only exit to user space switches it)';
    // Fake signals cannot wake a task in uninterruptible sleep: worth saying.
    if (isUninterruptibleSleep(t.sched[s])) reason += ', uninterruptible';
    const g = groups.get(reason) ?? { count: 0, examples: [] };
    g.count++;
    if (g.examples.length < EXAMPLES) g.examples.push(`${t.commOf(s)}:${t.pid[s]}`);
    groups.set(reason, g);
  }
  const reasons = [...groups.entries()].map(([reason, g]) => ({ reason, ...g })).sort((a, b) => b.count - a.count || a.reason.localeCompare(b.reason));
  return { total, reasons };
}

export interface WarningCounts {
  warn: number;
  bug: number;
  oops: number;
  lockup: number;
  rcuTasksInfo: number;
}

/** WARN / BUG / Oops / hard LOCKUP splats and RCU Tasks stall informational lines in the log. */
export function warningCounts(k: Kernel): WarningCounts {
  return countWarnings(k.log.records);
}

/** The same counts over records[from..], added to `base` (a new object). */
export function countWarnings(records: readonly LogRecord[], from = 0, base?: WarningCounts): WarningCounts {
  const c = base ? { ...base } : { warn: 0, bug: 0, oops: 0, lockup: 0, rcuTasksInfo: 0 };
  for (let i = from; i < records.length; i++) {
    const text = records[i].text;
    const kind = warningKind(text);
    if (kind) c[kind]++;
  }
  return c;
}

/** Which warning a log line starts, if any (the summary's and the timeline's one rule). */
export function warningKind(text: string): keyof WarningCounts | undefined {
  if (text.startsWith('WARNING: CPU:')) return 'warn';
  if (text.startsWith('BUG:')) return 'bug';
  if (text.startsWith('Oops:')) return 'oops';
  if (text.includes('Watchdog detected hard LOCKUP')) return 'lockup';
  if (text.startsWith('rcu_tasks_wait_gp: ')) return 'rcuTasksInfo';
  return undefined;
}

/**
 * What the attempt walks cost the task list lock over the whole run (src/kernel/tasklist.ts):
 * the read sections, the longest with what it checked and printed inside, and the writers
 * (fork, exit) that spun behind one. Undefined when no walk took the lock.
 */
export function tasklistLine(k: Kernel): string | undefined {
  const l = k.tasklist;
  if (!l.holds.length) return undefined;
  let total = 0;
  let longest = l.holds[0];
  for (const h of l.holds) {
    total += h.end - h.start;
    if (h.end - h.start > longest.end - longest.start) longest = h;
  }
  const inside = `${plural(longest.checked, 'thread')} checked, ${plural(longest.debugLines, 'debug line')} printed`;
  const writers = l.writersDelayed ? `${l.writersDelayed}, longest spin ${formatSeconds(l.longestWriterSpin)}` : '0';
  // A walk's hold is decided when it starts: the run may stop inside the last one.
  const last = l.holds[l.holds.length - 1];
  const held = last.end > k.clock.now ? `, the last one until ${formatSeconds(last.end)}` : '';
  return `tasklist_lock: read-held by ${plural(l.holds.length, 'attempt walk')}, ${formatSeconds(total)} in all${held}; longest ${formatSeconds(longest.end - longest.start)} at ${formatSeconds(longest.start)} (${inside}); writers delayed: ${writers}`;
}

/** The summary block printed after the log (`sim --summary`). */
export function summaryLines(k: Kernel, events: readonly TimedKlpEvent[]): string[] {
  const out = ['--- summary ---', `time: ${formatSeconds(k.clock.now)}`];
  const transitions = transitionsOf(events);
  if (!transitions.length) out.push('transition: none');
  for (const r of transitions) out.push(describeTransition(r));
  const last = transitions[transitions.length - 1];
  if (last) {
    out.push(`attempts: ${last.attempts}`);
    out.push(`signals: ${plural(last.signalRounds, 'round')}, ${plural(last.signalledTasks, 'task')} signalled`);
  }
  const pending = pendingByReason(k);
  if (k.klpTargetState !== KLP_TRANSITION_IDLE) {
    out.push(`pending: ${plural(pending.total, 'task')}`);
    for (const g of pending.reasons) out.push(`  ${g.reason}: ${g.count} (${g.examples.join(', ')}${g.count > g.examples.length ? ', ...' : ''})`);
  }
  const lock = tasklistLine(k);
  if (lock) out.push(lock);
  const w = warningCounts(k);
  const lockups = w.lockup ? `, ${w.lockup} hard LOCKUP` : '';
  const rcu = w.rcuTasksInfo ? `, ${plural(w.rcuTasksInfo, 'rcu_tasks_wait_gp info line')}` : '';
  out.push(`warnings: ${w.warn} WARN, ${w.bug} BUG, ${w.oops} Oops${lockups}${rcu}`);
  return out;
}
