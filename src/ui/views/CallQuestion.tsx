import { useData, useQuery } from '../engine';
import { useView } from '../store';
import { FuncStackList } from './FuncStackList';

/** "What would this task run if it called F now?", answered by the ftrace handler's logic. */
export function CallQuestion({ slot }: { slot: number }) {
  const names = useData('patchedNames');
  const chosen = useView((v) => v.inspectorCall);
  const setChosen = useView((v) => v.setInspectorCall);
  const name = chosen && names.includes(chosen) ? chosen : names[0];
  const choice = useQuery('call', { slot, name: name ?? null });
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
          {choice && choice.name === name && (
            <>
              <p className="call-answer">
                runs <strong className="mono">{choice.code}</strong>{' '}
                <span className="muted">({choice.version})</span>
              </p>
              <p>{choice.why}</p>
              {choice.warns && <p className="warn-text">The kernel would print a WARN here (klp_ftrace_handler).</p>}
              <FuncStackList entries={choice.entries} answer={choice.answer} />
            </>
          )}
        </>
      )}
    </section>
  );
}
