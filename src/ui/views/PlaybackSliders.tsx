// The playback row's two range inputs, shared by the page's Controls and Compare mode's one
// row: the speed (a log scale) and the time slider, which sends a sliced SEEK.

import { useState } from 'react';
import type { WirePlaybackEvent } from '../../engine/host';
import { SPEED_MAX_EXP, SPEED_MIN_EXP, speedLabel } from '../../engine/playback';
import { fmtWhen } from '../format';

type Send = (e: WirePlaybackEvent) => void;

export function SpeedSlider({ exp, send, title, limited = false }: { exp: number; send: Send; title: string; limited?: boolean }) {
  return (
    <label className="speed" title={title}>
      Speed
      <input type="range" aria-label="Speed" min={SPEED_MIN_EXP} max={SPEED_MAX_EXP} step={1} value={exp} aria-valuetext={speedLabel(exp)} onChange={(e) => send({ type: 'SPEED', exp: Number(e.target.value) })} />
      <output>{speedLabel(exp)}</output>
      {limited && <span className="limited" title="The simulation cannot keep up with this speed; time runs as fast as the model allows">(model-bound)</span>}
    </label>
  );
}

/**
 * The time slider. It shows where the user last put it until the cursor moves: a host in the
 * worker answers a seek a few frames later; without this the controlled input would snap back
 * to the old cursor meanwhile, and the browser's `change` event after the key or the drag
 * would then send a second seek, back to where the cursor was.
 */
export function TimeSlider({ now, start, end, send, title }: { now: number; start: number; end: number; send: Send; title: string }) {
  const [target, setTarget] = useState<{ time: number; from: number } | null>(null);
  const shown = target && target.from === now ? target.time : now;
  return (
    <label className="slider" title={title}>
      <span className="sr-only">Time</span>
      <input
        type="range"
        aria-label="Time"
        min={start}
        max={end}
        step={1000}
        value={shown}
        aria-valuetext={fmtWhen(now, start)}
        onChange={(e) => {
          const time = Number(e.target.value);
          setTarget({ time, from: now });
          send({ type: 'SEEK', time, sliced: true });
        }}
      />
    </label>
  );
}
