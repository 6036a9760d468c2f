// The shipped scenarios (public/scenarios/*.json) as presets: their titles are in the page
// from the start, each document is fetched as its own small chunk only when chosen.

import { parseScenarioText, type ScenarioResult } from '../scenario/document';

const titles = import.meta.glob<string>('/public/scenarios/*.json', { eager: true, import: 'title' });
const texts = import.meta.glob<string>('/public/scenarios/*.json', { query: '?raw', import: 'default' });

interface Preset {
  id: string;
  title: string;
}

export const PRESETS: readonly Preset[] = Object.entries(titles)
  .map(([path, title]) => ({ id: path.replace(/^.*\//, '').replace(/\.json$/, ''), title }))
  .sort((a, b) => a.title.localeCompare(b.title));

/** Load and validate a preset by id. */
export async function loadPreset(id: string): Promise<ScenarioResult> {
  const load = texts[`/public/scenarios/${id}.json`];
  if (!load) return { ok: false, errors: [`no preset named '${id}'`] };
  return parseScenarioText(await load());
}
