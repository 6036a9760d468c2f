// Compare mode's state: whether it is open, its two scenarios, their two ports and the linked
// cursor, and the chooser for scenario B. Opening it leaves the page's own engine as it was
// (paused, at its cursor): leaving Compare returns to it. While open, Compare owns the address
// bar: the fragment holds A, B (`&b=`) and the linked cursor (src/scenario/url.ts).

import { create } from 'zustand';
import type { EnginePort } from '../../engine/port';
import type { Scenario } from '../../scenario/document';
import { catchUpPage, cursorNow, engine, holdAddress, portFor, scenarioNow } from '../engine';
import { fragmentOf } from '../scenarioStore';
import { LinkedCursor } from './linkedCursor';
import { onSeedOf } from './pairing';

export interface CompareSession {
  a: Scenario;
  b: Scenario;
  portA: EnginePort;
  portB: EnginePort;
  link: LinkedCursor;
  /** Stops this session's address writer. */
  stopWriting(): void;
  /** Gives the address bar back to the page. */
  giveBack(): void;
}

interface CompareState {
  session: CompareSession | null;
  /** The "Compare with…" dialog is open. */
  choosing: boolean;
  setChoosing(open: boolean): void;
}

export const useCompare = create<CompareState>((set) => ({
  session: null,
  choosing: false,
  setChoosing: (choosing) => set({ choosing }),
}));

/** The address bar while Compare is open: rewritten when the cursor comes to rest, a few times a second at most. */
function keepCompareAddress(a: Scenario, b: Scenario, portA: EnginePort): () => void {
  let timer: ReturnType<typeof setTimeout> | undefined;
  let last = 0;
  const write = () => {
    timer = undefined;
    if (!portA.ready()) return;
    last = performance.now();
    history.replaceState(null, '', fragmentOf(a, portA.piece('cursor').now, undefined, b));
  };
  const unsubscribe = portA.subscribe(() => {
    if (!timer) timer = setTimeout(write, Math.max(0, 500 - (performance.now() - last)));
  });
  write();
  return () => {
    unsubscribe();
    if (timer) clearTimeout(timer);
  };
}

/**
 * Open Compare with the page's scenario as A (typed commands included) and `b` (on A's seed),
 * both at `cursorUs` (default: the page's cursor). Returns an error message, changing
 * nothing, when either cannot start.
 */
export function openCompare(b: Scenario, cursorUs?: number): string | undefined {
  const a = scenarioNow();
  const bOnSeed = onSeedOf(a, b);
  const at = cursorUs ?? cursorNow();
  let portA: EnginePort | undefined;
  let portB: EnginePort;
  try {
    portA = portFor(a, at);
    portB = portFor(bOnSeed, at);
  } catch (e) {
    portA?.close();
    return `Compare could not start: ${(e as Error).message}`;
  }
  closeCompare({ keepAddress: true });
  // The page's host stays where it is (a link's cursor still being reached goes on: PAUSE would cancel it).
  const page = engine().port.playback;
  if (page.getSnapshot().playing) page.send({ type: 'PAUSE' });
  const giveBack = holdAddress();
  const stopWriting = keepCompareAddress(a, bOnSeed, portA);
  const link = new LinkedCursor(portA, portB);
  const session: CompareSession = { a, b: bOnSeed, portA, portB, link, stopWriting, giveBack };
  useCompare.setState({ session, choosing: false });
  return undefined;
}

/** Leave Compare: both hosts stop; the page shows scenario A as it was, and its link again. */
export function closeCompare({ keepAddress = false } = {}): void {
  const s = useCompare.getState().session;
  if (!s) return;
  s.link.close();
  s.portA.close();
  s.portB.close();
  s.stopWriting();
  // Reopening with another B: the new session writes the address; the page's writer stays held.
  if (!keepAddress) {
    catchUpPage();
    s.giveBack();
  }
  useCompare.setState({ session: null });
}

let fromLink = false;

/** A Compare link (`&b=` in the fragment): open Compare at the link's cursor, once. */
export function openCompareFromLink(): string | undefined {
  const c = engine().compare;
  if (fromLink || !c) return undefined;
  fromLink = true;
  const error = openCompare(c.scenario, c.cursorUs);
  // The page held its address for Compare (src/ui/engine.ts): it has it back, at the link's cursor.
  if (error) {
    catchUpPage();
    holdAddress()();
  }
  return error;
}
