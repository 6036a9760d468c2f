// "Compare with…": choose scenario B. One click for the page's scenario under another policy,
// any preset, or a scenario or case file; a choice that does not validate or start gets its
// message here and changes nothing.

import { useEffect, useRef, useState, type KeyboardEvent } from 'react';
import type { PolicyName } from '../../kernel/policy/types';
import { MAX_DOCUMENT_BYTES, type Scenario } from '../../scenario/document';
import { scenarioOfFile } from '../../scenario/openFile';
import { scenarioNow } from '../engine';
import { loadPreset, PRESETS } from '../presets';
import { FOCUSABLE, modalKeyDown } from '../views/modalKeys';
import { openCompare, useCompare } from './compareStore';
import { otherPolicies, underPolicy } from './pairing';

export function CompareChooser({ close }: { close: () => void }) {
  const dialog = useRef<HTMLDivElement>(null);
  const file = useRef<HTMLInputElement>(null);
  const [preset, setPreset] = useState(PRESETS[0]?.id ?? '');
  const [message, setMessage] = useState<string>();
  /** The policy whose one-click choice A's module fields refused: offered again without them. */
  const [refusedPolicy, setRefusedPolicy] = useState<PolicyName>();
  const open = useCompare((s) => s.session);
  // A is the page's scenario; in Compare already, it is the session's A.
  const a = open?.a ?? scenarioNow();
  useEffect(() => {
    const before = document.activeElement as HTMLElement | null;
    dialog.current?.querySelector<HTMLElement>(FOCUSABLE)?.focus();
    return () => before?.focus();
  }, []);
  const start = (b: Scenario) => {
    setRefusedPolicy(undefined);
    const err = openCompare(b, open?.link.now());
    if (err) setMessage(err);
  };
  const byPolicy = (p: PolicyName, dropForeign = false) => {
    const r = underPolicy(a, p, dropForeign);
    if (r.ok) return start(r.scenario);
    setMessage(`"${a.title}" cannot run under ${p}: ${r.errors.slice(0, 2).join('; ')}`);
    // Only a refusal of policy fields has a way out; any other error stands as it is.
    setRefusedPolicy(!dropForeign && underPolicy(a, p, true).ok ? p : undefined);
  };
  const byPreset = async () => {
    setRefusedPolicy(undefined);
    const r = await loadPreset(preset);
    if (r.ok) start(r.scenario);
    else setMessage(`The preset could not be opened: ${r.errors[0]}`);
  };
  const byFile = async (f: File) => {
    setRefusedPolicy(undefined);
    const r = scenarioOfFile(f.name, f.size > MAX_DOCUMENT_BYTES ? '' : await f.text(), f.size);
    if (r.ok) start(r.scenario);
    else setMessage(r.message);
  };
  return (
    <div className="help-backdrop" onClick={close}>
      <div className="help-dialog cmp-chooser" role="dialog" aria-modal="true" aria-labelledby="cmp-chooser-title" ref={dialog} onKeyDown={(e: KeyboardEvent<HTMLDivElement>) => modalKeyDown(e, dialog.current, close)} onClick={(e) => e.stopPropagation()}>
        <header>
          <h2 id="cmp-chooser-title">Compare with…</h2>
          <button type="button" onClick={close} aria-label="Close" title="Close (Esc)">✕</button>
        </header>
        <p className="muted">A is “{a.title}”. Choose B; both run on A's seed ({a.seed}).</p>
        <div role="group" aria-labelledby="cmp-policy-head" className="cmp-choice">
          <h3 id="cmp-policy-head">Same scenario, other policy</h3>
          {otherPolicies(a).map((p) => (
            <button type="button" key={p} onClick={() => byPolicy(p)}>{p}</button>
          ))}
        </div>
        <div className="cmp-choice">
          <h3>A preset</h3>
          <label>
            Scenario B preset{' '}
            <select value={preset} onChange={(e) => setPreset(e.target.value)}>
              {PRESETS.map((p) => (
                <option key={p.id} value={p.id}>{p.title}</option>
              ))}
            </select>
          </label>
          <button type="button" onClick={() => void byPreset()}>Compare with this preset</button>
        </div>
        <div className="cmp-choice">
          <h3>A file</h3>
          <button type="button" onClick={() => file.current?.click()}>Open file…</button>
          <input
            ref={file}
            type="file"
            accept=".json,application/json"
            hidden
            aria-label="Scenario B file"
            onChange={(e) => {
              const f = e.target.files?.[0];
              e.target.value = '';
              if (f) void byFile(f);
            }}
          />
        </div>
        {message && <p className="search-error" role="alert">{message}</p>}
        {refusedPolicy && (
          <button type="button" onClick={() => byPolicy(refusedPolicy, true)}>
            Compare under {refusedPolicy} without those fields
          </button>
        )}
      </div>
    </div>
  );
}

/** The header's Compare button: the chooser for B, then Compare mode. */
export function CompareButton() {
  const setChoosing = useCompare((s) => s.setChoosing);
  const choosing = useCompare((s) => s.choosing);
  return (
    <>
      <button type="button" onClick={() => setChoosing(true)} title="Run this scenario beside another (the same workload under another policy, a preset, a file) with one linked cursor">
        Compare
      </button>
      {choosing && <CompareChooser close={() => setChoosing(false)} />}
    </>
  );
}
