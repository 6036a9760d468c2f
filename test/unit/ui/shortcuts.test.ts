import { describe, expect, it } from 'vitest';
import type { PlaybackEvent } from '../../../src/engine/playback';
import { findShortcut, keyBelongsToTarget, shortcutActions, type ShortcutContext } from '../../../src/ui/shortcuts';
import type { Theme } from '../../../src/ui/store';

function context() {
  const sent: PlaybackEvent[] = [];
  const state = { theme: 'dark' as Theme, helpOpen: false, focused: false, expanded: null as string | null };
  const ctx: ShortcutContext = {
    send: (e) => sent.push(e),
    view: {
      get theme() { return state.theme; },
      get helpOpen() { return state.helpOpen; },
      setTheme: (t) => { state.theme = t; },
      setHelp: (open) => { state.helpOpen = open; },
      get expandedPanel() { return state.expanded; },
      setExpandedPanel: (id) => { state.expanded = id; },
    },
    focusConsole: () => { state.focused = true; },
  };
  return { sent, state, ctx };
}

function press(key: string, ctx: ShortcutContext, mods: { ctrlKey?: boolean } = {}): boolean {
  const a = findShortcut({ key, ...mods });
  a?.perform(ctx);
  return a !== undefined;
}

describe('the shortcut registry', () => {
  it('Escape closes the help overlay first, then restores an expanded view', () => {
    const { state, ctx } = context();
    state.expanded = 'statechart';
    state.helpOpen = true;
    press('Escape', ctx);
    expect(state).toMatchObject({ helpOpen: false, expanded: 'statechart' });
    press('Escape', ctx);
    expect(state.expanded).toBeNull();
  });

  it('maps the documented keys to playback events', () => {
    const { sent, ctx } = context();
    for (const k of [' ', 'ArrowLeft', 'ArrowRight', '+', '-', 'n']) press(k, ctx);
    expect(sent.map((e) => e.type)).toEqual(['TOGGLE', 'STEP_BACK', 'STEP_FORWARD', 'FASTER', 'SLOWER', 'NEXT_INTERESTING']);
  });
  it('toggles the theme and the help overlay, closes it on Escape, focuses the console on /', () => {
    const { state, ctx } = context();
    press('t', ctx);
    expect(state.theme).toBe('light');
    press('?', ctx);
    expect(state.helpOpen).toBe(true);
    press('Escape', ctx);
    expect(state.helpOpen).toBe(false);
    press('/', ctx);
    expect(state.focused).toBe(true);
  });
  it('ignores keys held with Ctrl (browser shortcuts stay the browser’s)', () => {
    const { sent, ctx } = context();
    expect(press('n', ctx, { ctrlKey: true })).toBe(false);
    expect(sent).toEqual([]);
  });
  it('gives every action a label and keys for the overlay, with unique names', () => {
    const names = shortcutActions().map((a) => a.name);
    expect(new Set(names).size).toBe(names.length);
    for (const a of shortcutActions()) {
      expect(a.label.length).toBeGreaterThan(0);
      expect(a.keys.length).toBeGreaterThan(0);
    }
  });
});

describe('keyBelongsToTarget: no shortcut fires while typing', () => {
  const el = (tagName: string, role: string | null = null, isContentEditable = false) => ({ tagName, isContentEditable, getAttribute: () => role });
  it('keeps every key in text fields, selects and editable content', () => {
    expect(keyBelongsToTarget(el('INPUT'), 'n')).toBe(true);
    expect(keyBelongsToTarget(el('TEXTAREA'), ' ')).toBe(true);
    expect(keyBelongsToTarget(el('SELECT'), 'ArrowLeft')).toBe(true);
    expect(keyBelongsToTarget(el('DIV', null, true), 't')).toBe(true);
  });
  it('leaves Space and Enter to a focused button, other keys to the registry', () => {
    expect(keyBelongsToTarget(el('BUTTON'), ' ')).toBe(true);
    expect(keyBelongsToTarget(el('DIV', 'button'), 'Enter')).toBe(true);
    expect(keyBelongsToTarget(el('BUTTON'), 'n')).toBe(false);
    expect(keyBelongsToTarget(el('DIV'), ' ')).toBe(false);
    expect(keyBelongsToTarget(null, ' ')).toBe(false);
  });
});
