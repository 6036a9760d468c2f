// The URL figures of `npm run bench`: the longest link of the shipped scenarios
// (url_max_chars) and the time to encode and decode it (url_codec_ms).

import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseScenarioText, type Scenario } from '../scenario/document';
import { defaultScenario } from '../scenario/defaultScenario';
import { decodeScenarioUrl, encodeScenarioUrl } from '../scenario/url';

const SCENARIO_DIR = join('public', 'scenarios');

/** The default scenario and every scenario file shipped under public/scenarios/. */
function shippedScenarios(): { name: string; scenario: Scenario }[] {
  const out: { name: string; scenario: Scenario }[] = [];
  out.push({ name: 'default', scenario: defaultScenario() });
  let files: string[] = [];
  try {
    files = readdirSync(SCENARIO_DIR).filter((f) => f.endsWith('.json')).sort();
  } catch {
    // No shipped scenarios yet: the default one is measured alone.
  }
  for (const f of files) {
    const r = parseScenarioText(readFileSync(join(SCENARIO_DIR, f), 'utf8'));
    if (!r.ok) throw new Error(`${SCENARIO_DIR}/${f}: ${r.errors.join('; ')}`);
    out.push({ name: f, scenario: r.scenario });
  }
  return out;
}

/** `name: value` lines; `measure` is bench's median-of-runs timer. */
export function urlFigures(measure: (fn: () => void) => number): string[] {
  const all = shippedScenarios().map((s) => ({ ...s, url: encodeScenarioUrl(s.scenario, 12_345_678) }));
  const longest = all.reduce((a, b) => (b.url.length > a.url.length ? b : a));
  const ms = measure(() => {
    const url = encodeScenarioUrl(longest.scenario, 12_345_678);
    if (!decodeScenarioUrl(url).ok) throw new Error(`${longest.name}: its link does not decode`);
  });
  return [`url_max_chars: ${longest.url.length}`, `url_codec_ms: ${ms.toFixed(3)}`];
}
