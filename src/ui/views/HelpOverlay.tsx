import { useEffect, useRef, type KeyboardEvent } from 'react';
import { shortcutActions } from '../shortcuts';
import { useView } from '../store';
import { FOCUSABLE, modalKeyDown } from './modalKeys';
import './help.css';

/** The `?` overlay: every registered shortcut, as a modal dialog that keeps focus inside. */
export function HelpOverlay() {
  const open = useView((v) => v.helpOpen);
  const setHelp = useView((v) => v.setHelp);
  const dialog = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (!open) return;
    const before = document.activeElement as HTMLElement | null;
    dialog.current?.querySelector<HTMLElement>(FOCUSABLE)?.focus();
    return () => before?.focus();
  }, [open]);
  if (!open) return null;

  const onKey = (e: KeyboardEvent<HTMLDivElement>) => modalKeyDown(e, dialog.current, () => setHelp(false));

  return (
    <div className="help-backdrop" onClick={() => setHelp(false)}>
      <div
        className="help-dialog"
        role="dialog"
        aria-modal="true"
        aria-labelledby="help-title"
        aria-describedby="help-note"
        ref={dialog}
        onKeyDown={onKey}
        onClick={(e) => e.stopPropagation()}
      >
        <header>
          <h2 id="help-title">Keyboard shortcuts</h2>
          <button type="button" onClick={() => setHelp(false)} aria-label="Close keyboard shortcuts" title="Close (Esc)">✕</button>
        </header>
        <table className="help-keys">
          <tbody>
            {shortcutActions().map((a) => (
              <tr key={a.name}>
                <td>{a.keys.map((k) => <kbd key={k}>{k}</kbd>)}</td>
                <td>{a.label}</td>
              </tr>
            ))}
          </tbody>
        </table>
        <p id="help-note" className="muted">Keys do nothing while you type in a field; Tab moves between controls and Space activates the focused one.</p>
      </div>
    </div>
  );
}
