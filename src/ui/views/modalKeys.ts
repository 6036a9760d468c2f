// The keyboard contract of the page's modal dialogs (the `?` overlay, the scenario editor).
import type { KeyboardEvent } from 'react';

/** Elements Tab can reach inside a dialog (disabled controls are skipped). */
export const FOCUSABLE = 'button:not([disabled]), [href], input:not([disabled]), select:not([disabled]), textarea:not([disabled]), [tabindex]:not([tabindex="-1"])';

/** Esc closes the dialog; Tab and Shift+Tab wrap around inside it, so focus never leaves. */
export function modalKeyDown(e: KeyboardEvent<HTMLElement>, dialog: HTMLElement | null, close: () => void): void {
  if (e.key === 'Escape') {
    e.preventDefault();
    close();
    return;
  }
  if (e.key !== 'Tab' || !dialog) return;
  const all = [...dialog.querySelectorAll<HTMLElement>(FOCUSABLE)];
  const first = all[0];
  const last = all[all.length - 1];
  if (e.shiftKey && document.activeElement === first) {
    e.preventDefault();
    last.focus();
  } else if (!e.shiftKey && document.activeElement === last) {
    e.preventDefault();
    first.focus();
  }
}
