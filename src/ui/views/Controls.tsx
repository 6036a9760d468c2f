import { useState } from 'react';
import { SPEED_MAX_EXP, SPEED_MIN_EXP, speedLabel } from '../../engine/playback';
import { sendPlayback as send, useData, usePlayback } from '../engine';
import { fmtShort, fmtTime, fmtWhen } from '../format';
import { useView } from '../store';
import { Icon } from './icons';

/**
 * The time slider's value: where the user last put it until the cursor moves. A host in the
 * worker answers a seek a few frames later; without this the controlled input would snap back
 * to the old cursor meanwhile, and the browser's `change` event after the key or the drag
 * would then send a second seek, back to where the cursor was.
 */
function useSliderTarget(now: number): [number, (t: number) => void] {
  const [target, setTarget] = useState<{ time: number; from: number } | null>(null);
  const shown = target && target.from === now ? target.time : now;
  return [shown, (time) => setTarget({ time, from: now })];
}

/** Play / pause / step / speed / time slider: the playback machine's buttons. */
export function Controls() {
  const playing = usePlayback((p) => p.playing);
  const speedExp = usePlayback((p) => p.speedExp);
  const seeking = usePlayback((p) => p.seeking);
  const limited = usePlayback((p) => p.limited);
  const { now, start, head, fork, seekProgress } = useData('cursor');
  const theme = useView((v) => v.theme);
  const setTheme = useView((v) => v.setTheme);
  const setHelp = useView((v) => v.setHelp);
  const end = Math.max(head, now);
  const [sliderAt, moveSlider] = useSliderTarget(now);
  const { markers } = useData('timeline');
  // The last marker (or attempt) strictly before the cursor: the time a step back lands on.
  const before = (ok: (kind: string) => boolean) => {
    for (let i = markers.length - 1; i >= 0; i--) if (markers[i].time < now && ok(markers[i].kind)) return markers[i].time;
    return undefined;
  };
  const prevMarker = before(() => true);
  const prevAttempt = before((k) => k === 'attempt');
  return (
    <div className="controls" role="toolbar" aria-label="Playback">
      <button type="button" onClick={() => send({ type: 'STEP_BACK' })} aria-label="Step back" title="Step back (←)"><Icon name="stepBack" /></button>
      {playing ? (
        <button type="button" onClick={() => send({ type: 'PAUSE' })} aria-label="Pause" title="Pause (space)"><Icon name="pause" /></button>
      ) : (
        <button type="button" onClick={() => send({ type: 'PLAY' })} aria-label="Play" title="Play (space)"><Icon name="play" /></button>
      )}
      <button type="button" onClick={() => send({ type: 'STEP_FORWARD' })} aria-label="Step forward" title="Step to the next event (→)"><Icon name="stepForward" /></button>
      <button type="button" onClick={() => send({ type: 'NEXT_INTERESTING' })} aria-label="Next interesting event" title="Run to the next warning, force or completion; a burst at one instant is one stop, and it stops at the last event (n)"><Icon name="next" /> next</button>
      <span className="marker-nav" role="group" aria-label="Markers">
        <button type="button" disabled={prevAttempt === undefined} onClick={() => prevAttempt !== undefined && send({ type: 'SEEK', time: prevAttempt })} aria-label="Back one attempt" title="Back to the previous attempt of the transition">◂ attempt</button>
        <button type="button" disabled={prevMarker === undefined} onClick={() => prevMarker !== undefined && send({ type: 'SEEK', time: prevMarker })} aria-label="Previous marker" title="Back to the previous marker on the timeline">◂ marker</button>
        <button type="button" onClick={() => send({ type: 'NEXT_MARKER' })} aria-label="Next marker" title="On to the next marker on the timeline (a burst at one instant is one stop)">marker ▸</button>
      </span>
      <label className="speed" title="Virtual seconds per wall second, on a log scale (+ / -)">
        Speed
        <input
          type="range"
          aria-label="Speed"
          min={SPEED_MIN_EXP}
          max={SPEED_MAX_EXP}
          step={1}
          value={speedExp}
          aria-valuetext={speedLabel(speedExp)}
          onChange={(e) => send({ type: 'SPEED', exp: Number(e.target.value) })}
        />
        <output>{speedLabel(speedExp)}</output>
        {limited && <span className="limited" title="The simulation cannot keep up with this speed; time runs as fast as the model allows">(model-bound)</span>}
      </label>
      <label className="slider" title="Virtual time: drag to travel back and forth">
        <span className="sr-only">Time</span>
        <input
          type="range"
          aria-label="Time"
          min={start}
          max={end}
          step={1000}
          value={sliderAt}
          aria-valuetext={fmtWhen(now, start)}
          onChange={(e) => {
            const time = Number(e.target.value);
            moveSlider(time);
            send({ type: 'SEEK', time, sliced: true });
          }}
        />
      </label>
      <output className="clock" aria-label="Virtual time" title={`Kernel time (dmesg timestamp); +${fmtShort(now - start)} since the script began`}>
        [{fmtTime(now)}] <span className="clock-since">+{fmtShort(now - start)}</span>
      </output>
      {seeking && (
        <span className="seek-status" role="status">
          <progress className="seek-progress" aria-label="Replaying to the cursor" max={1} value={seekProgress} />
          <button type="button" onClick={() => send({ type: 'PAUSE' })} aria-label="Cancel the replay" title="Stop here: the cursor stays where the replay got to">Cancel</button>
        </span>
      )}
      {fork && <span className="fork-notice" role="status">Forked at [{fmtTime(fork.time)}] (+{fmtShort(fork.time - start)}): {fork.dropped} later command{fork.dropped === 1 ? '' : 's'} dropped</span>}
      <span className="spacer" />
      <button type="button" onClick={() => setTheme(theme === 'dark' ? 'light' : 'dark')} aria-label="Toggle theme" title="Dark / light theme">{theme === 'dark' ? '☀' : '☾'}</button>
      <button type="button" onClick={() => setHelp(true)} aria-label="Keyboard shortcuts" title="Keyboard shortcuts (?)">?</button>
    </div>
  );
}
