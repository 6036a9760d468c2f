import type { TaskDetails } from '../../engine/select/taskDetails';
import { LinkedText, Term } from '../glossary/Term';

const FRAME_HELP = {
  original: 'runs the original code (vmlinux or its module)',
  patched: "runs a livepatch module's new function",
  freed: 'runs text of a module that has been unloaded',
} as const;

/** A task's identity, states and stack (innermost frame first, each with its code version). */
export function TaskFacts({ d, full = false }: { d: TaskDetails; full?: boolean }) {
  return (
    <>
      <dl className="task-facts">
        <dt>pid</dt>
        <dd>{d.pid}</dd>
        <dt>comm</dt>
        <dd className="mono">{d.comm}</dd>
        <dt>kind</dt>
        <dd>{d.kind}</dd>
        <dt>state</dt>
        <dd>{d.sched}</dd>
        <dt title="/proc/<pid>/patch_state"><Term id="patch-state" /></dt>
        <dd className="mono" title="as cat /proc/<pid>/patch_state prints it">{d.patchState}</dd>
        <dt title="TIF_PATCH_PENDING"><Term id="pending" /></dt>
        <dd>{d.pending ? <>yes (<Term id="tif-patch-pending" />)</> : 'no'}</dd>
        {full && (
          <>
            <dt>blocker</dt>
            <dd><LinkedText text={d.reason} /></dd>
          </>
        )}
      </dl>
      <p className="task-why"><LinkedText text={d.why} /></p>
      <div className="task-stack">
        <div className="task-stack-head muted">Stack, innermost frame first ({d.frames.length} frames)</div>
        <ol>
          {d.frames.map((f, i) => (
            <li key={i} className={`frame frame-${f.kind}${f.blocking ? ' frame-blocking' : ''}`} title={`${f.name}: ${FRAME_HELP[f.kind]}${f.blocking ? '; this frame keeps the task from switching' : ''}`}>
              <span className="mono">{f.name}</span> <span className="frame-version">{f.version}</span>
              {f.blocking && <strong className="frame-flag"> ← blocks the switch</strong>}
            </li>
          ))}
          {d.frames.length === 0 && <li className="muted">no kernel frames (user mode)</li>}
        </ol>
      </div>
    </>
  );
}
