// What the views draw, as plain data selected from a Session by pure functions: the engine
// host (src/engine/host.ts) runs them wherever it runs, on the page's thread or in the
// simulation worker, and hands the results through the port. Every result must survive
// structured cloning (no functions, no kernel objects).

import { explainBlocker, Reason, REASON_NAMES } from '../blockers';
import { klpCoreMachine } from '../klpCoreMachine';
import type { Session } from '../session';
import { klpFtraceChoice } from '../../kernel/ftraceChoice';
import type { TasklistHold } from '../../kernel/tasklist';
import { funcStacksModel } from './funcStacksModel';
import { findOps, findPatch, funcStackOf, patchedFunctionNames, patchInfo, type StackEntry } from './inspectorModel';
import { chartModel } from './chartModel';
import { litFrom } from './chartLit';
import { livepatchTree, patchStateOf } from './sysfsModel';
import { describeTask, frameVersion, replacementFuncs } from './taskDetails';
import { MARK_NAMES } from './taskCells';
import { blockedTasks } from './tasksSummary';
import type { TasksModel } from './tasksModel';
import { timelineData, type Interval } from './timeline';
// Not yet moved here (selectors added in src/ui/views by their owners; read from there until moved).
import { statusOf } from './statusModel';
import { findTasks } from './taskSearch';
import { logMarkers } from './logMarkers';
import { consistencyModel, policyData } from './consistencyModel';

const KLP_CHART = chartModel(klpCoreMachine);

const holdCache = new WeakMap<readonly TasklistHold[], { n: number; out: Interval[] }>();
/** The tasklist_lock read holds as timeline intervals (converted once per new hold). */
function lockHolds(holds: readonly TasklistHold[]): Interval[] | undefined {
  if (holds.length === 0) return undefined;
  let c = holdCache.get(holds);
  if (!c) holdCache.set(holds, (c = { n: 0, out: [] }));
  for (; c.n < holds.length; c.n++) c.out.push({ start: holds[c.n].start, end: holds[c.n].end, tasks: holds[c.n].checked });
  return c.out;
}

const MAX_PICKS = 6;
/** Pending tasks offered for a quick look, the ones that hold the transition up first. */
const PICK_ORDER = [Reason.UNINTERRUPTIBLE, Reason.SLEEPING, Reason.UNRELIABLE, Reason.RUNNING, Reason.EXITING, Reason.WILL_SWITCH];

interface PendingPick {
  slot: number;
  label: string;
  why: string;
}

function pendingPicks(s: Session): PendingPick[] {
  const k = s.sim.kernel;
  const c = s.classify();
  const found: PendingPick[] = [];
  for (const reason of PICK_ORDER) {
    for (let i = 0; i < c.n && found.length < MAX_PICKS; i++) {
      if (c.reason[i] === reason) found.push({ slot: i, label: `${k.tasks.pid[i]} ${k.tasks.commOf(i)}`, why: REASON_NAMES[reason] });
    }
  }
  return found;
}

/** The views' data that does not depend on what the user points at: all of it, every moment. */
export const PIECES = {
  title: (s: Session) => s.source.title,
  /** Why the run stopped (its budget ran out), or null while it can go on. */
  stopped: (s: Session): string | null => s.stopped ?? null,
  cursor: (s: Session) => ({ now: s.now, start: s.start, head: s.head, fork: s.lastFork, seekProgress: s.seekProgress }),
  console: (s: Session) => ({ entries: s.entries, runs: s.runs, start: s.start, scriptLength: s.source.script.length }),
  timeline: (s: Session) => timelineData({ start: s.start, now: s.now, head: s.head, markers: s.markers, samples: s.samples, recorded: s.recorded && { ...s.recorded, logMarkers: logMarkers(s.recorded.log) }, logMarkers: logMarkers(s.sim.kernel.log.records) }),
  holds: (s: Session): readonly Interval[] | undefined => lockHolds(s.sim.kernel.tasklist.holds),
  funcStacks: (s: Session) => funcStacksModel(s.sim.kernel),
  sysfs: (s: Session) => livepatchTree(s.sim.kernel),
  picks: pendingPicks,
  statechart: (s: Session) => litFrom(KLP_CHART, s.sim.actor.getSnapshot().value, s.coreSteps),
  patchedNames: (s: Session) => patchedFunctionNames(s.sim.kernel),
  status: statusOf,
  consistency: consistencyModel,
  policy: (s: Session) => policyData(s.sim.kernel),
};
export type PieceName = keyof typeof PIECES;
export type Piece<K extends PieceName> = ReturnType<(typeof PIECES)[K]>;
export type Pieces = { [K in PieceName]: Piece<K> };

