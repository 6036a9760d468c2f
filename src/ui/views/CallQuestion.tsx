import { klpFtraceChoice } from '../../kernel/ftraceChoice';
import { useSession } from '../engine';
import { useView } from '../store';
import { frameVersion, replacementFuncs } from './taskDetails';
import { findOps, funcStackOf, patchedFunctionNames } from './inspectorModel';
import { FuncStackList } from './FuncStackList';

/** "What would this task run if it called F now?", answered by the ftrace handler's logic. */
export function CallQuestion({ slot }: { slot: number }) {
  const k = useSession((s) => s.sim.kernel);
  const names = useSession((s) => patchedFunctionNames(s.sim.kernel));
  const chosen = useView((v) => v.inspectorCall);
  const setChosen = useView((v) => v.setInspectorCall);
  const name = chosen && names.includes(chosen) ? chosen : names[0];
  const ops = name ? findOps(k, name) : undefined;
  const choice = ops ? klpFtraceChoice(k, slot, ops.oldFunc.id) : null;
  return (
    <section className="call-question" aria-label="What would it run">
      <h3>What would it run if it called…</h3>
      {names.length === 0 ? (
        <p className="muted">No function is patched now: every call runs the original.</p>
      ) : (
        <>
          <select aria-label="Patched function" value={name} onChange={(e) => setChosen(e.target.value)}>
            {names.map((n) => <option key={n} value={n}>{n}()</option>)}
          </select>
          {choice && ops && (
            <>
              <p className="call-answer">
                runs <strong className="mono">{k.syms.codes[choice.code].name}</strong>{' '}
                <span className="muted">({frameVersion(k, choice.code, replacementFuncs(k)).version})</span>
              </p>
              <p>{choice.why}</p>
              {choice.warns && <p className="warn-text">The kernel would print a WARN here (klp_ftrace_handler).</p>}
              <FuncStackList entries={funcStackOf(k, ops)} answer={choice.entry} />
            </>
          )}
        </>
      )}
    </section>
  );
}
