import { sendPlayback as send, useData, usePlayback } from '../engine';
import { fmtShort, fmtTime } from '../format';
import { useView } from '../store';
import { Icon } from './icons';
import { SpeedSlider, TimeSlider } from './PlaybackSliders';

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
  const { markers } = useData('timeline');
  // The last marker (or attempt) strictly before the cursor: the time a step back lands on.
  const before = (ok: (kind: string) => boolean) => {
    for (let i = markers.length - 1; i >= 0; i--) if (markers[i].time < now && ok(markers[i].kind)) return markers[i].time;
    return undefined;
  };
  const prevMarker = before(() => true);
  const prevAttempt = before((k) => k === 'attempt');
  const forkText = fork && `Forked at [${fmtTime(fork.time)}] (+${fmtShort(fork.time - start)}): ${fork.dropped} later command${fork.dropped === 1 ? '' : 's'} dropped`;
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
      <SpeedSlider exp={speedExp} send={send} limited={limited} title="Virtual seconds per wall second, on a log scale (+ / -)" />
      <TimeSlider now={now} start={start} end={end} send={send} title="Virtual time: drag to travel back and forth" />
      <output className="clock" aria-label="Virtual time" title={`Kernel time (dmesg timestamp); +${fmtShort(now - start)} since the script began`}>
        [{fmtTime(now)}] <span className="clock-since">+{fmtShort(now - start)}</span>
      </output>
      {seeking && (
        <span className="seek-status" role="status">
          <progress className="seek-progress" aria-label="Replaying to the cursor" max={1} value={seekProgress} />
          <button type="button" onClick={() => send({ type: 'PAUSE' })} aria-label="Cancel the replay" title="Stop here: the cursor stays where the replay got to">Cancel</button>
        </span>
      )}
      {forkText && <span className="fork-notice" role="status" title={forkText}>{forkText}</span>}
      <span className="spacer" />
      <button type="button" onClick={() => setTheme(theme === 'dark' ? 'light' : 'dark')} aria-label="Toggle theme" title="Dark / light theme">{theme === 'dark' ? '☀' : '☾'}</button>
      <button type="button" onClick={() => setHelp(true)} aria-label="Keyboard shortcuts" title="Keyboard shortcuts (?)">?</button>
    </div>
  );
}
