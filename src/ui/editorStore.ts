// The Scenario editor's state: whether its dialog is open and the draft, which outlives the
// dialog (and the views' remounts) until it is applied or reset.

import { create } from 'zustand';
import type { Draft } from './scenarioEditorModel';

interface EditorState {
  open: boolean;
  /** null: no draft yet; opening the editor starts one from the page's scenario. */
  draft: Draft | null;
  setOpen(open: boolean): void;
  setDraft(draft: Draft | null): void;
}

export const useEditor = create<EditorState>()((set) => ({
  open: false,
  draft: null,
  setOpen: (open) => set({ open }),
  setDraft: (draft) => set({ draft }),
}));
