/** Placeholder until the Tasks view lands. */
export function TasksView() {
  return <p className="muted">This view is being built.</p>;
}
