// The Status panel's data: what `sim --summary` prints (src/engine/summary.ts), at the cursor.
// The transition (patch, direction, since when, attempts, next retry, signal rounds), the
// pending tasks grouped by what klp_try_switch_task() would say about them, the tasklist_lock
// line and the warnings in the log. Plain data: it crosses to the page from the worker too.

import { Reason, REASON_NAMES, type Classification } from '../blockers';
import type { Session } from '../session';
import { countWarnings, formatSeconds, tasklistLine, transitionsOf, type TransitionRecord, type WarningCounts } from '../summary';
import { KLP_TRANSITION_PATCHED, SIGNALS_TIMEOUT } from '../../kernel/constants';
import type { Kernel } from '../../kernel/kernel';
import type { LogRecord } from '../../kernel/printk';

interface StatusTransition {
  patch: string;
  /** 'patching' or 'unpatching' (after a reversal, the direction it now goes). */
  direction: string;
  reversedAt?: number;
  since: number;
  attempts: number;
  signalRounds: number;
  signalledTasks: number;
  /** Still running (no klp.complete yet). */
  running: boolean;
  end?: number;
  forced: boolean;
  canceled: boolean;
  /** When the armed klp_transition_work fires (µs since boot), if armed. */
  nextRetry?: number;
  /** Attempts until the next fake-signal round (klp_signals_cnt reaching a multiple of 15). */
  attemptsToSignals?: number;
}

interface PendingGroup {
  /** The reason as the summary words it. */
  reason: string;
  /** Blocks the next attempt (everything but "will switch"). */
  blocking: boolean;
  count: number;
  /** A few of them: slot and "comm:pid". */
  examples: { slot: number; label: string }[];
}

export interface StatusView {
  now: number;
  start: number;
  transition?: StatusTransition;
  /** One summary line per earlier transition of the run. */
  history: string[];
  /** Tasks not yet in the target state (TIF_PATCH_PENDING set or unhashed and exiting). */
  pending: number;
  groups: PendingGroup[];
  lock?: string;
  warnings: WarningCounts;
  /** Enabled or in-transition patches (the actions' targets). */
  patches: { name: string; enabled: boolean; transition: boolean; forced: boolean }[];
}

const EXAMPLES = 3;
const word = (target: number) => (target === KLP_TRANSITION_PATCHED ? 'patching' : 'unpatching');

function reasonText(reason: number, func: string | undefined): string {
  switch (reason) {
    case Reason.WILL_SWITCH:
      return 'switches at the next attempt';
    case Reason.RUNNING:
      return 'running';
    case Reason.UNRELIABLE:
      return 'has an unreliable stack';
    case Reason.SLEEPING:
      return `sleeping on function ${func}`;
    case Reason.UNINTERRUPTIBLE:
      return `sleeping on function ${func}, uninterruptible`;
    case Reason.EXITING:
      return 'exiting, unhashed (the walk no longer sees it)';
    default:
      return REASON_NAMES[reason] ?? 'unknown';
  }
}

const groupCache = new WeakMap<Classification, PendingGroup[]>();

/** Pending tasks by reason (sleeping ones also by function), biggest group first. */
function pendingGroups(k: Kernel, c: Classification): PendingGroup[] {
  const cached = groupCache.get(c);
  if (cached) return cached;
  const groups = new Map<string, PendingGroup>();
  const t = k.tasks;
  // One pass over the reason bytes; the common case (nothing pending) costs nothing more.
  const pending = c.n - c.counts[Reason.NONE];
  for (let s = 0, seen = 0; s < c.n && seen < pending; s++) {
    const r = c.reason[s];
    if (r === Reason.NONE) continue;
    seen++;
    const text = reasonText(r, c.func[s] >= 0 ? c.funcNames[c.func[s]] : undefined);
    let g = groups.get(text);
    if (!g) groups.set(text, (g = { reason: text, blocking: r !== Reason.WILL_SWITCH, count: 0, examples: [] }));
    g.count++;
    if (g.examples.length < EXAMPLES) g.examples.push({ slot: s, label: `${t.commOf(s)}:${t.pid[s]}` });
  }
  const out = [...groups.values()].sort((a, b) => b.count - a.count || a.reason.localeCompare(b.reason));
  groupCache.set(c, out);
  return out;
}

