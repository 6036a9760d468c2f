/** Placeholder until the FuncStacks view lands. */
export function FuncStacksView() {
  return <p className="muted">This view is being built.</p>;
}
