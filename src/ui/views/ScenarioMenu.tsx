import { useEffect, useRef, useState } from 'react';
import { MAX_DOCUMENT_BYTES, toDocument } from '../../scenario/document';
import { scenarioOfFile } from '../../scenario/openFile';
import { defaultScenario } from '../../scenario/defaultScenario';
import { openScenario, scenarioNow } from '../engine';
import { download } from '../export';
import { loadPreset, PRESETS } from '../presets';
import { useView } from '../store';
import { loadSelftest, SELFTEST_PREFIX, selftestGroups } from '../selftests';
import { ScenarioEditorButton } from './ScenarioEditorButton';

/** A confirmation ("Link copied.") fades out after this long; errors stay until replaced. */
const NOTE_MS = 2500;

/** Open a preset or a scenario file, export the scenario, copy its link. */
export function ScenarioMenu() {
  const [message, setMessage] = useState<{ text: string; error: boolean } | null>(null);
  const file = useRef<HTMLInputElement>(null);
  useEffect(() => {
    if (!message || message.error) return;
    const timer = setTimeout(() => setMessage(null), NOTE_MS);
    return () => clearTimeout(timer);
  }, [message]);
  const resetView = useView((v) => v.resetForScenario);
  const open = (s: Parameters<typeof openScenario>[0]) => {
    const err = openScenario(s);
    if (err) setMessage({ text: err, error: true });
    else {
      resetView();
      setMessage(null);
    }
  };
  const choose = async (id: string) => {
    if (!id) return;
    if (id === 'default') return open(defaultScenario());
    const r = id.startsWith(SELFTEST_PREFIX) ? await loadSelftest(id) : await loadPreset(id);
    if (r.ok) open(r.scenario);
    else setMessage({ text: `The preset could not be opened: ${r.errors.join('; ')}`, error: true });
  };
  // A scenario document or a conformance case (src/scenario/openFile.ts); a bad one changes nothing.
  const readFile = async (f: File) => {
    const r = scenarioOfFile(f.name, f.size > MAX_DOCUMENT_BYTES ? '' : await f.text(), f.size);
    if (r.ok) open(r.scenario);
    else setMessage({ text: r.message, error: true });
  };
  const readFileRef = useRef(readFile);
  readFileRef.current = readFile;
  // A file dropped anywhere on the page opens as Open file… would open it.
  useEffect(() => {
    const carriesFiles = (e: DragEvent) => e.dataTransfer?.types.includes('Files') ?? false;
    const over = (e: DragEvent) => {
      if (!carriesFiles(e)) return;
      e.preventDefault();
      if (e.dataTransfer) e.dataTransfer.dropEffect = 'copy';
    };
    const drop = (e: DragEvent) => {
      if (!carriesFiles(e)) return;
      e.preventDefault();
      const files = [...(e.dataTransfer?.files ?? [])];
      if (files.length !== 1) setMessage({ text: `Drop one scenario or case file at a time (${files.length === 0 ? 'no file came with the drop' : `got ${files.length} files`}); nothing was opened.`, error: true });
      else void readFileRef.current(files[0]);
    };
    window.addEventListener('dragover', over);
    window.addEventListener('drop', drop);
    return () => {
      window.removeEventListener('dragover', over);
      window.removeEventListener('drop', drop);
    };
  }, []);
  return (
    <div className="scenario-menu">
      <label>
        <span className="sr-only">Scenario preset</span>
        <select aria-label="Scenario preset" value="" onChange={(e) => void choose(e.target.value)} title="Open one of the shipped scenarios">
          <option value="">Open a preset…</option>
          <option value="default">{defaultScenario().title}</option>
          {PRESETS.map((p) => (
            <option key={p.id} value={p.id}>{p.title}</option>
          ))}
          {selftestGroups().map(([script, cases]) => (
            <optgroup key={script} label={`Kernel selftests: ${script}`}>
              {cases.map((c) => (
                <option key={c.id} value={c.id}>{`${c.caseId}: ${c.title}${c.derived ? ' (written for this project)' : ''}`}</option>
              ))}
            </optgroup>
          ))}
        </select>
      </label>
      <button type="button" onClick={() => file.current?.click()} title="Open a scenario JSON file or a conformance case (or drop one onto the page)">Open file…</button>
      <input
        ref={file}
        type="file"
        accept=".json,application/json"
        hidden
        aria-label="Scenario file"
        onChange={(e) => {
          const f = e.target.files?.[0];
          e.target.value = '';
          if (f) void readFile(f);
        }}
      />
      <ScenarioEditorButton />
      <button type="button" onClick={() => download(new Blob([`${JSON.stringify(toDocument(scenarioNow()), null, 2)}\n`], { type: 'application/json' }), 'scenario.json')} title="Download the scenario, typed commands included, as a JSON document">Export scenario</button>
      <button
        type="button"
        title="Copy a link that replays this scenario to the current moment"
        onClick={() => {
          navigator.clipboard.writeText(location.href).then(
            () => setMessage({ text: 'Link copied.', error: false }),
            () => setMessage({ text: 'The browser refused the clipboard: copy the address bar instead.', error: true }),
          );
        }}
      >
        Copy link
      </button>
      {message && <span role={message.error ? 'alert' : 'status'} className={message.error ? 'menu-error' : 'muted menu-note'}>{message.text}</span>}
    </div>
  );
}
