// The kernel-log diff under the two sides: lines only in A, only in B, up to the cursor
// (logDiff.ts; the same diff as `sim A --compare B`). Recomputed when either log changes.

import { useMemo } from 'react';
import { fmtTime } from '../format';
import type { CompareSession } from './compareStore';
import { logDiffView } from './logDiff';
import { usePortVersion } from './usePort';

export function CompareLog({ session }: { session: CompareSession }) {
  const { portA, portB } = session;
  usePortVersion(portA);
  usePortVersion(portB);
  const ready = portA.ready() && portB.ready();
  const a = ready ? portA.log() : undefined;
  const b = ready ? portB.log() : undefined;
  // The arrays grow in place while the logs grow: the diff is of their lengths now.
  const na = a?.length ?? 0;
  const nb = b?.length ?? 0;
  const view = useMemo(() => (a && b ? logDiffView(a, b, na, nb) : undefined), [a, b, na, nb]);
  return (
    <section className="cmp-log" aria-labelledby="cmp-log-title">
      <h2 id="cmp-log-title">Kernel log diff</h2>
      {!view ? (
        <p className="muted">Building the machines…</p>
      ) : (
        <>
          <p className="cmp-log-summary" data-testid="log-diff-summary">{view.summary}</p>
          {view.rows.length > 0 && (
            <ol className="cmp-log-rows" aria-label="Lines only in A or only in B" tabIndex={0}>
              {view.rows.map((r) => (
                <li key={`${r.side}${r.line}`} className={`cmp-only-${r.side.toLowerCase()}`} data-side={r.side}>
                  <span className="cmp-log-where">only in {r.side} · line {r.line} · [{fmtTime(r.time)}]</span> <code>{r.text}</code>
                </li>
              ))}
            </ol>
          )}
          {view.more > 0 && <p className="muted">…and {view.more.toLocaleString('en-US')} more differing lines not drawn.</p>}
        </>
      )}
    </section>
  );
}
