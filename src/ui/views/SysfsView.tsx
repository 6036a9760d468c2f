import { useData, useQuery } from '../engine';
import { useView } from '../store';
import type { SysfsNode } from '../../engine/select/sysfsModel';
import './sysfs.css';
import { LinkedText, Term } from '../glossary/Term';

/** /sys/kernel/livepatch and /proc/<pid>/patch_state as a user reads them, beside the truth. */
export function SysfsView() {
  const tree = useData('sysfs');
  return (
    <div className="sy-view">
      <SysfsLegend />
      <ul className="sy-tree" aria-label="/sys/kernel/livepatch">
        <TreeNode node={tree} full />
      </ul>
      <PatchState />
    </div>
  );
}

function SysfsLegend() {
  return (
    <div className="sy-legend" aria-label="sysfs legend">
      <span title="The file's mode as ls -l prints it">mode</span>
      <span title="What cat prints"><span className="sy-value">value</span></span>
      <span title="What cat fails with"><span className="sy-error">error</span></span>
      <span title="The internal state behind the file, where the file alone would mislead">
        <span className="sy-differs-mark">≠</span> <span className="sy-truth sy-differs">true state differs</span>
      </span>
      <span title="The internal state behind the file, consistent with what it shows"><span className="sy-truth">internal state</span></span>
    </div>
  );
}

function TreeNode({ node, full }: { node: SysfsNode; full?: boolean }) {
  const row = (
    <span className="sy-row">
      <code className="sy-mode" title={`mode ${node.mode}`}>{node.mode}</code>
      <code className={node.kind === 'dir' ? 'sy-dir' : 'sy-name'}>{full ? node.path : node.kind === 'dir' ? node.name : <LinkedText text={node.name} />}</code>
      {node.value !== undefined && <code className="sy-value" title={`cat ${node.path}`}>{node.value}</code>}
      {node.error !== undefined && <code className="sy-error" title={`cat: ${node.path}: ${node.error}`}>{node.error}</code>}
      {node.truth && (
        <span className={`sy-truth${node.differs ? ' sy-differs' : ''}`} title={node.differs ? 'The true internal state: the file alone would mislead' : 'The internal state behind this file'}>
          {node.differs && <span className="sy-differs-mark" aria-label="differs">≠ </span>}
          {node.truth}
        </span>
      )}
    </span>
  );
  if (node.kind !== 'dir' || !node.children) return <li className="sy-leaf">{row}</li>;
  return (
    <li>
      <details open>
        <summary>{row}</summary>
        <ul>
          {node.children.map((c) => (
            <TreeNode key={c.path} node={c} />
          ))}
        </ul>
      </details>
    </li>
  );
}

function PatchState() {
  const selection = useView((v) => v.selection);
  const select = useView((v) => v.select);
  const slot = selection?.kind === 'task' ? selection.slot : -1;
  const picks = useData('picks');
  const truth = useQuery('patchState', slot);
  return (
    <section className="sy-proc" aria-label="patch_state of the selected task">
      {truth ? (
        <ul className="sy-tree">
          <TreeNode node={{ ...truth.node, name: `/proc/${truth.pid}/patch_state (${truth.comm})` }} />
        </ul>
      ) : (
        <p className="muted">Select a task to read its /proc/&lt;pid&gt;/<Term id="patch-state" />.</p>
      )}
      {picks.length > 0 && (
        <p className="sy-picks">
          <span className="muted"><Term id="pending">Pending</Term>:</span>
          {picks.map((p) => (
            <button key={p.slot} type="button" aria-pressed={p.slot === slot} onClick={() => select({ kind: 'task', slot: p.slot })} title={`Select task ${p.label}: ${p.why}`}>
              {p.label}
            </button>
          ))}
        </p>
      )}
    </section>
  );
}
