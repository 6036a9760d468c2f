import { useData } from '../engine';
import { fmtShort, fmtTime } from '../format';
import { useView } from '../store';
import { PatchActions } from './PatchActions';
import type { StatusView as Status } from '../../engine/select/statusModel';
import './status.css';
import { LinkedText, Term } from '../glossary/Term';

const plural = (n: number, one: string, many = `${one}s`) => `${n.toLocaleString('en-US')} ${n === 1 ? one : many}`;

/** dmesg time with the script-relative time beside it. */
function When({ us, start }: { us: number; start: number }) {
  return (
    <span className="when">
      <span className="mono">[{fmtTime(us)}]</span> <span className="muted">+{fmtShort(us - start)} since the script began</span>
    </span>
  );
}

function Transition({ st }: { st: Status }) {
  const select = useView((v) => v.select);
  const t = st.transition;
  if (!t) return <p className="status-line" data-testid="status-transition">No transition yet.</p>;
  if (!t.running) {
    const how = t.canceled ? 'canceled' : `complete${t.forced ? ' (forced)' : ''}`;
    return (
      <p className="status-line" data-testid="status-transition">
        <strong>{t.direction} {t.patch}</strong> {how} at <When us={t.end ?? st.now} start={st.start} />{!t.canceled && `, after ${plural(t.attempts, 'attempt')}`}
      </p>
    );
  }
  return (
    <div data-testid="status-transition">
      <p className="status-line">
        <strong className="status-live">
          {t.direction}{' '}
          <button type="button" className="linkish mono" onClick={() => select({ kind: 'patch', name: t.patch })} aria-label={`Inspect ${t.patch}, the patch in transition`}>{t.patch}</button>
        </strong>{' '}
        since <When us={t.since} start={st.start} />
        {t.reversedAt !== undefined && <> (reversed at <span className="mono">[{fmtTime(t.reversedAt)}]</span>)</>}
      </p>
      <dl className="status-facts">
        <dt><Term id="attempt">attempts</Term></dt>
        <dd>{t.attempts}</dd>
        <dt>next retry</dt>
        <dd>{t.nextRetry !== undefined ? <>in {fmtShort(t.nextRetry - st.now)} <span className="mono muted">[{fmtTime(t.nextRetry)}]</span></> : <span className="muted">an attempt is running</span>}</dd>
        <dt><Term id="fake-signal">signals</Term></dt>
        <dd>
          {plural(t.signalRounds, 'round')}, {plural(t.signalledTasks, 'task')} signalled
          {t.attemptsToSignals !== undefined && <span className="muted"> · next round in {plural(t.attemptsToSignals, 'attempt')}</span>}
        </dd>
      </dl>
      <PatchActions target={{ patch: t.patch, now: st.now, nextRetry: t.nextRetry, attemptsToSignals: t.attemptsToSignals }} />
    </div>
  );
}

function Pending({ st }: { st: Status }) {
  const select = useView((v) => v.select);
  if (!st.transition?.running) return null;
  const blocked = st.groups.filter((g) => g.blocking).reduce((n, g) => n + g.count, 0);
  return (
    <section aria-labelledby="status-pending-h" data-testid="status-pending">
      <h3 id="status-pending-h">
        <span title="TIF_PATCH_PENDING set: not yet switched to the target state">{plural(st.pending, 'task')} <Term id="pending" /></span>
        {' · '}
        <span title="Pending tasks that the transition's check refuses now, with the reason">{blocked.toLocaleString('en-US')} <Term id="blocked" /></span>
      </h3>
      <ul className="status-groups">
        {st.groups.map((g) => (
          <li key={g.reason} className={g.blocking ? 'is-blocking' : undefined}>
            <span className="group-count mono">{g.count.toLocaleString('en-US')}</span> {g.blocking ? 'blocked: ' : ''}
            <LinkedText text={g.reason} />
            <span className="group-examples">
              {g.examples.map((e) => (
                <button key={e.slot} type="button" className="linkish mono" onClick={() => select({ kind: 'task', slot: e.slot })} aria-label={`Inspect ${e.label}`}>
                  {e.label}
                </button>
              ))}
              {g.count > g.examples.length && <span className="muted">…</span>}
            </span>
          </li>
        ))}
      </ul>
    </section>
  );
}

function Warnings({ st }: { st: Status }) {
  const w = st.warnings;
  const items: [string, number, string][] = [
    ['WARN', w.warn, 'WARNING: CPU: splats'],
    ['BUG', w.bug, 'BUG: lines'],
    ['Oops', w.oops, 'Oops: splats'],
    ['hard LOCKUP', w.lockup, 'NMI watchdog: Watchdog detected hard LOCKUP'],
    ['RCU Tasks', w.rcuTasksInfo, 'rcu_tasks_wait_gp informational lines: an RCU Tasks grace period held open'],
  ];
  return (
    <p className="status-line status-warnings" data-testid="status-warnings">
      <span className="status-label">warnings</span>
      {items.map(([name, n, help]) => (
        <span key={name} className={n ? 'warn-count has' : 'warn-count'} title={help}>
          {n} <LinkedText text={name} />
        </span>
      ))}
    </p>
  );
}

/** What `sim --summary` prints, at the cursor, with the operator's options one click away. */
export function StatusView() {
  const st = useData('status');
  return (
    <div className="status-view">
      <Transition st={st} />
      <Pending st={st} />
      {st.lock && <p className="status-line status-lock"><span className="status-label"><Term id="tasklist-lock" /></span> {st.lock.replace(/^tasklist_lock: /, '')}</p>}
      <Warnings st={st} />
      {st.history.length > 0 && (
        <details className="status-history">
          <summary>{plural(st.history.length, 'earlier transition')}</summary>
          <ul>
            {st.history.map((h, i) => (
              <li key={i}>{h}</li>
            ))}
          </ul>
        </details>
      )}
    </div>
  );
}
