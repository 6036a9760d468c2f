import { useEffect, useRef, type RefObject } from 'react';
import { port } from '../engine';
import type { TasksModel } from '../../engine/select/tasksModel';
import { TasksCanvasController, type PointerInfo } from './tasksCanvasController';
import type { TasksZoom } from './tasksZoom';

interface Props {
  zoomRef: RefObject<TasksZoom | null>;
  label: string;
  onPointer(p: PointerInfo | null): void;
  onModel(m: TasksModel): void;
}

/**
 * The two canvases of the Tasks view, mounted with their controller
 * (tasksCanvasController.ts), which draws them through the app-wide frame scheduler.
 */
export function TasksCanvas({ zoomRef, label, onPointer, onModel }: Props) {
  const boxRef = useRef<HTMLDivElement>(null);
  const cellsRef = useRef<HTMLCanvasElement>(null);
  const overlayRef = useRef<HTMLCanvasElement>(null);
  const callbacks = useRef({ onPointer, onModel });
  useEffect(() => {
    callbacks.current = { onPointer, onModel };
  });

  useEffect(() => {
    const box = boxRef.current;
    const cells = cellsRef.current;
    const overlay = overlayRef.current;
    if (!box || !cells || !overlay) return;
    const controller = new TasksCanvasController(port(), () => callbacks.current);
    zoomRef.current = controller.attach({ box, cells, overlay });
    return () => {
      controller.dispose();
      zoomRef.current = null;
    };
  }, [zoomRef]);

  return (
    <div className="tasks-canvas" ref={boxRef}>
      <canvas ref={cellsRef} className="tasks-cells" aria-hidden="true" />
      <canvas
        ref={overlayRef}
        className="tasks-overlay"
        role="img"
        tabIndex={0}
        aria-label={label}
        aria-keyshortcuts="W S A D Q E 0"
        data-testid="tasks-canvas"
      />
    </div>
  );
}
