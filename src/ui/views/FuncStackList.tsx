import { useView } from '../store';
import type { StackEntry } from '../../engine/select/inspectorModel';

/** func_stack top to bottom; `answer` marks the entry the ftrace handler picks (-1: none). */
export function FuncStackList({ entries, answer = -1 }: { entries: StackEntry[]; answer?: number }) {
  const select = useView((v) => v.select);
  return (
    <ol className="func-stack" aria-label="func_stack, top entry first">
      {entries.map((e, i) => (
        <li key={i} className={i === answer ? 'func-entry func-answer' : 'func-entry'} title={i === answer ? 'the entry the ftrace handler uses for this task' : undefined}>
          <span className="func-pos muted">{i === 0 ? 'top' : `#${i}`}</span>{' '}
          <button type="button" className="linkish" onClick={() => select({ kind: 'patch', name: e.patch })} aria-label={`Inspect patch ${e.patch}`}>{e.patch}</button>{' '}
          <span className="mono">{e.func.target}</span>
          <span className="func-flags">
            {e.func.transition && <span className="flag flag-transition" title="klp_func.transition: the patch is in transition">transition</span>}
            {e.func.nop && <span className="flag" title="a nop: atomic replace's way of reverting to the original">nop</span>}
            <span className="flag" title="stack_order: the patch's position in klp_patches">stack_order {e.stackOrder}</span>
          </span>
          {i === answer && <strong className="func-answer-flag"> ← answers</strong>}
        </li>
      ))}
      {entries.length === 0 && <li className="muted">empty</li>}
    </ol>
  );
}
