import { useData, useQuery } from '../engine';
import { useView } from '../store';
import { CallQuestion } from './CallQuestion';
import { FuncStackList } from './FuncStackList';
import { PatchActions } from './PatchActions';
import { TaskFacts } from './TaskFacts';
import './inspector.css';
import { Term } from '../glossary/Term';

function TaskInspector({ slot }: { slot: number }) {
  const d = useQuery('task', slot);
  if (d === undefined) return <Asking />;
  if (!d) return <p className="muted">That task no longer exists at this moment.</p>;
  return (
    <div data-testid="inspector-task">
      <h3>
        <span className="mono">{d.comm}</span> <span className="muted">pid {d.pid}</span>
      </h3>
      <TaskFacts d={d} full />
      <CallQuestion slot={slot} />
    </div>
  );
}

/** While the worker answers (worker mode only; the page answers at once otherwise). */
function Asking() {
  return <p className="muted">Asking the simulation…</p>;
}

const yesNo = (b: boolean) => (b ? '1' : '0');

function PatchInspector({ name }: { name: string }) {
  const info = useQuery('patch', name);
  const select = useView((v) => v.select);
  if (info === undefined) return <Asking />;
  if (!info) return <p className="muted">Patch {name} is not registered at this moment.</p>;
  return (
    <div data-testid="inspector-patch">
      <h3 className="mono">{info.name}</h3>
      <dl className="task-facts">
        <dt>enabled</dt><dd>{yesNo(info.enabled)}</dd>
        <dt><Term id="transition" /></dt><dd>{yesNo(info.transition)}</dd>
        <dt><Term id="atomic-replace">replace</Term></dt><dd>{yesNo(info.replace)}</dd>
        <dt><Term id="force">forced</Term></dt><dd>{yesNo(info.forced)}</dd>
        <dt><Term id="stack-order" /></dt><dd>{info.stackOrder || '(not on klp_patches)'}</dd>
      </dl>
      {info.transition && <PatchInTransition name={info.name} />}
      {info.objects.map((o) => (
        <section key={o.name} className="patch-object">
          <h4 className="mono">{o.name} <span className="muted">{o.loaded ? (o.patched ? 'patched' : 'loaded, not patched') : 'not loaded'}</span></h4>
          <ul>
            {o.funcs.map((f) => (
              <li key={f.name}>
                <button type="button" className="linkish mono" onClick={() => select({ kind: 'func', name: f.name })} aria-label={`Inspect function ${f.name}`}>{f.name}</button>
                {' → '}<span className="mono">{f.target}</span>
                {f.transition && <span className="flag flag-transition">transition</span>}
                {f.patched && <span className="flag">patched</span>}
              </li>
            ))}
          </ul>
        </section>
      ))}
    </div>
  );
}

/** The same options as the Status panel, for the patch in transition. */
function PatchInTransition({ name }: { name: string }) {
  const st = useData('status');
  const t = st.transition;
  if (!t?.running || t.patch !== name) return null;
  return <PatchActions target={{ patch: name, now: st.now, nextRetry: t.nextRetry, attemptsToSignals: t.attemptsToSignals }} />;
}

function FuncInspector({ name }: { name: string }) {
  const entries = useQuery('func', name);
  if (entries === undefined) return <Asking />;
  return (
    <div data-testid="inspector-func">
      <h3><span className="mono">{name}()</span></h3>
      {entries ? (
        <>
          <p className="muted"><Term id="func-stack" />, top entry first: the ftrace handler uses the top entry unless it is in transition and the calling task is still unpatched.</p>
          <FuncStackList entries={entries} />
        </>
      ) : (
        <p className="muted">Not patched at this moment: calls run the original.</p>
      )}
    </div>
  );
}

/** Details of the selected task, patch or function. */
export function InspectorView() {
  const selection = useView((v) => v.selection);
  const select = useView((v) => v.select);
  if (!selection) return <p className="muted inspector-hint">Click a task cell, a patch or a function to inspect it.</p>;
  return (
    <div className="inspector">
      <button type="button" className="inspector-clear" onClick={() => select(null)} aria-label="Clear selection" title="Clear selection">×</button>
      {selection.kind === 'task' && <TaskInspector slot={selection.slot} />}
      {selection.kind === 'patch' && <PatchInspector name={selection.name} />}
      {selection.kind === 'func' && <FuncInspector name={selection.name} />}
    </div>
  );
}

/** What the Inspector's colours and tags mean: only those the current selection can show. */
export function InspectorLegend() {
  const kind = useView((v) => v.selection?.kind);
  if (!kind) return null;
  return (
    <>
      {kind === 'task' && <span className="frame-flag" title="The frame whose function the transition forbids on the stack (klp_check_stack)">← blocks the switch</span>}
      <span className="flag flag-transition" title="klp_func.transition: the patch that owns this entry is in transition"><Term id="transition" /></span>
      {kind !== 'patch' && <span className="flag" title="A no-op entry of an atomic-replace patch: the original function runs"><Term id="nop" /></span>}
    </>
  );
}
