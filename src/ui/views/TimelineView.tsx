/** Placeholder until the Timeline view lands. */
export function TimelineView() {
  return <p className="muted">This view is being built.</p>;
}
