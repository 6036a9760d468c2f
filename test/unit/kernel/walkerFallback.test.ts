// walkerFallback.ts is generated (npm run walker) from the one source of the attempt walker's
// loops: it must be exactly what the generator writes now, or a change of SWITCH_RULE or of the
// loops would reach only the compiled walker.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fallbackModuleText } from '../../../src/kernel/walkerSource';

const FILE = join(import.meta.dirname, '../../../src/kernel/walkerFallback.ts');

describe('the fallback walker module', () => {
  it('is the generator output for the current loops (run `npm run walker` when this fails)', () => {
    expect(readFileSync(FILE, 'utf8')).toBe(fallbackModuleText());
  });
});