const warnCache = new WeakMap<readonly LogRecord[], { n: number; counts: WarningCounts }>();

/** warningCounts() over the log, counting only the records added since the last call. */
function warningsOf(k: Kernel): WarningCounts {
  const records = k.log.records;
  let c = warnCache.get(records);
  if (!c) warnCache.set(records, (c = { n: 0, counts: { warn: 0, bug: 0, oops: 0, lockup: 0, rcuTasksInfo: 0 } }));
  if (c.n < records.length) {
    c.counts = countWarnings(records, c.n, c.counts);
    c.n = records.length;
  }
  return c.counts;
}

function transitionOf(r: TransitionRecord, s: Session): StatusTransition {
  const events = s.sim.klpEvents;
  let nextRetry: number | undefined;
  const work = s.sim.actor.getSnapshot();
  if (r.end === undefined && work.matches({ klp_transition_work: 'pending' })) {
    // The last attempt armed the work for workDelayMs (a delay that already counts its walk).
    let armed = 0;
    for (let i = events.length - 1; i >= 0; i--) {
      if (events[i].event.type === 'klp.attempt') {
        armed = events[i].time;
        break;
      }
    }
    nextRetry = armed + work.context.workDelayMs * 1000;
    if (nextRetry < s.now) nextRetry = undefined;
  }
  const cnt = s.sim.kernel.klpSignalsCnt;
  return {
    patch: r.patch,
    direction: word(r.target),
    reversedAt: r.reversedAt,
    since: r.start,
    attempts: r.attempts,
    signalRounds: r.signalRounds,
    signalledTasks: r.signalledTasks,
    running: r.end === undefined,
    end: r.end,
    forced: r.forced,
    canceled: r.end !== undefined && !r.started,
    nextRetry,
    // A failing attempt sends them when klp_signals_cnt is a positive multiple of 15, then counts.
    attemptsToSignals: r.end === undefined ? (cnt === 0 ? SIGNALS_TIMEOUT : (SIGNALS_TIMEOUT - (cnt % SIGNALS_TIMEOUT)) % SIGNALS_TIMEOUT) + 1 : undefined,
  };
}

/** A finished transition in the summary's words. */
function historyLine(r: TransitionRecord): string {
  if (!r.started && r.end !== undefined) return `${word(r.initialTarget)} ${r.patch} canceled at ${formatSeconds(r.end)}`;
  const rev = r.reversedAt !== undefined ? `${word(r.initialTarget)} ${r.patch} reversed at ${formatSeconds(r.reversedAt)}, ${word(r.target)}` : `${word(r.target)} ${r.patch}`;
  return `${rev} complete at ${formatSeconds(r.end ?? 0)}${r.forced ? ' (forced)' : ''} after ${r.attempts} attempt${r.attempts === 1 ? '' : 's'}`;
}

export function statusOf(s: Session): StatusView {
  const k = s.sim.kernel;
  const records = transitionsOf(s.sim.klpEvents);
  const last = records.at(-1);
  const c = s.classify();
  return {
    now: s.now,
    start: s.start,
    transition: last ? transitionOf(last, s) : undefined,
    history: records.slice(0, last && last.end === undefined ? -1 : records.length).map(historyLine),
    pending: c.n - c.counts[Reason.NONE],
    groups: pendingGroups(k, c),
    lock: tasklistLine(k),
    warnings: warningsOf(k),
    patches: k.klpPatches.map((p) => ({ name: p.name, enabled: p.enabled, transition: p === k.klpTransitionPatch, forced: p.forced })),
  };
}
