// The command-line programs (`npm run sim`, `conformance`, `bench`, `glossary`, `walker`):
// `node src/cli/run.mjs NAME ARGS...` bundles src/cli/NAME.ts with esbuild into
// dist-cli/cli/NAME.mjs (again only when one of the files it was built from changed) and runs
// the bundle on plain node, with the arguments, the standard streams and the exit status
// passed through (141 when a closed pipe stopped it, as `sim FILE | head -1` does).
//
// Why not tsx, which runs the sources directly: its loader (a module-hooks thread and an
// esbuild service beside the program) made every memory-bound loop of the process slower, by
// about 25% on the 1M-task attempt walk (2.6 against 2.05 ms) and, differently, on the table
// touch the bench compares it with (1.1 against 0.83 ms: the same bundle run with and without
// `--import tsx`, December 2026), and it starts slower: `sim` of server-1m to 30 s took 1.27 s
// under tsx and 0.57 s bundled; the 27 conformance cases 1.5 s and 0.58 s. The bundle is the
// model as the app ships it (the page's worker runs a bundle too); the dependencies stay
// outside it, loaded from node_modules as before.
//
// Plain JavaScript on purpose: this file must start without a TypeScript loader. The bundle
// sits two levels below the project root, as its source does, so the files a module finds
// relative to itself (the presets, test fixtures, vite.config.ts) stay where they are.

import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { constants } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { build } from 'esbuild';

const ROOT = resolve(import.meta.dirname, '..', '..');
const PROGRAMS = ['sim', 'conformance', 'bench', 'glossary', 'genWalker'];

const [name, ...args] = process.argv.slice(2);
if (!PROGRAMS.includes(name)) {
  console.error(`usage: node src/cli/run.mjs ${PROGRAMS.join('|')} [ARGS...]`);
  process.exit(2);
}

const out = join(ROOT, 'dist-cli', 'cli', `${name}.mjs`);
/** The files the bundle was built from, beside it: rebuilt when one of them is newer. */
const inputsFile = `${out}.inputs.json`;

function upToDate() {
  let built;
  let inputs;
  try {
    built = statSync(out).mtimeMs;
    inputs = JSON.parse(readFileSync(inputsFile, 'utf8'));
  } catch {
    return false;
  }
  if (!Array.isArray(inputs) || inputs.length === 0) return false;
  for (const f of inputs) {
    try {
      if (statSync(join(ROOT, f)).mtimeMs > built) return false;
    } catch {
      return false;
    }
  }
  return true;
}

if (!upToDate()) {
  mkdirSync(join(ROOT, 'dist-cli', 'cli'), { recursive: true });
  // Written beside and renamed into place: two runs building at once never read half a file.
  const tmp = `${out}.${process.pid}.tmp.mjs`;
  const result = await build({
    entryPoints: [join(ROOT, 'src', 'cli', `${name}.ts`)],
    outfile: tmp,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    packages: 'external',
    sourcemap: 'inline',
    metafile: true,
    // esbuild prints what failed; the stack of its exception would add nothing.
    logLevel: 'warning',
  }).catch(() => process.exit(1));
  const inputs = Object.keys(result.metafile.inputs).map((f) => relative(ROOT, resolve(ROOT, f)));
  writeFileSync(`${inputsFile}.${process.pid}.tmp`, JSON.stringify(inputs));
  renameSync(tmp, out);
  renameSync(`${inputsFile}.${process.pid}.tmp`, inputsFile);
}

const child = spawnSync(process.execPath, ['--enable-source-maps', out, ...args], { stdio: 'inherit' });
if (child.error) throw child.error;
if (child.signal) process.exit(128 + (constants.signals[child.signal] ?? 0));
process.exit(child.status ?? 1);
