// One glyph and one colour per marker kind (colours are CSS classes in timeline.css), and the
// band colours of the blocker reasons. The legend, the chart and the tooltip all read these.

import { symbol, symbolAsterisk, symbolCircle, symbolCross, symbolDiamond, symbolSquare, symbolStar, symbolTimes, symbolPlus, symbolTriangle, symbolWye, type SymbolType } from 'd3';
import { Reason, REASON_NAMES, type ReasonCode } from '../../../engine/blockers';
import type { MarkerKind } from '../../../engine/session';

interface MarkerStyle {
  kind: MarkerKind;
  name: string;
  /** What the marker means, for the legend's tooltip. */
  about: string;
  /** A d3 symbol, or null for the thin attempt tick. */
  symbol: SymbolType | null;
  /** Degrees the glyph is turned (a triangle pointing down or left). */
  rotate: number;
}

export const MARKER_STYLES: readonly MarkerStyle[] = [
  { kind: 'command', name: 'command', about: 'A script or console command started', symbol: symbolTriangle, rotate: 180 },
  { kind: 'start', name: 'transition start', about: 'klp_start_transition(): a patching or unpatching transition began', symbol: symbolCircle, rotate: 0 },
  { kind: 'attempt', name: 'attempt', about: 'klp_try_complete_transition(): one walk over every task (thinned when they crowd)', symbol: null, rotate: 0 },
  { kind: 'signal', name: 'fake signals', about: 'klp_send_signals(): a round of fake signals to the tasks still pending', symbol: symbolAsterisk, rotate: 0 },
  { kind: 'reverse', name: 'reverse', about: 'klp_reverse_transition(): the transition turned back', symbol: symbolTriangle, rotate: 270 },
  { kind: 'force', name: 'force', about: 'klp_force_transition(): every task marked switched without a check', symbol: symbolCross, rotate: 45 },
  { kind: 'complete', name: 'complete', about: 'klp_complete_transition(): every task reached the target state', symbol: symbolStar, rotate: 0 },
  { kind: 'warn', name: 'WARN', about: 'A WARNING splat in the kernel log (the task and CPU it names in the tooltip)', symbol: symbolDiamond, rotate: 0 },
  { kind: 'oops', name: 'BUG / Oops', about: 'A BUG or Oops in the kernel log: the task that crashed', symbol: symbolSquare, rotate: 0 },
  { kind: 'lockup', name: 'hard LOCKUP', about: 'NMI watchdog: Watchdog detected hard LOCKUP on a CPU (and the task spinning there)', symbol: symbolWye, rotate: 180 },
  { kind: 'rcu', name: 'RCU Tasks', about: 'rcu_tasks_wait_gp: an RCU Tasks grace period held open for 10 s', symbol: symbolPlus, rotate: 0 },
  { kind: 'fork', name: 'fork', about: 'A command typed in the past: the later script was dropped and the future re-simulated', symbol: symbolTimes, rotate: 0 },
];

export const MARKER_STYLE = new Map(MARKER_STYLES.map((s) => [s.kind, s]));

/** The SVG path of a marker glyph of `size` square pixels. */
export function glyphPath(style: MarkerStyle, size: number): string {
  return symbol(style.symbol ?? symbolSquare, size)() ?? '';
}

/** Band classes and names of the blocker reasons drawn (every reason but NONE). */
export const REASON_CLASS: Record<ReasonCode, string> = {
  [Reason.NONE]: 'tl-r-none',
  [Reason.WILL_SWITCH]: 'tl-r-will',
  [Reason.RUNNING]: 'tl-r-running',
  [Reason.SLEEPING]: 'tl-r-sleeping',
  [Reason.UNINTERRUPTIBLE]: 'tl-r-dstate',
  [Reason.UNRELIABLE]: 'tl-r-unreliable',
  [Reason.EXITING]: 'tl-r-exiting',
};

export function reasonName(r: ReasonCode): string {
  return REASON_NAMES[r];
}
