// The kernel's livepatch selftests (the conformance cases, test/fixtures/conformance and
// extra-cases) as presets, grouped by selftest script. Their ids, titles and sources are in the
// page from the start; each case is fetched as its own small chunk only when opened or checked.

import { caseDocument, validateCase, type CaseFile } from '../scenario/case';
import { validateScenario, type ScenarioResult } from '../scenario/document';

const GLOBS = {
  ids: import.meta.glob<string>(['/test/fixtures/conformance/*.json', '/test/fixtures/extra-cases/*.json'], { eager: true, import: 'id' }),
  titles: import.meta.glob<string>(['/test/fixtures/conformance/*.json', '/test/fixtures/extra-cases/*.json'], { eager: true, import: 'title' }),
  sources: import.meta.glob<string>(['/test/fixtures/conformance/*.json', '/test/fixtures/extra-cases/*.json'], { eager: true, import: 'source' }),
  texts: import.meta.glob<string>(['/test/fixtures/conformance/*.json', '/test/fixtures/extra-cases/*.json'], { query: '?raw', import: 'default' }),
};

interface SelftestPreset {
  /** The preset id: 'selftest:' and the case id. */
  id: string;
  caseId: string;
  title: string;
  /** The selftest script it comes from (test-livepatch.sh...). */
  script: string;
  /** Written for this project from a selftest, rather than the selftest's own test. */
  derived: boolean;
}

export const SELFTEST_PREFIX = 'selftest:';

const pathOf = new Map<string, string>();

const SELFTESTS: readonly SelftestPreset[] = Object.entries(GLOBS.ids)
  .map(([path, caseId]) => {
    pathOf.set(caseId, path);
    const source = GLOBS.sources[path] ?? '';
    return {
      id: `${SELFTEST_PREFIX}${caseId}`,
      caseId,
      title: GLOBS.titles[path] ?? caseId,
      script: /(test-[\w-]+\.sh)/.exec(source)?.[1] ?? 'other',
      derived: source.startsWith('Written for this project'),
    };
  })
  .sort((a, b) => a.script.localeCompare(b.script) || a.caseId.localeCompare(b.caseId));

/** The presets by selftest script, scripts in order. */
export function selftestGroups(): [string, SelftestPreset[]][] {
  const groups = new Map<string, SelftestPreset[]>();
  for (const s of SELFTESTS) groups.set(s.script, [...(groups.get(s.script) ?? []), s]);
  return [...groups];
}

/** The case file with this id, validated; undefined when no such case is bundled. */
export async function loadCase(caseId: string): Promise<CaseFile | undefined> {
  const path = pathOf.get(caseId);
  const load = path ? GLOBS.texts[path] : undefined;
  if (!load) return undefined;
  let json: unknown;
  try {
    json = JSON.parse(await load());
  } catch {
    return undefined;
  }
  const v = validateCase(json, path);
  return v.ok ? v.c : undefined;
}

/** A selftest preset as a scenario (caseDocument: the selftest configuration, the case's script). */
export async function loadSelftest(id: string): Promise<ScenarioResult> {
  const c = await loadCase(id.slice(SELFTEST_PREFIX.length));
  if (!c) return { ok: false, errors: [`no selftest named '${id}'`] };
  return validateScenario(caseDocument(c));
}
