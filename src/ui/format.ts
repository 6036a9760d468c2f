// Small formatting helpers shared by the views.

/** Virtual time (µs since boot) as dmesg shows it: seconds with 6 decimals. */
export function fmtTime(us: number): string {
  return (us / 1e6).toFixed(6);
}

/** A short time for axes and labels: 12.5s, 340ms. */
export function fmtShort(us: number): string {
  const s = us / 1e6;
  if (Math.abs(s) >= 1) return `${+s.toFixed(s >= 100 ? 0 : 2)}s`;
  return `${+(us / 1000).toFixed(1)}ms`;
}
