// Compare mode's one playback row: every button drives the linked cursor (A leads, B follows;
// a seek moves both), and the two clocks show that both hosts are at one time.

import type { EnginePort } from '../../engine/port';
import { fmtShort, fmtTime } from '../format';
import { Icon } from '../views/icons';
import { SpeedSlider, TimeSlider } from '../views/PlaybackSliders';
import type { CompareSession } from './compareStore';
import { usePortPlayback, usePortVersion } from './usePort';

function cursorOf(p: EnginePort): { now: number; start: number; head: number } | undefined {
  return p.ready() ? p.piece('cursor') : undefined;
}

export function CompareControls({ session }: { session: CompareSession }) {
  const { portA, portB, link } = session;
  usePortVersion(portA);
  usePortVersion(portB);
  const play = usePortPlayback(portA);
  const seekingB = usePortPlayback(portB).seeking;
  const a = cursorOf(portA);
  const b = cursorOf(portB);
  const now = a?.now ?? 0;
  const start = Math.min(a?.start ?? 0, b?.start ?? Infinity);
  const end = Math.max(a?.head ?? 0, b?.head ?? 0, now);
  const send = link.send.bind(link);
  return (
    <div className="controls cmp-controls" role="toolbar" aria-label="Playback of A and B">
      <button type="button" onClick={() => send({ type: 'STEP_BACK' })} aria-label="Step back" title="Step A back; B follows to the same time"><Icon name="stepBack" /></button>
      {play.playing ? (
        <button type="button" onClick={() => send({ type: 'PAUSE' })} aria-label="Pause" title="Pause both"><Icon name="pause" /></button>
      ) : (
        <button type="button" onClick={() => send({ type: 'PLAY' })} aria-label="Play" title="Play both (A leads, B follows its cursor)"><Icon name="play" /></button>
      )}
      <button type="button" onClick={() => send({ type: 'STEP_FORWARD' })} aria-label="Step forward" title="Step to A's next event; B follows to the same time"><Icon name="stepForward" /></button>
      <button type="button" onClick={() => send({ type: 'NEXT_MARKER' })} title="On to A's next timeline marker; B follows">marker ▸</button>
      <SpeedSlider exp={play.speedExp} send={send} title="Virtual seconds per wall second" />
      <TimeSlider now={now} start={start} end={end} send={send} title="Virtual time of both: drag to travel back and forth" />
      <span className="cmp-clocks">
        <output className="clock" data-testid="clock-a" title="A's kernel time">A [{a ? fmtTime(a.now) : '…'}]</output>
        <output className="clock" data-testid="clock-b" title="B's kernel time">B [{b ? fmtTime(b.now) : '…'}]</output>
        <span className="clock-since">+{fmtShort(now - start)}</span>
        {(play.seeking || seekingB) && <span className="muted" role="status">replaying…</span>}
      </span>
    </div>
  );
}
