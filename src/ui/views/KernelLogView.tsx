import { useEffect, useMemo, useRef, useState } from 'react';
import { formatDmesg, LEVEL_NAMES, type LogRecord } from '../../kernel/printk';
import { sendPlayback, useKernelLog } from '../engine';
import { useView } from '../store';

const ROW = 18;
const OVERSCAN = 20;
/** Horizontal padding of a line (px), left and right together. */
const LINE_PAD = 8;

/**
 * Where each shown line starts (px) when long lines wrap at `perRow` characters (a monospace
 * font: one row per `perRow` characters), and the total height; without wrapping every line
 * is one row.
 */
function lineOffsets(lengths: readonly number[], perRow: number, wrap: boolean): Float64Array {
  const tops = new Float64Array(lengths.length + 1);
  for (let i = 0; i < lengths.length; i++) tops[i + 1] = tops[i] + ROW * (wrap ? Math.max(1, Math.ceil(lengths[i] / Math.max(1, perRow))) : 1);
  return tops;
}

/** The first line whose bottom is below `y` (binary search over `tops`). */
function lineAt(tops: Float64Array, y: number): number {
  let lo = 0;
  let hi = tops.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (tops[mid + 1] <= y) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Width of one character of the log's monospace font (px), measured once. */
let charPx = 0;
function charWidth(el: HTMLElement): number {
  if (charPx) return charPx;
  const probe = document.createElement('span');
  probe.textContent = '0'.repeat(100);
  probe.style.cssText = 'position:absolute;visibility:hidden;white-space:pre';
  el.appendChild(probe);
  charPx = probe.getBoundingClientRect().width / 100 || 7.2;
  probe.remove();
  return charPx;
}

/** dmesg as a virtualised list: filter by level and text, follow mode, click a line to seek. */
export function KernelLogView() {
  const records = useKernelLog();
  const count = records.length;
  const { logLevel, logText, logFollow, logWrap, setLogFilter } = useView();
  const shown = useMemo(() => {
    const needle = logText.toLowerCase();
    const out: LogRecord[] = [];
    for (let i = 0; i < count; i++) {
      const r = records[i];
      if (r.level <= logLevel && (!needle || r.text.toLowerCase().includes(needle))) out.push(r);
    }
    return out;
    // records is the same array growing: its length is the change
  }, [records, count, logLevel, logText]);
  const box = useRef<HTMLDivElement>(null);
  const [scroll, setScroll] = useState({ top: 0, height: 400, perRow: 80 });
  // "[%12.6f] " before the text: 15 characters until 11.5 days of uptime, so only the visible lines are formatted.
  const tops = useMemo(() => lineOffsets(shown.map((r) => r.text.length + 15), scroll.perRow, logWrap), [shown, scroll.perRow, logWrap]);
  useEffect(() => {
    const el = box.current;
    if (el && logFollow) el.scrollTop = el.scrollHeight;
  }, [shown.length, logFollow, tops]);
  useEffect(() => {
    const el = box.current;
    if (!el) return;
    const ro = new ResizeObserver(() => setScroll({ top: el.scrollTop, height: el.clientHeight, perRow: Math.max(10, Math.floor((el.clientWidth - LINE_PAD) / charWidth(el))) }));
    ro.observe(el);
    return () => ro.disconnect();
  }, []);
  const first = Math.max(0, lineAt(tops, scroll.top) - OVERSCAN);
  const last = Math.min(shown.length, lineAt(tops, scroll.top + scroll.height) + 1 + OVERSCAN);
  const send = sendPlayback;
  return (
    <div className="log-view">
      <div className="log-filters">
        <label>
          Level
          <select aria-label="Log level" value={logLevel} onChange={(e) => setLogFilter({ logLevel: Number(e.target.value) })}>
            {LEVEL_NAMES.map((n, i) => (
              <option key={n} value={i}>{i === 7 ? 'all (debug)' : `${n} and above`}</option>
            ))}
          </select>
        </label>
        <input type="search" aria-label="Filter log text" placeholder="filter text" value={logText} onChange={(e) => setLogFilter({ logText: e.target.value })} />
        <label title="Keep the newest line in view">
          <input type="checkbox" checked={logFollow} onChange={(e) => setLogFilter({ logFollow: e.target.checked })} /> follow
        </label>
        <label title="Wrap long lines so that no reason text is cut off">
          <input type="checkbox" checked={logWrap} onChange={(e) => setLogFilter({ logWrap: e.target.checked })} /> wrap
        </label>
        <span className="muted">{shown.length === count ? `${count} lines` : `${shown.length} of ${count} lines`}</span>
      </div>
      <div
        className="dmesg"
        ref={box}
        data-testid="dmesg"
        tabIndex={0}
        role="log" aria-live="off" aria-label="dmesg lines"
        onScroll={(e) => {
          const el = e.currentTarget;
          setScroll((p) => ({ ...p, top: el.scrollTop, height: el.clientHeight }));
          const atEnd = el.scrollTop + el.clientHeight >= el.scrollHeight - ROW;
          if (atEnd !== logFollow) setLogFilter({ logFollow: atEnd });
        }}
      >
        <div style={{ height: tops[shown.length], position: 'relative' }} className={logWrap ? 'dmesg-wrap' : undefined}>
          {shown.slice(first, last).map((r, i) => (
            <div
              key={r.seq}
              className={`log-line lvl-${LEVEL_NAMES[r.level]}`}
              style={{ top: tops[first + i], height: tops[first + i + 1] - tops[first + i] }}
              title={`${LEVEL_NAMES[r.level]}: click to move the cursor to this line's time`}
              onClick={() => send({ type: 'SEEK', time: r.time })}
            >
              {formatDmesg(r)}
            </div>
          ))}
        </div>
      </div>
    </div>
  );
}

/** The log's colours: one per group of printk levels. */
export function LogLegend() {
  return (
    <>
      <span className="lvl-err" title="KERN_EMERG to KERN_ERR: Oops, BUG, failed operations">■ emerg–err</span>
      <span className="lvl-warn" title="KERN_WARNING: WARN splats, the lockup detector">■ warn</span>
      <span className="lvl-info" title="KERN_NOTICE and KERN_INFO: livepatch's pr_notice/pr_info, module output, shell commands">■ notice/info</span>
      <span className="lvl-debug" title="KERN_DEBUG: pr_debug lines, shown when dynamic debug enables them">■ debug</span>
    </>
  );
}
