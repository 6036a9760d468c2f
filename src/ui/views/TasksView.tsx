import { useCallback, useRef, useState } from 'react';
import { askQuery } from '../engine';
import { useView } from '../store';
import { Fill } from '../../engine/select/taskCells';
import { TasksCanvas } from './TasksCanvas';
import type { PointerInfo } from './tasksCanvasController';
import type { TasksModel } from '../../engine/select/tasksModel';
import { TasksTable } from './TasksTable';
import { TaskTooltip } from './TaskTooltip';
import { ZOOM_STEP, type TasksZoom } from './tasksZoom';
import './tasks.css';

function summary(m: TasksModel | null): string {
  if (!m) return 'Task cells';
  let pending = 0;
  let blocked = 0;
  for (const c of m.counts) {
    pending += c.fill[Fill.PENDING];
    blocked += c.blocked;
  }
  return `Task cells: ${m.slotOfCell.length} tasks in ${m.groups.length} groups, ${pending} pending, ${blocked} blocked. W and S zoom, A, D, Q and E pan, 0 resets; the table lists the same.`;
}

/**
 * Find a task by pid or comm: the matches are ringed on the canvas and the first is inspected;
 * Enter again inspects the next one.
 */
function TaskSearch() {
  const [text, setText] = useState('');
  const search = useView((v) => v.tasksSearch);
  const setSearch = useView((v) => v.setTasksSearch);
  const select = useView((v) => v.select);
  const selection = useView((v) => v.selection);
  const submit = () => {
    const q = text.trim();
    if (!q) return setSearch(null);
    if (search && search.text === q && search.slots.length) {
      const at = selection?.kind === 'task' ? search.slots.indexOf(selection.slot) : -1;
      select({ kind: 'task', slot: search.slots[(at + 1) % search.slots.length] });
      return;
    }
    void askQuery('findTasks', q).then((r) => {
      setSearch({ text: q, ...r });
      if (r.slots.length) select({ kind: 'task', slot: r.slots[0] });
    });
  };
  const found = search && search.text === text.trim() ? search : null;
  return (
    <form
      className="tasks-search"
      role="search"
      onSubmit={(e) => {
        e.preventDefault();
        submit();
      }}
    >
      <input
        type="search"
        aria-label="Find a task by pid or comm"
        placeholder="pid or comm"
        value={text}
        onChange={(e) => {
          setText(e.target.value);
          if (!e.target.value) setSearch(null);
        }}
        onKeyDown={(e) => e.stopPropagation()}
      />
      {found && (
        <output className="tasks-search-result" aria-live="polite">
          {found.total === 0 ? 'no match' : `${found.total.toLocaleString('en-US')} match${found.total === 1 ? '' : 'es'}${found.total > found.slots.length ? ` (first ${found.slots.length} ringed)` : ''}`}
        </output>
      )}
    </form>
  );
}

/** Every task as a cell, grouped, coloured by patch state and marked by blocker reason. */
export function TasksView() {
  const zoomRef = useRef<TasksZoom | null>(null);
  const [pointer, setPointer] = useState<PointerInfo | null>(null);
  const [model, setModel] = useState<TasksModel | null>(null);
  const tableShown = useView((v) => v.tasksTable);
  const setTable = useView((v) => v.setTasksTable);
  const blockedOnly = useView((v) => v.tasksBlockedOnly);
  const setBlockedOnly = useView((v) => v.setTasksBlockedOnly);
  const onPointer = useCallback((p: PointerInfo | null) => setPointer(p), []);
  const onModel = useCallback((m: TasksModel) => setModel(m), []);
  return (
    <div className="tasks-view">
      <div className="tasks-toolbar" role="toolbar" aria-label="Tasks zoom">
        <TaskSearch />
        <button type="button" aria-pressed={blockedOnly} title="Draw only the pending tasks the transition's check refuses now (blocked), with their reasons" onClick={() => setBlockedOnly(!blockedOnly)}>Blocked only</button>
        <button type="button" aria-label="Zoom in on tasks" title="Zoom in (W, wheel)" onClick={() => zoomRef.current?.zoomBy(ZOOM_STEP)}>+</button>
        <button type="button" aria-label="Zoom out of tasks" title="Zoom out (S, wheel)" onClick={() => zoomRef.current?.zoomBy(1 / ZOOM_STEP)}>−</button>
        <button type="button" aria-label="Show all tasks" title="Show every task (0)" onClick={() => zoomRef.current?.reset()}>⤢</button>
        <button type="button" aria-pressed={tableShown} title="Show the tasks as a table" onClick={() => setTable(!tableShown)}>Table</button>
      </div>
      <div className={`tasks-stage${tableShown ? ' tasks-stage-hidden' : ''}`}>
        <TasksCanvas zoomRef={zoomRef} label={summary(model)} onPointer={onPointer} onModel={onModel} />
        {pointer && <TaskTooltip slot={pointer.slot} x={pointer.x} y={pointer.y} />}
      </div>
      <TasksTable model={model} shown={tableShown} />
    </div>
  );
}
