// npm run bench: bundles src/cli/bench.ts with esbuild and runs the bundle on plain node.
//
// Why not run bench.ts under tsx, as the other CLI commands run: tsx's loader (a module-hooks
// thread and an esbuild service beside the program) slowed every memory-bound loop of the
// process, by about 25% on the 1M-task attempt walk (2.6 against 2.05 ms) and, differently,
// on the table touch it is compared with (1.1 against 0.83 ms when the same bundle ran with
// and without `--import tsx`, December 2026), so the ratios measured the loader as much as
// the model. The bundle is the model's code as the app ships it (the page's worker runs a
// bundle too); nothing else changes: same sources, same figures, same order.
//
// `npm run bench -- search|app|core|browser` prints one section alone (BENCH_ONLY, bench.ts).
// The bundle goes to dist-bench/cli/ (ignored by git), two levels below the project root as
// bench.ts is, so the files its modules find relative to themselves stay where they are.

import { spawnSync } from 'node:child_process';
import { join, resolve } from 'node:path';
import { build } from 'esbuild';

const ROOT = resolve(import.meta.dirname, '..', '..');
const OUT = join(ROOT, 'dist-bench', 'cli', 'bench.mjs');
const SECTIONS = ['search', 'app', 'core', 'browser'];

const only = process.argv[2];
if (process.argv.length > 3 || (only !== undefined && !SECTIONS.includes(only))) {
  console.error(`usage: npm run bench [-- ${SECTIONS.join('|')}]`);
  process.exit(2);
}

// esbuild prints what failed (logLevel 'warning'); the stack of its exception would add nothing.
await build({
  entryPoints: [join(ROOT, 'src', 'cli', 'bench.ts')],
  outfile: OUT,
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  // Dependencies load from node_modules as they do under tsx; only the project's modules are bundled.
  packages: 'external',
  sourcemap: 'linked',
  logLevel: 'warning',
}).catch(() => process.exit(1));

const env = { ...process.env };
if (only) env.BENCH_ONLY = only;
const run = spawnSync(process.execPath, ['--enable-source-maps', OUT], { stdio: 'inherit', env });
if (run.error) throw run.error;
process.exit(run.status ?? 1);
