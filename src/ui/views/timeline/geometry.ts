// The timeline's lanes, top to bottom: markers, the tasklist_lock band (when the kernel
// records it), the pending-task plot, the time axis.

export const MARGIN = { left: 34, right: 10 };
export const MARKER_LANE = { top: 2, height: 18 };
const LOCK_H = 7;
const AXIS_H = 16;

export interface Lanes {
  lock: { top: number; height: number } | null;
  plot: { top: number; bottom: number };
  axisY: number;
}

export function lanes(height: number, withLock: boolean): Lanes {
  const afterMarkers = MARKER_LANE.top + MARKER_LANE.height + 2;
  const lock = withLock ? { top: afterMarkers, height: LOCK_H } : null;
  const plotTop = afterMarkers + (lock ? LOCK_H + 3 : 0);
  const axisY = Math.max(plotTop + 20, height - AXIS_H);
  return { lock, plot: { top: plotTop, bottom: axisY }, axisY };
}
