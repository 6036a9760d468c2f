import { useState } from 'react';
import { cursorNow, engine, port, scenarioNow, taskCountOf, WORKER_TASK_THRESHOLD } from '../engine';
import { download, exportPng, exportSvg, exportTranscript } from '../export';
import { caseText, exportCase } from '../../scenario/caseExport';
import './export.css';

/** Header buttons of a Panel: PNG of the view, and SVG for the SVG views. */
export function ExportButtons({ view, title, svg }: { view: string; title: string; svg?: boolean }) {
  const [error, setError] = useState<string | null>(null);
  const run = (f: () => Promise<void> | void) => {
    setError(null);
    Promise.resolve()
      .then(f)
      .catch((e: unknown) => setError(e instanceof Error ? e.message : String(e)));
  };
  return (
    <>
      <button type="button" className="export-btn" aria-label={`Export ${title} as PNG`} title={`Download the ${title} view as a PNG image`} onClick={() => run(() => exportPng(view, title, cursorNow(), port().piece('policy')))}>
        PNG
      </button>
      {svg && (
        <button type="button" className="export-btn" aria-label={`Export ${title} as SVG`} title={`Download the ${title} view as an SVG file`} onClick={() => run(() => exportSvg(view, cursorNow(), port().piece('policy')))}>
          SVG
        </button>
      )}
      {error && <span role="alert" className="export-error">{error}</span>}
    </>
  );
}

/** The kernel log's header button: every dmesg line so far, as text. */
export function ExportTranscriptButton() {
  return (
    <button type="button" className="export-btn" aria-label="Export transcript" title="Download the dmesg transcript up to the cursor as text" onClick={() => void transcript()}>
      Export transcript
    </button>
  );
}

/** dmesg up to the cursor, asked of the engine. */
async function transcript(): Promise<void> {
  const e = engine();
  const now = cursorNow(e);
  const lines = await e.port.query('dmesg', null);
  exportTranscript(lines, now, e.port.piece('policy'));
}

/**
 * The kernel log's header button: the run as a conformance case (src/scenario/caseExport.ts),
 * the script with the typed commands run to its end on the scenario's machine, and the log
 * lines the selftests check; `npm run conformance` reads the file. It runs the script once
 * more on this thread, so scenarios big enough for the worker are left to the CLI.
 */
export function ExportCaseButton() {
  const [error, setError] = useState<string | null>(null);
  const run = () => {
    setError(null);
    const s = scenarioNow();
    if (taskCountOf(s) > WORKER_TASK_THRESHOLD) {
      setError(`This scenario has more than ${WORKER_TASK_THRESHOLD.toLocaleString('en-US')} tasks: export it with Export scenario and run npm run --silent sim -- FILE --export-case DIR.`);
      return;
    }
    const r = exportCase(s);
    if (!r.ok) setError(`No case exported: ${r.error}`);
    else download(new Blob([caseText(r.c)], { type: 'application/json' }), `${r.c.id}.json`);
  };
  return (
    <>
      <button type="button" className="export-btn" aria-label="Export case as a conformance case" title="Download the run as a conformance case: the script, typed commands included, run to its end, and the kernel log lines the selftests check (npm run conformance reads it)" onClick={run}>
        Export case
      </button>
      {error && <span role="alert" className="export-error">{error}</span>}
    </>
  );
}
