import { useCallback, useRef, useState } from 'react';
import { useView } from '../store';
import { TasksCanvas, type PointerInfo } from './TasksCanvas';
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
    pending += c.fill[3];
    blocked += c.total - c.mark[0];
  }
  return `Task cells: ${m.slotOfCell.length} tasks in ${m.groups.length} groups, ${pending} pending, ${blocked} blocked. W and S zoom, A, D, Q and E pan, 0 resets; the table lists the same.`;
}

/** Every task as a cell, grouped, coloured by patch state and marked by blocker reason. */
export function TasksView() {
  const zoomRef = useRef<TasksZoom | null>(null);
  const [pointer, setPointer] = useState<PointerInfo | null>(null);
  const [model, setModel] = useState<TasksModel | null>(null);
  const tableShown = useView((v) => v.tasksTable);
  const setTable = useView((v) => v.setTasksTable);
  const onPointer = useCallback((p: PointerInfo | null) => setPointer(p), []);
  const onModel = useCallback((m: TasksModel) => setModel(m), []);
  return (
    <div className="tasks-view">
      <div className="tasks-toolbar" role="toolbar" aria-label="Tasks zoom">
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
