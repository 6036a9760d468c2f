import { useState } from 'react';
import { cursorNow, engine, port } from '../engine';
import { exportPng, exportSvg, exportTranscript } from '../export';
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
