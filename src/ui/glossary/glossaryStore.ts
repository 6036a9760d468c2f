// Whether the glossary dialog is open, and at which entry (view state, like the `?` overlay).
import { create } from 'zustand';

interface GlossaryState {
  /** The entry shown first and highlighted, '' for the whole list, null when closed. */
  open: string | null;
  show(id: string): void;
  close(): void;
}

export const useGlossary = create<GlossaryState>((set) => ({
  open: null,
  show: (id) => set({ open: id }),
  close: () => set({ open: null }),
}));
