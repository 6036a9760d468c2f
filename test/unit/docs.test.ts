// The project stands on its own: what the app, the presets and the README cite is in docs/,
// and every section they cite exists there.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = join(__dirname, '..', '..');
const read = (p: string) => readFileSync(join(ROOT, p), 'utf8');

function filesUnder(dir: string, ext: RegExp): string[] {
  return readdirSync(join(ROOT, dir), { recursive: true, withFileTypes: true })
    .filter((d) => d.isFile() && ext.test(d.name))
    .map((d) => join(d.parentPath, d.name).slice(ROOT.length + 1));
}

describe('docs', () => {
  const cited = [...filesUnder('public/scenarios', /\.json$/), ...filesUnder('src/ui', /\.tsx?$/), 'README.md'];

  it('the kernel model the app, the presets and the README cite is the one in docs/', () => {
    for (const f of [...cited, ...filesUnder('docs', /\.md$/)]) {
      const text = read(f);
      expect(text, f).not.toMatch(/KERNEL-MODEL\.md|\/work\/shared/);
    }
  });

  it('every section of docs/kernel-model.md they cite exists', () => {
    const model = read('docs/kernel-model.md');
    const sections = new Set([...model.matchAll(/^#{2,3} (\d+(?:\.\d+)?)[. ]/gm)].map((m) => m[1]));
    let citations = 0;
    for (const f of cited) {
      for (const m of read(f).matchAll(/docs\/kernel-model\.md((?:,? ?§\d+(?:\.\d+)?)+)/g)) {
        for (const s of m[1].matchAll(/§(\d+(?:\.\d+)?)/g)) {
          citations++;
          expect(sections.has(s[1]), `${f} cites §${s[1]}`).toBe(true);
        }
      }
    }
    expect(citations).toBeGreaterThan(5);
    expect(read('docs/scenario-format.md')).toContain('"format": "livepatch-explorer/scenario"');
  });

  it('the debate presets cite docs/debate.md, and every scenario and claim they cite is there', () => {
    const debate = read('docs/debate.md');
    const scenarios = new Set([...debate.matchAll(/^(\d+)\. \*\*/gm)].map((m) => m[1]));
    const claims = new Set([...debate.matchAll(/^\*\*(C\d+)\./gm)].map((m) => m[1]));
    let citations = 0;
    for (const f of filesUnder('public/scenarios', /\.json$/)) {
      const text = read(f);
      expect(text, f).not.toMatch(/CONTEXT\.md/);
      for (const m of text.matchAll(/docs\/debate\.md,? (?:scenario (\d+))?(?: and )?(C\d+)?/g)) {
        if (m[1]) expect(scenarios, `${f} cites scenario ${m[1]}`).toContain(m[1]);
        if (m[2]) expect(claims, `${f} cites ${m[2]}`).toContain(m[2]);
        citations++;
      }
    }
    expect(citations).toBeGreaterThanOrEqual(10);
  });
});
