import { useData } from '../engine';
import { useView } from '../store';
import { ORIGINAL, runsLabel, type FuncRow, type FuncStacksModel, type StackEntry } from '../../engine/select/funcStacksModel';
import { useLeaving } from './useLeaving';
import './funcStacks.css';
import { Term } from '../glossary/Term';

const FADE_MS = 600;

/** Per patched function, its func_stack top to bottom and which entry each kind of task runs now. */
export function FuncStacksView() {
  const model = useData('funcStacks');
  const rows = useLeaving(model.rows, (r) => r.key, FADE_MS);
  return (
    <div className="fs-view">
      <FuncStacksLegend model={model} />
      {rows.length === 0 && <p className="muted">No function is patched: no klp_ops exists, every call runs the original code.</p>}
      <ul className="fs-funcs" aria-label="Patched functions">
        {rows.map(({ item, key, leavingUntil }) => (
          <FuncCard key={key} row={item} model={model} leaving={leavingUntil !== undefined} />
        ))}
      </ul>
    </div>
  );
}

function FuncStacksLegend({ model }: { model: FuncStacksModel }) {
  const idle = model.phase === 'idle';
  return (
    <div className="fs-legend" aria-label="Function stacks legend">
      {idle ? (
        <span title="No transition: the top entry of every func_stack runs for every task">
          <span className="fs-dot fs-all" /> every task runs
        </span>
      ) : (
        <>
          <span title={`Tasks whose patch_state is not yet the target of ${model.phase} ${model.patch}: ${model.unswitchedTasks} now`}>
            <span className="fs-dot fs-unswitched" /> <abbr title="U column: the entry an unswitched task runs">U</abbr> unswitched task runs ({model.unswitchedTasks})
          </span>
          <span title={`Tasks already in the target state of ${model.phase} ${model.patch}: ${model.switchedTasks} now`}>
            <span className="fs-dot fs-switched" /> <abbr title="S column: the entry a switched task runs">S</abbr> switched task runs ({model.switchedTasks})
          </span>
        </>
      )}
      <span className="fs-chip fs-transition" title="klp_func.transition: set while its patch is in transition; only the top entry's flag matters to the ftrace handler">transition</span>
      <span className="fs-chip fs-nop" title="A nop added by atomic replace: runs the original function (for switched tasks)"><Term id="nop" /></span>
      <span className="fs-chip" title="stack_order: the patch's 1-based position in klp_patches (1 = oldest); the biggest one wins outside a transition">#n = <Term id="stack-order" /></span>
    </div>
  );
}

function FuncCard({ row, model, leaving }: { row: FuncRow; model: FuncStacksModel; leaving: boolean }) {
  const selected = useView((v) => v.selection?.kind === 'func' && v.selection.name === row.name);
  const select = useView((v) => v.select);
  const entries = useLeaving(row.entries, (e) => e.key, FADE_MS);
  const idle = model.phase === 'idle';
  return (
    <li className={`fs-func${leaving ? ' fs-leaving' : ''}${selected ? ' fs-selected' : ''}`} data-func={row.name} inert={leaving}>
      <div className="fs-func-head">
        <button
          type="button"
          className="fs-func-name"
          aria-pressed={selected}
          onClick={() => select({ kind: 'func', name: row.name })}
          title={`Select ${row.name} (inspect it)`}
        >
          {row.name}
        </button>
        <span className="muted">[{row.owner}]</span>
        <span className="fs-cols" aria-hidden="true">
          {idle ? <span title="every task">all</span> : (
            <>
              <span title="U: the entry an unswitched task (not yet in the target state) runs">U</span>
              <span title="S: the entry a switched task (already in the target state) runs">S</span>
            </>
          )}
        </span>
      </div>
      <ol className="fs-stack" aria-label={`func_stack of ${row.name}, top first`}>
        {entries.map(({ item, key, leavingUntil }) => {
          const index = row.entries.findIndex((e) => e.key === key);
          return <EntryRow key={key} entry={item} row={row} index={leavingUntil === undefined ? index : -2} idle={idle} />;
        })}
        <li className="fs-entry fs-original" title={`The original ${row.name}: not on the func_stack; it runs when no entry applies`}>
          <span className="fs-entry-main">
            <span className="muted">original</span> <code>{row.name}</code>
          </span>
          <Markers row={row} index={ORIGINAL} idle={idle} />
        </li>
      </ol>
    </li>
  );
}

/** `index` is the entry's position on the stack, or -2 while it fades out (no task runs it). */
function EntryRow({ entry, row, index, idle }: { entry: StackEntry; row: FuncRow; index: number; idle: boolean }) {
  const selected = useView((v) => v.selection?.kind === 'patch' && v.selection.name === entry.patch);
  const select = useView((v) => v.select);
  const leaving = index === -2;
  return (
    <li className={`fs-entry${leaving ? ' fs-leaving' : ''}${entry.nop ? ' fs-is-nop' : ''}`} inert={leaving}>
      <span className="fs-entry-main">
        <button
          type="button"
          className={`fs-patch${selected ? ' fs-selected' : ''}`}
          aria-pressed={selected}
          onClick={() => select({ kind: 'patch', name: entry.patch })}
          title={`Select patch ${entry.patch} (object ${entry.object})`}
        >
          {entry.patch}
        </button>
        {entry.nop ? (
          <span className="fs-chip fs-nop" title="nop: the ftrace handler runs the original function for tasks that reach this entry">nop</span>
        ) : (
          <code className="fs-new" title={`Replacement body: ${entry.newName}`}>→ {entry.newName}</code>
        )}
        {entry.transition && <span className="fs-chip fs-transition" title="transition flag set: tasks still unpatched skip this entry and run the one below">transition</span>}
        <span className="fs-order" title={entry.stackOrder ? `stack_order ${entry.stackOrder}: position in klp_patches` : 'off klp_patches (being freed)'}>
          #{entry.stackOrder || '–'}
        </span>
      </span>
      <Markers row={row} index={index} idle={idle} />
    </li>
  );
}

/** Dots in the row a task runs; `index` -2 (a fading entry) matches none. */
function Markers({ row, index, idle }: { row: FuncRow; index: number; idle: boolean }) {
  const label = index >= ORIGINAL ? runsLabel(row, index) : '';
  if (idle) {
    return (
      <span className="fs-markers">
        <span className="fs-slot">
          {row.switched === index && <span className="fs-dot fs-all" role="img" aria-label={`every task runs ${label}`} title={`Every task runs ${label}`} />}
        </span>
      </span>
    );
  }
  return (
    <span className="fs-markers">
      <span className="fs-slot">
        {row.unswitched === index && <span className="fs-dot fs-unswitched" role="img" aria-label={`an unswitched task runs ${label}`} title={`A task not yet switched runs ${label}`} />}
      </span>
      <span className="fs-slot">
        {row.switched === index && <span className="fs-dot fs-switched" role="img" aria-label={`a switched task runs ${label}`} title={`A switched task runs ${label}`} />}
      </span>
    </span>
  );
}