export function allPieces(s: Session): Pieces {
  const out: Partial<Record<PieceName, unknown>> = {};
  for (const name of Object.keys(PIECES) as PieceName[]) out[name] = PIECES[name](s);
  return out as Pieces;
}

interface CallAnswer {
  /** The function asked about (the chosen one if still patched, else the first). */
  name: string;
  code: string;
  version: string;
  why: string;
  warns: boolean;
  entries: StackEntry[];
  answer: number;
}

/**
 * The views' data about one task, patch or function the user points at: asked for on hover
 * or selection (in worker mode as a request with an id, answered by the worker).
 */
const QUERIES = {
  task: (s: Session, slot: number) => (slot < s.sim.kernel.tasks.n ? describeTask(s.sim.kernel, s.classify(), slot) : null),
  patch: (s: Session, name: string) => {
    const p = findPatch(s.sim.kernel, name);
    return p ? patchInfo(s.sim.kernel, p) : null;
  },
  func: (s: Session, name: string) => {
    const ops = findOps(s.sim.kernel, name);
    return ops ? funcStackOf(s.sim.kernel, ops) : null;
  },
  /** "What would task `slot` run if it called `name` now?" (the ftrace handler's choice). */
  call: (s: Session, a: { slot: number; name: string | null }): CallAnswer | null => {
    const k = s.sim.kernel;
    const names = patchedFunctionNames(k);
    const name = a.name && names.includes(a.name) ? a.name : names[0];
    const ops = name ? findOps(k, name) : undefined;
    if (!name || !ops || a.slot >= k.tasks.n) return null;
    const choice = klpFtraceChoice(k, a.slot, ops.oldFunc.id);
    return {
      name,
      code: k.syms.codes[choice.code].name,
      version: frameVersion(k, choice.code, replacementFuncs(k)).version,
      why: choice.why,
      warns: !!choice.warns,
      entries: funcStackOf(k, ops),
      answer: choice.entry,
    };
  },
  patchState: (s: Session, slot: number) => {
    const k = s.sim.kernel;
    if (slot < 0 || slot >= k.tasks.n) return null;
    return patchStateOf(k, slot, explainBlocker(k, s.classify(), slot));
  },
  dmesg: (s: Session, _: null) => s.sim.dmesg(),
  /** Tasks whose pid is, or whose comm contains, the text (the Tasks view's search). */
  findTasks: (s: Session, text: string) => findTasks(s.sim.kernel, text),
};
export type QueryName = keyof typeof QUERIES;
export type QueryArg<K extends QueryName> = Parameters<(typeof QUERIES)[K]>[1];
export type QueryResult<K extends QueryName> = ReturnType<(typeof QUERIES)[K]>;

export function runQuery<K extends QueryName>(s: Session, name: K, arg: QueryArg<K>): QueryResult<K> {
  return (QUERIES[name] as (s: Session, a: QueryArg<K>) => QueryResult<K>)(s, arg);
}

const BLOCKED_ROWS = 50;

export interface BlockedRowView {
  slot: number;
  pid: number;
  comm: string;
  reason: string;
}

/** The Tasks table's blocked rows: the first BLOCKED_ROWS blocked cells in cell order. */
export function blockedRowsOf(s: Session, model: Pick<TasksModel, 'groups' | 'codes'>): { rows: BlockedRowView[]; more: number } {
  const k = s.sim.kernel;
  const c = s.classify();
  const b = blockedTasks(model.groups, model.codes, BLOCKED_ROWS);
  return {
    more: b.more,
    rows: b.rows.map((r) => ({
      slot: r.slot,
      pid: k.tasks.pid[r.slot],
      comm: k.tasks.commOf(r.slot),
      reason: `${MARK_NAMES[r.mark]}${r.slot < c.n && c.func[r.slot] >= 0 ? `: ${c.funcNames[c.func[r.slot]]}` : ''}`,
    })),
  };
}
