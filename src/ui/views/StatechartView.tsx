/** Placeholder until the Statechart view lands. */
export function StatechartView() {
  return <p className="muted">This view is being built.</p>;
}
