import { useState } from 'react';
import { sendPlayback, useData } from '../../engine';
import { fmtTime } from '../../format';
import type { ConsistencyData, UniverseRow, ViolationRow } from '../../../engine/select/consistencyModel';
import './consistency.css';
import { Term } from '../../glossary/Term';

const KIND_LABEL: Record<string, string> = {
  'never-shipped': 'never shipped',
  'mass-switch': 'mass switch',
  'dependency': 'dependency',
  'forced': 'forced',
};

/**
 * The consistency analysis at the cursor: the universes the tasks ran (function -> patch),
 * shipped or never shipped, the tasks in each now; the violations; who owns each function
 * beside what stack_order and `kpatch list` would say.
 */
export function ConsistencyView() {
  const data = useData('consistency');
  if (!data) return <p className="cs-empty">No consistency analysis for this run.</p>;
  return (
    // Focusable, so the panel scrolls from the keyboard even when it holds no button.
    <div className="cs-view" tabIndex={0} role="group" aria-label="Consistency analysis">
      <PolicyLine policy={data.policy} />
      <UniverseMatrix data={data} />
      <Violations rows={data.violations} />
      <Owners data={data} />
    </div>
  );
}

function PolicyLine({ policy }: { policy: ConsistencyData['policy'] }) {
  const [open, setOpen] = useState(false);
  return (
    <div className="cs-policy">
      <span>
        <Term id="policy" /> <code>{policy.name}</code> {policy.proposal && <ProposalBadge />}
      </span>
      {policy.proposal && (
        <button type="button" aria-expanded={open} onClick={() => setOpen(!open)}>
          What this policy changes
        </button>
      )}
      {open && (
        <div className="cs-changes" role="region" aria-label="What this policy changes">
          <ul>
            {policy.changes.map((c, i) => (
              <li key={i}>
                <code>{c.where}</code>: {c.what}
              </li>
            ))}
          </ul>
          <p className="cs-sources">Sources: {policy.sources.join('; ')}</p>
        </div>
      )}
    </div>
  );
}

export function ProposalBadge() {
  return (
    <span className="cs-badge" title="A proposal posted to the live-patching list, not in any released kernel">
      proposal, not merged
    </span>
  );
}

function universeTitle(u: UniverseRow): string {
  return `U${u.id}: ${u.shipped ? 'shipped' : 'never shipped together'}. First task: ${u.first.pid}${u.first.comm ? ` (${u.first.comm})` : ''} at ${fmtTime(u.first.time)}${u.command ? `, from '${u.command}'` : ''}. ${u.now} tasks in it now, ${u.tasks} seen in it.`;
}

/** The universes the tasks ran (never-shipped rows outlined); Compare mode draws one per side. */
export function UniverseMatrix({ data }: { data: ConsistencyData }) {
  if (!data.functions.length) return <p className="cs-empty">No function has been patched yet: every task runs the original code.</p>;
  return (
    <table className="cs-matrix" aria-label="Universes">
      <thead>
        <tr>
          <th scope="col"><Term id="universe" /></th>
          {data.functions.map((f) => (
            <th scope="col" key={f}>
              <code>{f}</code>
            </th>
          ))}
          <th scope="col" title="Tasks running this universe at the cursor">now</th>
        </tr>
      </thead>
      <tbody>
        {data.universes.map((u) => (
          <tr key={u.id} className={u.shipped ? 'cs-shipped' : 'cs-never'} title={universeTitle(u)} data-universe={u.id}>
            <th scope="row">
              U{u.id} <span className="cs-tag">{u.shipped ? 'shipped' : 'never shipped'}</span>
            </th>
            {u.impl.map((p, i) => (
              <td key={i} className={p === 'original' ? 'cs-orig' : 'cs-patch'}>
                {p}
              </td>
            ))}
            <td className="cs-now">{u.now ? u.now.toLocaleString('en-US') : ''}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function Violations({ rows }: { rows: ViolationRow[] }) {
  if (!rows.length) return <p className="cs-ok">No violation: every universe a task ran was shipped, nothing switched under the tasks.</p>;
  return (
    <ul className="cs-violations" aria-label="Violations">
      {rows.map((v, i) => (
        <li key={i} className={`cs-v cs-v-${v.kind}`}>
          <button type="button" className="cs-v-time" title="Move the cursor to this moment" onClick={() => sendPlayback({ type: 'SEEK', time: v.time })}>
            {fmtTime(v.time)}
          </button>{' '}
          <span className="cs-kind">{KIND_LABEL[v.kind] ?? v.kind}</span> {v.functions.join(', ')}
          {v.patches.length ? ` (${v.patches.join(', ')})` : ''}, {v.tasks.toLocaleString('en-US')} task{v.tasks === 1 ? '' : 's'}
          {v.command ? <> from <code>{v.command}</code></> : null}
          <div className="cs-detail">{v.detail}</div>
        </li>
      ))}
    </ul>
  );
}

function Owners({ data }: { data: ConsistencyData }) {
  return (
    <div className="cs-owners">
      <table aria-label="Owner of each function">
        <thead>
          <tr>
            <th scope="col">function</th>
            <th scope="col" title="What the tasks run now (klp_ftrace_handler)">runs now</th>
            <th scope="col" title="The highest stack_order among the patches that patch it: what an operator would infer">by <Term id="stack-order" /></th>
          </tr>
        </thead>
        <tbody>
          {data.owners.map((o) => (
            <tr key={o.function} className={o.differs ? 'cs-differs' : ''}>
              <td>
                <code>{o.function}</code>
              </td>
              <td>{o.truth}</td>
              <td>
                {o.differs && <span role="img" aria-label="differs">≠ </span>}
                {o.byStackOrder}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <div className="cs-side">
        <div role="group" aria-label="stack_order">
          {data.stackOrder.map((p) => (
            <div key={p.patch}>
              <code>
                cat /sys/kernel/livepatch/{p.patch}/stack_order: {p.order}
              </code>
              {p.transition ? ' (in transition)' : ''}
            </div>
          ))}
        </div>
        <pre aria-label="kpatch list">{`# kpatch list\n${data.kpatchList.join('\n')}`}</pre>
      </div>
    </div>
  );
}

const CLASS_STATE = ['-1', '0', '1'];

/**
 * Beside the Tasks legend: which tasks run a universe that was never shipped right now. Every
 * task of one patch_state runs the same universe, so the note names them by patch_state.
 */
export function NeverShippedNote() {
  const data = useData('consistency');
  if (!data) return null;
  const notes = data.classUniverse
    .map((id, c) => ({ c, u: data.universes.find((u) => u.id === id) }))
    .filter((x): x is { c: number; u: UniverseRow } => x.u !== undefined && !x.u.shipped);
  if (!notes.length) return null;
  return (
    <span className="cs-tasks-note" role="status">
      {notes.map(({ c, u }) => (
        <span key={c} title={universeTitle(u)}>
          ⚠ {u.now.toLocaleString('en-US')} tasks with patch_state {CLASS_STATE[c]} run U{u.id}, never shipped: {data.functions.map((f, i) => `${f}=${u.impl[i]}`).join(', ')}
        </span>
      ))}
    </span>
  );
}
