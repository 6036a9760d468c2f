// Compare mode's one playback row: every button drives the linked cursor (A leads, B follows;
// a seek moves both), and the two clocks show that both hosts are at one time.

import { useState } from 'react';
import { SPEED_MAX_EXP, SPEED_MIN_EXP, speedLabel } from '../../engine/playback';
import type { EnginePort } from '../../engine/port';
import { fmtShort, fmtTime, fmtWhen } from '../format';
import { Icon } from '../views/icons';
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
  // The slider shows where it was put until the cursor moves (a sliced seek lands a few frames later).
  const [target, setTarget] = useState<{ time: number; from: number } | null>(null);
  const sliderAt = target && target.from === now ? target.time : now;
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
      <label className="speed" title="Virtual seconds per wall second">
        Speed
        <input type="range" aria-label="Speed" min={SPEED_MIN_EXP} max={SPEED_MAX_EXP} step={1} value={play.speedExp} aria-valuetext={speedLabel(play.speedExp)} onChange={(e) => send({ type: 'SPEED', exp: Number(e.target.value) })} />
        <output>{speedLabel(play.speedExp)}</output>
      </label>
      <label className="slider" title="Virtual time of both: drag to travel back and forth">
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
            setTarget({ time, from: now });
            send({ type: 'SEEK', time, sliced: true });
          }}
        />
      </label>
      <span className="cmp-clocks">
        <output className="clock" data-testid="clock-a" title="A's kernel time">A [{a ? fmtTime(a.now) : '…'}]</output>
        <output className="clock" data-testid="clock-b" title="B's kernel time">B [{b ? fmtTime(b.now) : '…'}]</output>
        <span className="clock-since">+{fmtShort(now - start)}</span>
        {(play.seeking || seekingB) && <span className="muted" role="status">replaying…</span>}
      </span>
    </div>
  );
}
