// Test folders mirror src/ (issue 13 §7): a unit test of a module sits in the folder that
// mirrors the module's own, so `test/unit/<dir>/<name>.test.ts` tests `src/<dir>/<name>.ts`
// whenever such a module exists anywhere in src/; tests of behaviour that spans modules
// (fork.test.ts, jiffies.test.ts...) sit in the folder of the layer they exercise. And no file
// of src/ outgrows one idea: at most MAX_SRC_LINES lines (issue 13 §7).

import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = join(__dirname, '..', '..');
const SRC = join(ROOT, 'src');
const UNIT = join(ROOT, 'test', 'unit');
const MAX_SRC_LINES = 450;

function walk(dir: string, out: string[] = []): string[] {
  for (const e of readdirSync(dir)) {
    const p = join(dir, e);
    if (statSync(p).isDirectory()) walk(p, out);
    else out.push(p);
  }
  return out;
}

/** src modules by base name: "tasksLayout" -> ["ui/views"]. */
function modulesByName(): Map<string, string[]> {
  const m = new Map<string, string[]>();
  for (const f of walk(SRC)) {
    const r = /^(.*)\/([^/]+)\.tsx?$/.exec(relative(SRC, f));
    if (!r) continue;
    m.set(r[2], [...(m.get(r[2]) ?? []), r[1]]);
  }
  return m;
}

describe('test/unit mirrors src/', () => {
  const tests = walk(UNIT).map((f) => relative(UNIT, f)).filter((f) => /\.test\.tsx?$/.test(f));

  it('every folder of test/unit is a folder of src', () => {
    const dirs = new Set(tests.map((t) => t.split('/').slice(0, -1).join('/')).filter((d) => d !== ''));
    expect([...dirs].filter((d) => !statSync(join(SRC, d), { throwIfNoEntry: false })?.isDirectory())).toEqual([]);
  });

  it("a test named after a src module sits in that module's folder", () => {
    const byName = modulesByName();
    const misplaced = tests.flatMap((t) => {
      const r = /^(?:(.*)\/)?([^/]+)\.test\.tsx?$/.exec(t);
      if (!r) return [];
      const homes = byName.get(r[2]) ?? [];
      return homes.length && !homes.includes(r[1] ?? '') ? [`${t} (src/${homes[0]}/${r[2]})`] : [];
    });
    expect(misplaced).toEqual([]);
  });
});

describe('src/ files', () => {
  it(`no file of src/ is over ${MAX_SRC_LINES} lines`, () => {
    const long = walk(SRC)
      .filter((f) => /\.tsx?$/.test(f))
      .map((f) => ({ f: relative(ROOT, f), lines: readFileSync(f, 'utf8').split('\n').length - 1 }))
      .filter((x) => x.lines > MAX_SRC_LINES)
      .map((x) => `${x.f}: ${x.lines} lines`);
    expect(long).toEqual([]);
  });
});
