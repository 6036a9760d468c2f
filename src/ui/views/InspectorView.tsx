/** Placeholder until the Inspector view lands. */
export function InspectorView() {
  return <p className="muted">This view is being built.</p>;
}
