// Small formatting helpers shared by the views.

/** Virtual time (µs since boot) as dmesg shows it: seconds with 6 decimals. */
export function fmtTime(us: number): string {
  return (us / 1e6).toFixed(6);
}

/** Seconds since boot for axes: 12s, 4.2s (dmesg time, short). */
export function fmtBoot(us: number): string {
  return `${+(us / 1e6).toFixed(us % 1e6 === 0 ? 0 : 3)}s`;
}

/**
 * The one time base: dmesg time (seconds since boot) first, the time since the script began
 * second: "[7.018370] +2.8s since the script began".
 */
export function fmtWhen(us: number, start: number): string {
  return `[${fmtTime(us)}] +${fmtShort(us - start)} since the script began`;
}

/** A short time for axes and labels: 12.5s, 340ms. */
export function fmtShort(us: number): string {
  const s = us / 1e6;
  if (Math.abs(s) >= 1) return `${+s.toFixed(s >= 100 ? 0 : 2)}s`;
  return `${+(us / 1000).toFixed(1)}ms`;
}
