import { useSession } from '../engine';
import { describeTask } from './taskDetails';
import { TaskFacts } from './TaskFacts';

const OFFSET = 14;
const WIDTH = 360;

/**
 * The hover card of a task cell at viewport point (x, y), fixed-positioned so the panel's
 * clipping cannot cut it; it flips left and up near the window's edges.
 */
export function TaskTooltip({ slot, x, y }: { slot: number; x: number; y: number }) {
  const d = useSession((s) => describeTask(s.sim.kernel, s.classify(), slot));
  const width = window.innerWidth;
  const height = window.innerHeight;
  const left = x + OFFSET + WIDTH > width ? Math.max(0, x - OFFSET - WIDTH) : x + OFFSET;
  const below = y < height / 2;
  const style = below ? { left, top: y + OFFSET, width: WIDTH } : { left, bottom: height - y + OFFSET, width: WIDTH };
  return (
    <div className="task-tooltip" role="tooltip" data-testid="task-tooltip" style={style}>
      <div className="task-tooltip-title">
        <span className="mono">{d.comm}</span> <span className="muted">pid {d.pid}</span>
      </div>
      <TaskFacts d={d} />
    </div>
  );
}
