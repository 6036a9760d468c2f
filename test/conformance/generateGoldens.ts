// npm run goldens: rewrite every golden transcript (test/conformance/goldens/) from the model
// as it is now. Run it only when a change means to alter transcripts, and review the diff.

import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CASES, GOLDEN_DIR, SCENARIOS, transcript } from './goldens';

mkdirSync(GOLDEN_DIR, { recursive: true });
const all = [...CASES, ...SCENARIOS];
const keep = new Set(all.map((i) => i.golden));
for (const f of readdirSync(GOLDEN_DIR)) if (!keep.has(f)) rmSync(join(GOLDEN_DIR, f));
for (const i of all) {
  writeFileSync(join(GOLDEN_DIR, i.golden), transcript(i));
  console.log(`wrote ${i.golden}`);
}
