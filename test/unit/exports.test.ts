// No dead exports (the developer brief: "a name is a promise; no dead exports"): every name a
// file of src/ exports is imported by another file of src/ or test/ (test/support/deadExports.ts).

import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { deadExports } from '../support/deadExports';

describe('exports', () => {
  it('every export of src/ is imported somewhere', () => {
    expect(deadExports(join(__dirname, '..', '..'))).toEqual([]);
  });
});
