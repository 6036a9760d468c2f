import { useMemo } from 'react';
import { Simulation } from '../engine/simulation';
import { formatDmesg, LEVEL_NAMES } from '../kernel/printk';
import { DEFAULT_SCENARIO } from '../scenario/defaultScenario';
import { parseScript } from '../scenario/shell';

/** Run the default scenario on the model, in the browser, exactly as the CLI does. */
function useDefaultTranscript() {
  return useMemo(() => {
    const parsed = parseScript(DEFAULT_SCENARIO.script);
    if (!parsed.ok) return { records: [], error: parsed.errors.join('\n') };
    const sim = new Simulation();
    const out = sim.run(parsed.lines);
    return { records: [...sim.log], error: out.died?.reason ?? '' };
  }, []);
}

export default function App() {
  const { records, error } = useDefaultTranscript();
  return (
    <main className="app">
      <h1>Livepatch Explorer</h1>
      <p>
        The simulated kernel below ran the default scenario in your browser: {DEFAULT_SCENARIO.title.toLowerCase()}.
        The same transcript comes out of <code>npm run sim</code>; the interactive views arrive next.
      </p>
      <section aria-labelledby="script-h">
        <h2 id="script-h">Script</h2>
        <pre className="script">{DEFAULT_SCENARIO.script.join('\n')}</pre>
      </section>
      <section aria-labelledby="log-h">
        <h2 id="log-h">Kernel log</h2>
        {error && <p role="alert">The script stopped: {error}</p>}
        <pre className="dmesg" data-testid="dmesg">
          {records.map((r) => (
            <span key={r.seq} className={`lvl-${LEVEL_NAMES[r.level]}`}>
              {formatDmesg(r)}
              {'\n'}
            </span>
          ))}
        </pre>
      </section>
    </main>
  );
}
