// npm run conformance -- <files or folders>: run golden cases, print PASS/FAIL per case and
// a final "N passed, N failed". Exit status 1 when any case fails or a file is bad. Each case
// runs on an engine host, headless, as `npm run sim` runs it (src/scenario/case.ts simulateCase).

import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { runCase, validateCase } from '../scenario/case';

function collect(paths: string[]): string[] {
  const files: string[] = [];
  for (const p of paths) {
    let st;
    try {
      st = statSync(p);
    } catch {
      throw new Error(`${p}: No such file or directory`);
    }
    if (st.isDirectory()) {
      for (const f of readdirSync(p).sort()) if (f.endsWith('.json')) files.push(join(p, f));
    } else files.push(p);
  }
  return files;
}

function main(argv: string[]): number {
  if (argv.length === 0) {
    console.error('usage: npm run conformance -- <case.json | folder>...');
    return 2;
  }
  let files: string[];
  try {
    files = collect(argv);
  } catch (e) {
    console.error((e as Error).message);
    return 2;
  }
  let passed = 0;
  let failed = 0;
  for (const f of files) {
    let json: unknown;
    try {
      json = JSON.parse(readFileSync(f, 'utf8'));
    } catch (e) {
      console.log(`FAIL ${f}: not valid JSON (${(e as Error).message})`);
      failed++;
      continue;
    }
    const v = validateCase(json, f);
    if (!v.ok) {
      console.log(`FAIL ${f}: ${v.errors.join('; ')}`);
      failed++;
      continue;
    }
    let r;
    try {
      r = runCase(v.c);
    } catch (e) {
      console.log(`FAIL ${v.c.id}: the simulator failed: ${(e as Error).stack ?? e}`);
      failed++;
      continue;
    }
    if (r.pass) {
      console.log(`PASS ${r.id}`);
      passed++;
    } else {
      console.log(`FAIL ${r.id}: ${r.reason}`);
      failed++;
    }
  }
  console.log(`${passed} passed, ${failed} failed`);
  return failed ? 1 : 0;
}

process.exitCode = main(process.argv.slice(2));
