// Compare mode reads each side's port directly (the views it reuses read theirs through
// PortProvider, src/ui/engine.ts).
import { useSyncExternalStore } from 'react';
import type { PlaybackView } from '../../engine/host';
import type { EnginePort } from '../../engine/port';

/** Re-render on the port's changes; its version. */
export function usePortVersion(p: EnginePort): number {
  return useSyncExternalStore(p.subscribe, p.version);
}

/** The port's playback view (playing, seeking, speed). */
export function usePortPlayback(p: EnginePort): PlaybackView {
  return useSyncExternalStore(
    (fn) => {
      const s = p.playback.subscribe(fn);
      return () => s.unsubscribe();
    },
    () => p.playback.getSnapshot(),
  );
}
