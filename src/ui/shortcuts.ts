// One registry of keyboard actions (Excalidraw's register({ name, label, keyTest, perform })):
// the key handler runs them and the `?` overlay lists them, so the two never disagree.

import type { WirePlaybackEvent } from '../engine/host';
import type { ViewState } from './store';

/** The console's input: `/` focuses it. */
export const CONSOLE_INPUT_ID = 'console-input';

interface KeyLike {
  key: string;
  ctrlKey?: boolean;
  metaKey?: boolean;
  altKey?: boolean;
}

/** What an action may touch: playback events, view state, and the page's focus. */
export interface ShortcutContext {
  send(event: WirePlaybackEvent): void;
  view: Pick<ViewState, 'theme' | 'setTheme' | 'helpOpen' | 'setHelp' | 'expandedPanel' | 'setExpandedPanel'>;
  focusConsole(): void;
}

interface ShortcutAction {
  name: string;
  label: string;
  /** The keys as the overlay shows them. */
  keys: string[];
  keyTest(e: KeyLike): boolean;
  perform(ctx: ShortcutContext): void;
}

const actions: ShortcutAction[] = [];

function register(action: ShortcutAction): ShortcutAction {
  actions.push(action);
  return action;
}

export function shortcutActions(): readonly ShortcutAction[] {
  return actions;
}

const plain = (e: KeyLike) => !e.ctrlKey && !e.metaKey && !e.altKey;
const is = (...keys: string[]) => (e: KeyLike) => plain(e) && keys.includes(e.key);

register({ name: 'togglePlay', label: 'Play / pause', keys: ['Space'], keyTest: is(' '), perform: (c) => c.send({ type: 'TOGGLE' }) });
register({ name: 'stepBack', label: 'Step back', keys: ['←'], keyTest: is('ArrowLeft'), perform: (c) => c.send({ type: 'STEP_BACK' }) });
register({ name: 'stepForward', label: 'Step forward (next event)', keys: ['→'], keyTest: is('ArrowRight'), perform: (c) => c.send({ type: 'STEP_FORWARD' }) });
register({ name: 'faster', label: 'Faster', keys: ['+'], keyTest: is('+', '='), perform: (c) => c.send({ type: 'FASTER' }) });
register({ name: 'slower', label: 'Slower', keys: ['-'], keyTest: is('-', '_'), perform: (c) => c.send({ type: 'SLOWER' }) });
register({ name: 'nextInteresting', label: 'Next interesting event (warning, completion)', keys: ['n'], keyTest: is('n'), perform: (c) => c.send({ type: 'NEXT_INTERESTING' }) });
register({ name: 'focusConsole', label: 'Focus the console', keys: ['/'], keyTest: is('/'), perform: (c) => c.focusConsole() });
register({ name: 'toggleTheme', label: 'Dark / light theme', keys: ['t'], keyTest: is('t'), perform: (c) => c.view.setTheme(c.view.theme === 'dark' ? 'light' : 'dark') });
register({ name: 'help', label: 'Keyboard shortcuts (this overlay)', keys: ['?'], keyTest: is('?'), perform: (c) => c.view.setHelp(!c.view.helpOpen) });
register({
  name: 'closeHelp',
  label: 'Close the overlay, or restore an expanded view',
  keys: ['Esc'],
  keyTest: is('Escape'),
  perform: (c) => (c.view.helpOpen ? c.view.setHelp(false) : c.view.setExpandedPanel(null)),
});

export function findShortcut(e: KeyLike): ShortcutAction | undefined {
  return actions.find((a) => a.keyTest(e));
}

interface TargetLike {
  tagName?: string;
  isContentEditable?: boolean;
  getAttribute?(name: string): string | null;
}

/**
 * Keys belong to the element when the user types in a field or a control takes them itself:
 * a focused button or link is activated by Space (doing it twice would undo it).
 */
export function keyBelongsToTarget(target: TargetLike | null, key: string): boolean {
  if (!target || !target.tagName) return false;
  const tag = target.tagName.toUpperCase();
  if (tag === 'INPUT' || tag === 'TEXTAREA' || tag === 'SELECT' || target.isContentEditable) return true;
  const role = target.getAttribute?.('role');
  const activates = tag === 'BUTTON' || tag === 'A' || tag === 'SUMMARY' || role === 'button';
  return activates && (key === ' ' || key === 'Enter');
}
