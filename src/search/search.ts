// The exhaustive search: breadth first over every interleaving of the script's lines,
// attempts (klp_transition_work_fn) and task steps, each state visited once (keyed by
// SearchModel.encode(), StateTable), so the first state that hits the goal is reached by a shortest run.
// "stuck" needs the whole graph: a transition stays stuck forever in a state from which no
// run ever reaches a state without a transition (whatever the tasks and the script do next).
// Every loop here has a budget: the states explored, the depth, and a cancel check.

import { SearchModel, type GoalKind, type Hit, type Move } from './model';
import type { State } from './state';
import { searchSpecOf, type SearchSpec } from './spec';
import { StateTable } from './stateTable';
import type { Scenario } from '../scenario/document';

export const GOALS = ['default', 'stuck', 'rmmod-refused', 'warn', 'any'] as const;
export type Goal = (typeof GOALS)[number];

/** The kinds each goal looks for (default: a consistency break, as the analysis names them). */
const KINDS: Record<Goal, readonly GoalKind[]> = {
  default: ['never-shipped', 'mass-switch', 'dependency'],
  stuck: ['stuck'],
  'rmmod-refused': ['rmmod-refused'],
  warn: ['warn'],
  any: ['never-shipped', 'mass-switch', 'dependency', 'stuck', 'rmmod-refused', 'warn'],
};

export const DEFAULT_DEPTH = 60;
const DEFAULT_MAX_STATES = 2_000_000;

export interface SearchOptions {
  goal?: Goal;
  depth?: number;
  maxStates?: number;
  /** Called every `progressEvery` states. */
  onProgress?(p: SearchProgress): void;
  progressEvery?: number;
  /** Asked with each progress report: true stops the search (cancel). */
  cancelled?(): boolean;
  /** Wall clock for states/s (performance.now); the search itself never reads time. */
  now?(): number;
}

interface SearchProgress {
  states: number;
  depth: number;
  statesPerS: number;
}

export interface Found {
  kind: GoalKind;
  detail: string;
  moves: Move[];
  /** The found run as script lines (replay.ts). */
  lines: string[];
}

export interface SearchResult {
  found: Found | null;
  states: number;
  depth: number;
  /** Why the search ended before exploring everything within the depth. */
  stopped?: 'states' | 'cancelled';
  /** Some states at the depth limit were not expanded. */
  truncated: boolean;
  spec: SearchSpec;
}

/** Search a scenario (SearchRefused when it is outside what the search models). */
export function searchScenario(scenario: Scenario, o: SearchOptions = {}): SearchResult {
  return search(searchSpecOf(scenario), o);
}

