/** Placeholder until the Sysfs view lands. */
export function SysfsView() {
  return <p className="muted">This view is being built.</p>;
}
