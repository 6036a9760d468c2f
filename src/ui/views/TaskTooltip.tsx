import { useQuery } from '../engine';
import { TaskFacts } from './TaskFacts';

const OFFSET = 14;
const WIDTH = 360;

/**
 * The hover card of a task cell at viewport point (x, y), fixed-positioned so the panel's
 * clipping cannot cut it; it flips left and up near the window's edges.
 */
export function TaskTooltip({ slot, x, y }: { slot: number; x: number; y: number }) {
  const d = useQuery('task', slot);
  const width = window.innerWidth;
  const height = window.innerHeight;
  const left = x + OFFSET + WIDTH > width ? Math.max(0, x - OFFSET - WIDTH) : x + OFFSET;
  const below = y < height / 2;
  const style = below ? { left, top: y + OFFSET, width: WIDTH } : { left, bottom: height - y + OFFSET, width: WIDTH };
  if (!d) {
    return (
      <div className="task-tooltip" role="tooltip" data-testid="task-tooltip" style={style}>
        <span className="muted">{d === null ? 'That task no longer exists at this moment.' : 'Asking the simulation…'}</span>
      </div>
    );
  }
  return (
    <div className="task-tooltip" role="tooltip" data-testid="task-tooltip" style={style}>
      <div className="task-tooltip-title">
        <span className="mono">{d.comm}</span> <span className="muted">pid {d.pid}</span>
      </div>
      <TaskFacts d={d} />
    </div>
  );
}
