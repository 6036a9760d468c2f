// Issue 10 §4: `next` stops at the last event (never runs minutes of idle time) and treats a
// burst at one instant as one stop; `marker ▸` stops at the next marker of any kind.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Session } from '../../../src/engine/session';
import { sessionSourceOf } from '../../../src/scenario/build';
import { DEFAULT_SCENARIO_DOCUMENT } from '../../../src/scenario/defaultScenario';
import { parseScenarioText, validateScenario } from '../../../src/scenario/document';

function session(file?: string): Session {
  const r = file ? parseScenarioText(readFileSync(join(__dirname, '..', '..', '..', 'public', 'scenarios', file), 'utf8')) : validateScenario(DEFAULT_SCENARIO_DOCUMENT);
  if (!r.ok) throw new Error(r.errors.join('\n'));
  return new Session(sessionSourceOf(r.scenario));
}

describe('next and the marker steps', () => {
  it('stops at the last event: once the script is done and no transition runs, next stays put', () => {
    const s = session();
    const stops: number[] = [];
    for (let i = 0; i < 10; i++) {
      s.runToInteresting();
      stops.push(s.now);
    }
    expect(s.markers.some((m) => m.kind === 'complete')).toBe(true);
    // The last stops are the same moment, minutes short of the 600 s a stop may run.
    expect(stops.at(-1)).toBe(stops.at(-2));
    expect(stops.at(-1)! - s.start).toBeLessThan(120_000_000);
    expect(s.inTransition).toBe(false);
  });

  it('treats a burst of events at one instant as one stop', () => {
    const s = session('do-exit-crash.json');
    const hits: number[] = [];
    for (let i = 0; i < 6; i++) {
      const hit = s.runToInteresting();
      if (!hit) break;
      hits.push(hit.time);
      // Nothing is left at the instant it stopped at.
      expect(s.nextEventTime()).toBeGreaterThan(hit.time);
      expect(s.now).toBe(hit.time);
    }
    expect(new Set(hits).size).toBe(hits.length);
    expect(hits.length).toBeGreaterThan(1);
  });

  it('marker ▸ stops at each next marker, attempts included', () => {
    const s = session();
    const seen: string[] = [];
    for (let i = 0; i < 12; i++) {
      const m = s.runToMarker();
      if (!m) break;
      seen.push(m.kind);
      expect(s.now).toBe(m.time);
    }
    expect(seen).toContain('command');
    expect(seen).toContain('attempt');
  });
});
