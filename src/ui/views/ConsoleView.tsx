/** Placeholder until the Console view lands. */
export function ConsoleView() {
  return <p className="muted">This view is being built.</p>;
}
