// Every shipped scenario's sim transcript equals its committed golden (see goldens.ts).

import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SCENARIOS, GOLDEN_DIR, goldenName, transcript } from './goldens';

describe('golden transcripts: shipped scenarios', () => {
  it.each(SCENARIOS.map((c) => [c.file, c] as const))('%s', (_, c) => {
    const path = join(GOLDEN_DIR, c.golden);
    expect(existsSync(path), `${goldenName(c)} is missing: run npm run goldens`).toBe(true);
    expect(transcript(c)).toBe(readFileSync(path, 'utf8'));
  });
});
