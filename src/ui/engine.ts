// The one simulation the page shows, and the hooks views read it through. Views never
// change kernel state: they send playback events or console commands, which go through the
// Session exactly as a script line would.

import { createActor, type Actor } from 'xstate';
import { useSyncExternalStore } from 'react';
import { playbackMachine } from '../engine/playback';
import { Session, type SessionSource } from '../engine/session';
import type { Scenario } from '../scenario/document';
import { sessionSourceOf } from '../scenario/build';
import { currentScenario, fragmentOf, initialScenario, savedCopy, STORAGE_KEY } from './scenarioStore';
import { benchSource } from './benchHook';

export interface Engine {
  session: Session;
  playback: Actor<typeof playbackMachine>;
  /** The scenario the session started from (its script grows with typed commands). */
  scenario: Scenario;
  /** Shown once at the top of the page: why a link or saved copy was not opened. */
  notice?: string;
}

let current: Engine | undefined;

function readSaved(): string | null {
  try {
    return localStorage.getItem(STORAGE_KEY);
  } catch {
    return null;
  }
}

function open(): Engine {
  const init = initialScenario(window.location.hash, readSaved());
  let scenario = init.scenario;
  let notice = init.notice;
  let session: Session;
  try {
    session = new Session(sessionSourceOf(scenario));
  } catch (e) {
    notice = `This scenario could not be started (${(e as Error).message}); showing the default scenario instead.`;
    scenario = initialScenario('', null).scenario;
    session = new Session(sessionSourceOf(scenario));
  }
  if (init.cursorUs !== undefined && init.cursorUs > session.now) session.seek(init.cursorUs);
  const playback = createActor(playbackMachine, { input: { session } });
  playback.start();
  return { session, playback, scenario, notice };
}

/** A ?bench= machine (src/ui/benchHook.ts): never written to the address bar or storage. */
function openBench(source: SessionSource): Engine {
  const session = new Session(source);
  const playback = createActor(playbackMachine, { input: { session } });
  playback.start();
  return { session, playback, scenario: initialScenario('', null).scenario };
}

export function engine(): Engine {
  if (!current) {
    const bench = benchSource(window.location.search);
    current = bench ? openBench(bench) : open();
    if (!bench) keepAddressCurrent(current);
  }
  return current;
}

/** The scenario as it stands (typed commands included), for sharing and saving. */
export function scenarioNow(e: Engine = engine()): Scenario {
  return currentScenario(e.scenario, e.session.entries);
}

/**
 * Rewrite the fragment and the saved copy when the script changes or the cursor comes to
 * rest; at most a few times a second while playing.
 */
function keepAddressCurrent(e: Engine): void {
  let lastScript = -1;
  let lastWrite = 0;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const write = () => {
    timer = undefined;
    lastWrite = performance.now();
    lastScript = e.session.entries.length;
    const s = scenarioNow(e);
    const cursor = e.session.now;
    history.replaceState(null, '', fragmentOf(s, cursor));
    try {
      localStorage.setItem(STORAGE_KEY, savedCopy(s, cursor));
    } catch {
      // Storage full or disabled: the address bar still holds the scenario.
    }
  };
  e.session.subscribe(() => {
    if (timer) return;
    const scriptChanged = e.session.entries.length !== lastScript;
    const wait = scriptChanged ? 0 : Math.max(0, 500 - (performance.now() - lastWrite));
    timer = setTimeout(write, wait);
  });
  write();
}

/** Re-render when the simulation moves; `read` picks what the view needs. */
export function useSession<T>(read: (s: Session) => T): T {
  const { session } = engine();
  useSyncExternalStore(
    (fn) => session.subscribe(fn),
    () => session.version,
  );
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