export function search(spec: SearchSpec, o: SearchOptions = {}): SearchResult {
  const goal = o.goal ?? 'default';
  const kinds = KINDS[goal];
  const maxDepth = o.depth ?? DEFAULT_DEPTH;
  const maxStates = o.maxStates ?? DEFAULT_MAX_STATES;
  const every = o.progressEvery ?? 20_000;
  const model = new SearchModel(spec);
  const wantStuck = kinds.includes('stuck');
  // States are kept until they are expanded (the BFS frontier); after that only what "stuck"
  // needs: whether a transition is in progress (the state itself is rebuilt from its path).
  const states: (State | null)[] = [model.initial()];
  const inTransition: boolean[] = [false];
  const parent: number[] = [-1];
  const via: (Move | null)[] = [null];
  const depthOf: number[] = [0];
  const seen = new StateTable();
  const n0 = model.encode(states[0] as State);
  seen.findOrAdd(model.encoded, n0);
  // The graph, for "stuck": successors of each expanded state.
  const succ: number[][] = [];
  const expanded: boolean[] = [];
  const t0 = o.now?.() ?? 0;
  let truncated = false;
  let stopped: SearchResult['stopped'];
  let depth = 0;
  const result = (found: Found | null): SearchResult => ({ found, states: states.length, depth, stopped, truncated, spec });
  const pathTo = (i: number, last: Move | null): Move[] => {
    const moves: Move[] = last ? [last] : [];
    for (let j = i; j > 0; j = parent[j]) moves.push(via[j] as Move);
    return moves.reverse();
  };
  // With "stuck" among the kinds, an immediate hit waits until every shorter run is explored.
  let best: Found | null = null;
  let bestDepth = Infinity;
  for (let head = 0; head < states.length; head++) {
    const s = states[head] as State;
    states[head] = null;
    if (depthOf[head] + 1 >= bestDepth) break;
    depth = Math.max(depth, depthOf[head]);
    if (depthOf[head] >= maxDepth) {
      truncated = true;
      continue;
    }
    if (head % every === 0 && head > 0) {
      const el = ((o.now?.() ?? 0) - t0) / 1000;
      o.onProgress?.({ states: states.length, depth, statesPerS: el > 0 ? states.length / el : 0 });
      if (o.cancelled?.()) {
        stopped = 'cancelled';
        return result(null);
      }
    }
    const out: number[] = [];
    for (const m of model.moves(s)) {
      const state = model.applyScratch(s, m);
      const hits = model.lastHits;
      const hit = hits.find((h: Hit) => kinds.includes(h.kind));
      if (hit && !best) {
        const moves = pathTo(head, m);
        best = { kind: hit.kind, detail: hit.detail, moves, lines: linesOf(spec, moves) };
        bestDepth = depthOf[head] + 1;
        if (!wantStuck) {
          depth = bestDepth;
          return result(best);
        }
      }
      const n = model.encode(state);
      let j = seen.findOrAdd(model.encoded, n);
      if (j < 0) {
        if (states.length >= maxStates) {
          stopped = 'states';
          return finish();
        }
        j = states.length;
        states.push(model.keep(state));
        inTransition.push(state.trans >= 0);
        parent.push(head);
        via.push(m);
        depthOf.push(depthOf[head] + 1);
      }
      if (wantStuck) out.push(j);
    }
    if (wantStuck) {
      succ[head] = out;
      expanded[head] = true;
    }
  }
  return finish();

  function finish(): SearchResult {
    if (!wantStuck) return result(best);
    // Backwards from every state without a transition, and from every state not expanded
    // (its future is unknown: never call it stuck).
    const canEnd = new Uint8Array(states.length);
    const pred: number[][] = states.map(() => []);
    const queue: number[] = [];
    for (let i = 0; i < states.length; i++) {
      if (!inTransition[i] || !expanded[i]) {
        canEnd[i] = 1;
        queue.push(i);
      }
      for (const j of succ[i] ?? []) pred[j].push(i);
    }
    for (let q = 0; q < queue.length; q++) {
      for (const i of pred[queue[q]]) {
        if (canEnd[i]) continue;
        canEnd[i] = 1;
        queue.push(i);
      }
    }
    // States are in BFS order: the first one stuck is reached by a shortest run.
    for (let i = 0; i < states.length; i++) {
      if (canEnd[i] || depthOf[i] >= bestDepth) continue;
      const moves = pathTo(i, null);
      const s = moves.reduce((st, m) => model.apply(st, m), model.initial());
      depth = depthOf[i];
      return result({ kind: 'stuck', detail: stuckDetail(spec, s), moves, lines: linesOf(spec, moves) });
    }
    if (best) depth = bestDepth;
    return result(best);
  }
}

function stuckDetail(spec: SearchSpec, s: State): string {
  const patch = spec.patches[s.trans].name;
  const pending = s.tasks.flatMap((t, i) => (t.alive && t.ps !== s.target ? [`${spec.tasks[i].comm} in ${spec.codes[t.stack[t.stack.length - 2]].fn}`] : []));
  return `the ${s.target === 1 ? 'patching' : 'unpatching'} transition of '${patch}' can never complete from here, whatever the tasks and the script do; pending: ${pending.join(', ') || 'none'}`;
}

/** The found run as a script: one line per move (replay.ts documents the helpers). */
function linesOf(spec: SearchSpec, moves: readonly Move[]): string[] {
  return moves.map((m) => {
    if (m.kind === 'attempt') return 'wait_attempt';
    if (m.kind === 'step') return `step_task ${spec.tasks[m.task].comm}`;
    const { op, line } = spec.script[m.index];
    const sys = (p: string, attr: string, v: string) => `echo ${v} > /sys/kernel/livepatch/${p}/${attr}`;
    switch (op.kind) {
      case 'load': {
        const lp = spec.patches.some((p) => p.name === op.module);
        if (op.expectFail) return `load_failing_mod ${op.module}`;
        if (!op.helper) return `insmod ${op.module}.ko`;
        return lp ? `load_lp_nowait ${op.module}` : `load_mod ${op.module}`;
      }
      case 'disable':
        return sys(op.patch, 'enabled', '0');
      case 'force':
        return sys(op.patch, 'force', '1');
      case 'unload':
        return op.helper ? `unload_mod ${op.module}` : `rmmod ${op.module}`;
      case 'wait':
        return `# (${line.text}: the transition has ended)`;
      default:
        return line.text;
    }
  });
}
