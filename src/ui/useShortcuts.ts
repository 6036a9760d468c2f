// The page's key handler: runs the registry's actions unless the key belongs to what has focus.
// While the help dialog is open it owns the keyboard (its own handler closes it on Esc). The
// page sends playback keys to its engine; Compare mode sends them to its linked cursor.

import { useEffect } from 'react';
import type { WirePlaybackEvent } from '../engine/host';
import { sendPlayback } from './engine';
import { CONSOLE_INPUT_ID, findShortcut, keyBelongsToTarget } from './shortcuts';
import { useView } from './store';

export function useShortcuts(send: (e: WirePlaybackEvent) => void = sendPlayback): void {
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      const view = useView.getState();
      if (view.helpOpen || e.defaultPrevented) return;
      if (keyBelongsToTarget(e.target as HTMLElement | null, e.key)) return;
      const action = findShortcut(e);
      if (!action) return;
      e.preventDefault();
      action.perform({
        send,
        view,
        focusConsole: () => document.getElementById(CONSOLE_INPUT_ID)?.focus(),
      });
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [send]);
}
