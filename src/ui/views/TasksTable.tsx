import { port, useSimVersion } from '../engine';
import { useView } from '../store';
import { FILL_NAMES } from '../../engine/select/taskCells';
import type { TasksModel } from '../../engine/select/tasksModel';

/**
 * The canvas as tables, for screen readers (visually hidden) or on demand (the Table
 * button): every group with its counts by state, then the blocked tasks, capped.
 */
export function TasksTable({ model, shown }: { model: TasksModel | null; shown: boolean }) {
  useSimVersion();
  const select = useView((v) => v.select);
  if (!model) return null;
  const blocked = port().blockedRows();
  return (
    <div className={shown ? 'tasks-table' : 'sr-only tasks-table-sr'} data-testid="tasks-table">
      <table>
        <caption>Tasks by group and patch state</caption>
        <thead>
          <tr>
            <th scope="col">group</th>
            <th scope="col">tasks</th>
            {FILL_NAMES.map((n) => <th key={n} scope="col">{n}</th>)}
            <th scope="col">blocked</th>
          </tr>
        </thead>
        <tbody>
          {model.counts.map((c) => (
            <tr key={c.name}>
              <th scope="row">{c.name}</th>
              <td>{c.total}</td>
              {c.fill.map((v, i) => <td key={i}>{v}</td>)}
              <td>{c.total - c.mark[0]}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <table>
        <caption>Blocked tasks{blocked.more ? ` (first ${blocked.rows.length}; ${blocked.more} more not listed)` : ''}</caption>
        <thead>
          <tr>
            <th scope="col">pid</th>
            <th scope="col">comm</th>
            <th scope="col">reason</th>
            <th scope="col"><span className="sr-only">select</span></th>
          </tr>
        </thead>
        <tbody>
          {blocked.rows.map((r) => (
            <tr key={r.slot}>
              <td>{r.pid}</td>
              <td className="mono">{r.comm}</td>
              <td>{r.reason}</td>
              <td>
                <button type="button" onClick={() => select({ kind: 'task', slot: r.slot })} aria-label={`Inspect ${r.comm} (pid ${r.pid})`}>
                  Inspect
                </button>
              </td>
            </tr>
          ))}
          {blocked.rows.length === 0 && (
            <tr>
              <td colSpan={4}>No task blocks a transition.</td>
            </tr>
          )}
        </tbody>
      </table>
    </div>
  );
}
