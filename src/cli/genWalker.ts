// npm run walker: writes src/kernel/walkerFallback.ts, the attempt walker's loops as a module
// (walkerSource.ts's fallbackModuleText()). Run it after changing SWITCH_RULE or the loops;
// test/unit/kernel/walkerFallback.test.ts fails until the file is current.

import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fallbackModuleText } from '../kernel/walkerSource';

// Two levels up to the project root: the same from src/cli and from the bundle in dist-cli/cli (run.mjs).
const out = join(import.meta.dirname, '..', '..', 'src', 'kernel', 'walkerFallback.ts');
writeFileSync(out, fallbackModuleText());
console.log(`wrote ${out}`);
