// The one simulation the page shows, and the hooks views read it through. Views never
// change kernel state: they send playback events or console commands, which go through the
// Session exactly as a script line would.

import { createActor, type Actor } from 'xstate';
import { useSyncExternalStore } from 'react';
import { playbackMachine } from '../engine/playback';
import { Session, type SessionSource } from '../engine/session';
import { Simulation } from '../engine/simulation';
import { DEFAULT_SCENARIO } from '../scenario/defaultScenario';
import { benchSource } from './benchHook';

export function defaultSource(): SessionSource {
  return { title: DEFAULT_SCENARIO.title, build: () => new Simulation(), script: DEFAULT_SCENARIO.script.map((text) => ({ text })) };
}

export interface Engine {
  session: Session;
  playback: Actor<typeof playbackMachine>;
}

let current: Engine | undefined;

export function engine(): Engine {
  if (!current) {
    const session = new Session(benchSource(window.location.search) ?? defaultSource());
    const playback = createActor(playbackMachine, { input: { session } });
    playback.start();
    current = { session, playback };
  }
  return current;
}

/** Re-render when the simulation moves; `read` picks what the view needs. */
export function useSession<T>(read: (s: Session) => T): T {
  const { session } = engine();
  const version = useSyncExternalStore(
    (fn) => session.subscribe(fn),
    () => session.version,
  );
  void version;
  return read(session);
}

type PlaybackSnapshot = ReturnType<Engine['playback']['getSnapshot']>;

/** A value derived from the playback machine's state; `select` must return a primitive. */
export function usePlayback<T>(select: (snap: PlaybackSnapshot) => T): T {
  const actor = engine().playback;
  return useSyncExternalStore(
    (fn) => {
      const sub = actor.subscribe(fn);
      return () => sub.unsubscribe();
    },
    () => select(actor.getSnapshot()),
  );
}
