import { useEffect, useMemo, useRef, useState } from 'react';
import { formatDmesg, LEVEL_NAMES, type LogRecord } from '../../kernel/printk';
import { sendPlayback, useKernelLog } from '../engine';
import { useView } from '../store';

const ROW = 18;
const OVERSCAN = 20;

/** dmesg as a virtualised list: filter by level and text, follow mode, click a line to seek. */
export function KernelLogView() {
  const records = useKernelLog();
  const count = records.length;
  const { logLevel, logText, logFollow, setLogFilter } = useView();
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
  const [scroll, setScroll] = useState({ top: 0, height: 400 });
  useEffect(() => {
    const el = box.current;
    if (el && logFollow) el.scrollTop = el.scrollHeight;
  }, [shown.length, logFollow]);
  useEffect(() => {
    const el = box.current;
    if (!el) return;
    const ro = new ResizeObserver(() => setScroll({ top: el.scrollTop, height: el.clientHeight }));
    ro.observe(el);
    return () => ro.disconnect();
  }, []);
  const first = Math.max(0, Math.floor(scroll.top / ROW) - OVERSCAN);
  const last = Math.min(shown.length, Math.ceil((scroll.top + scroll.height) / ROW) + OVERSCAN);
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
          setScroll({ top: el.scrollTop, height: el.clientHeight });
          const atEnd = el.scrollTop + el.clientHeight >= el.scrollHeight - ROW;
          if (atEnd !== logFollow) setLogFilter({ logFollow: atEnd });
        }}
      >
        <div style={{ height: shown.length * ROW, position: 'relative' }}>
          {shown.slice(first, last).map((r, i) => (
            <div
              key={r.seq}
              className={`log-line lvl-${LEVEL_NAMES[r.level]}`}
              style={{ top: (first + i) * ROW }}
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
