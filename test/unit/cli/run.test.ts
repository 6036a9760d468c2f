// src/cli/run.mjs, the entry of `npm run sim | conformance | bench | glossary | walker`: it
// bundles src/cli/NAME.ts, rebuilds only when a file it was built from is newer than the
// bundle, and passes the arguments, streams and exit status through.

import { spawnSync } from 'node:child_process';
import { readFileSync, statSync, utimesSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../../../src/cli/sim';
import { glossaryMarkdown } from '../../../src/ui/glossary/glossary';

const ROOT = join(__dirname, '..', '..', '..');
const RUN = join(ROOT, 'src', 'cli', 'run.mjs');
const GLOSSARY = join(ROOT, 'dist-cli', 'cli', 'glossary.mjs');
const CASE = join(ROOT, 'test', 'fixtures', 'extra-cases', 'callbacks-09.json');

const run = (...args: string[]) => spawnSync(process.execPath, [RUN, ...args], { encoding: 'utf8', cwd: ROOT });

describe('run.mjs', () => {
  it('prints what the program prints in-process, and exits with its status', () => {
    const out: string[] = [];
    const err: string[] = [];
    const status = main([CASE], { out: (t) => out.push(t), err: (t) => err.push(t) });
    const r = run('sim', CASE);
    expect(r.status).toBe(status);
    expect(r.stdout.trimEnd().split('\n')).toEqual(out.join('\n').split('\n'));
    expect(r.stderr).toBe(err.join(''));
    const bad = run('sim', join(ROOT, 'no-such-file.json'));
    expect(bad.status).toBe(1);
    expect(bad.stderr).toMatch(/^sim: .*no-such-file\.json: No such file or directory/);
  }, 60_000);

  // On glossary, which no other test runs: a concurrent run of sim could rebuild its bundle.
  it('rebuilds a bundle older than one of its sources, and records what it was built from', () => {
    const first = run('glossary');
    expect(first.status).toBe(0);
    expect(first.stdout).toBe(glossaryMarkdown());
    const inputs = JSON.parse(readFileSync(`${GLOSSARY}.inputs.json`, 'utf8')) as string[];
    expect(inputs).toContain(join('src', 'cli', 'glossary.ts'));
    expect(inputs).toContain(join('src', 'ui', 'glossary', 'glossary.ts'));
    // A bundle from before the sources were last written is rebuilt, then reused.
    utimesSync(GLOSSARY, new Date(1000), new Date(1000));
    expect(run('glossary').status).toBe(0);
    const rebuilt = statSync(GLOSSARY).mtimeMs;
    expect(rebuilt).toBeGreaterThan(1_000_000);
    expect(run('glossary').status).toBe(0);
    expect(statSync(GLOSSARY).mtimeMs).toBe(rebuilt);
  }, 60_000);

  it('refuses an unknown program with its usage, status 2', () => {
    const r = run('nope');
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^usage: node src\/cli\/run\.mjs sim\|conformance\|bench\|glossary\|genWalker/);
  });
});
