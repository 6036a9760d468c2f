import { useEffect, useRef, useState, type KeyboardEvent } from 'react';
import { openScenario, scenarioNow } from '../../engine';
import { FOCUSABLE, modalKeyDown } from '../modalKeys';
import type { Scenario } from '../../../scenario/document';
import { DEFAULT_DEPTH, GOALS, type Goal } from '../../../search/search';
import { POLICY_NAMES } from '../../../kernel/policy/types';
import type { PolicyChoice } from '../../../search/cli';
import type { FoundReplay, SearchMessage, SearchRequest } from './searchWorker';
import './search.css';

type Run =
  | { phase: 'idle' }
  | { phase: 'running'; policy: string; states: number; depth: number; statesPerS: number }
  | { phase: 'done'; report: string[]; replays: FoundReplay[] }
  | { phase: 'refused'; message: string }
  | { phase: 'cancelled'; states: number };

const GOAL_LABELS: Record<Goal, string> = {
  default: 'a consistency break (never-shipped, mass switch, dependency)',
  stuck: 'a transition stuck forever',
  'rmmod-refused': 'a refused rmmod after force',
  warn: "the ftrace handler's WARN",
  any: 'any of these',
};

/** The dialog: search every interleaving of the scenario's script, in a worker (its own chunk: SearchButton.tsx). */
export function SearchDialog({ close }: { close: () => void }) {
  const dialog = useRef<HTMLDivElement>(null);
  const worker = useRef<Worker | null>(null);
  const [goal, setGoal] = useState<Goal>('default');
  const [depth, setDepth] = useState(String(DEFAULT_DEPTH));
  const [policy, setPolicy] = useState<PolicyChoice>('scenario');
  const [own] = useState(() => scenarioNow().kernel.policy);
  const [run, setRun] = useState<Run>({ phase: 'idle' });
  const depthN = Number(depth);
  const depthOk = /^\d{1,4}$/.test(depth) && depthN >= 1;
  useEffect(() => {
    const before = document.activeElement as HTMLElement | null;
    dialog.current?.querySelector<HTMLElement>(FOCUSABLE)?.focus();
    return () => {
      worker.current?.terminate();
      before?.focus();
    };
  }, []);
  const start = () => {
    worker.current?.terminate();
    const w = new Worker(new URL('./searchWorker.ts', import.meta.url), { type: 'module', name: 'livepatch-search' });
    worker.current = w;
    setRun({ phase: 'running', policy: policy === 'scenario' || policy === 'all' ? own : policy, states: 0, depth: 0, statesPerS: 0 });
    w.onmessage = (e: MessageEvent<SearchMessage>) => {
      const m = e.data;
      if (m.type === 'progress') setRun({ phase: 'running', policy: m.policy, states: m.states, depth: m.depth, statesPerS: m.statesPerS });
      else {
        setRun(m.type === 'done' ? { phase: 'done', report: m.report, replays: m.replays } : { phase: 'refused', message: m.message });
        w.terminate();
        worker.current = null;
      }
    };
    w.onerror = (e) => setRun({ phase: 'refused', message: `the search worker failed: ${e.message}` });
    const req: SearchRequest = { scenario: scenarioNow(), goal, depth: depthN, policy };
    w.postMessage(req);
  };
  const cancel = () => {
    worker.current?.terminate();
    worker.current = null;
    setRun((r) => ({ phase: 'cancelled', states: r.phase === 'running' ? r.states : 0 }));
  };
  const openReplay = (s: Scenario) => {
    const err = openScenario(s);
    if (err) setRun({ phase: 'refused', message: err });
    else close();
  };
  return (
    <div className="help-backdrop" onClick={close}>
      <div className="help-dialog search-dialog" role="dialog" aria-modal="true" aria-labelledby="search-title" ref={dialog} onKeyDown={(e: KeyboardEvent<HTMLDivElement>) => modalKeyDown(e, dialog.current, close)} onClick={(e) => e.stopPropagation()}>
        <header>
          <h2 id="search-title">Search every interleaving</h2>
          <button type="button" onClick={close} aria-label="Close the search" title="Close (Esc)">✕</button>
        </header>
        <p className="muted">
          Every interleaving of the script's lines (in their order) with the transition's attempts and the kthreads' steps, each state once, under the scenario's policy or each policy: the first run found is a shortest one (README, "Searching every interleaving").
        </p>
        <div className="search-form">
          <label>
            Look for{' '}
            <select value={goal} onChange={(e) => setGoal(e.target.value as Goal)} disabled={run.phase === 'running'}>
              {GOALS.map((g) => (
                <option key={g} value={g}>{GOAL_LABELS[g]}</option>
              ))}
            </select>
          </label>
          <label>
            Under{' '}
            <select value={policy} onChange={(e) => setPolicy(e.target.value as PolicyChoice)} disabled={run.phase === 'running'}>
              <option value="scenario">the scenario's policy ({own})</option>
              {POLICY_NAMES.filter((p) => p !== own).map((p) => (
                <option key={p} value={p}>{p}</option>
              ))}
              <option value="all">every policy, one result each</option>
            </select>
          </label>
          <label>
            Depth{' '}
            <input type="text" inputMode="numeric" size={5} value={depth} onChange={(e) => setDepth(e.target.value)} disabled={run.phase === 'running'} aria-invalid={!depthOk} />
          </label>
          {run.phase === 'running' ? (
            <button type="button" onClick={cancel}>Cancel</button>
          ) : (
            <button type="button" onClick={start} disabled={!depthOk}>Run search</button>
          )}
        </div>
        {!depthOk && <p className="search-error" role="alert">Depth: a number of steps from 1 to 9999.</p>}
        <div role="status" data-testid="search-status" className="search-status">
          {run.phase === 'running' && `Searching (${run.policy}): ${run.states.toLocaleString('en-US')} states explored, depth ${run.depth}, ${Math.round(run.statesPerS).toLocaleString('en-US')} states/s`}
          {run.phase === 'cancelled' && `Cancelled after ${run.states.toLocaleString('en-US')} states.`}
          {run.phase === 'refused' && <span className="search-error">{run.message}</span>}
        </div>
        {run.phase === 'done' && (
          <>
            <pre className="search-report" data-testid="search-report">{run.report.join('\n')}</pre>
            {run.replays.map((r) => (
              <button type="button" key={r.policy} onClick={() => openReplay(r.scenario)}>
                {run.replays.length === 1 && policy !== 'all' ? 'Open the found run as a scenario' : `Open the found run under ${r.policy} as a scenario`}
              </button>
            ))}
          </>
        )}
      </div>
    </div>
  );
}
