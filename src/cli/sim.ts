// npm run --silent sim -- <case.json> [--no-timestamps] [--format json]
// Runs the script of a case (or a script-only document) on a fresh simulated machine in the
// selftest configuration and prints the kernel log as dmesg would.

import { readFileSync } from 'node:fs';
import { validateCase } from '../scenario/case';
import { parseScript } from '../scenario/shell';
import { SELFTEST_CONFIG, Simulation } from '../engine/simulation';
import { formatDmesg, LEVEL_NAMES } from '../kernel/printk';

const USAGE = 'usage: npm run --silent sim -- <case.json> [--no-timestamps] [--format text|json]';

function main(argv: string[]): number {
  let timestamps = true;
  let format = 'text';
  const files: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--no-timestamps') timestamps = false;
    else if (a === '--format') format = argv[++i] ?? '';
    else if (a.startsWith('--format=')) format = a.slice('--format='.length);
    else if (a === '-h' || a === '--help') {
      console.log(USAGE);
      return 0;
    } else if (a.startsWith('-')) {
      console.error(`sim: unknown option '${a}'\n${USAGE}`);
      return 2;
    } else files.push(a);
  }
  if (format !== 'text' && format !== 'json') {
    console.error(`sim: --format must be text or json, got '${format}'`);
    return 2;
  }
  if (files.length !== 1) {
    console.error(USAGE);
    return 2;
  }
  const file = files[0];
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    console.error(`sim: ${file}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'No such file or directory' : `not valid JSON (${(e as Error).message})`}`);
    return 1;
  }
  const v = validateCase(json, file);
  if (!v.ok) {
    console.error(v.errors.map((e) => `sim: ${e}`).join('\n'));
    return 1;
  }
  const parsed = parseScript(v.c.script);
  if (!parsed.ok) {
    console.error(parsed.errors.map((e) => `sim: ${file}: ${e}`).join('\n'));
    return 1;
  }
  const sim = new Simulation(SELFTEST_CONFIG);
  const out = sim.run(parsed.lines);
  if (format === 'json') {
    console.log(JSON.stringify(sim.log.map((r) => ({ time: r.time / 1e6, level: LEVEL_NAMES[r.level], text: r.text })), null, 1));
  } else {
    for (const r of sim.log) console.log(formatDmesg(r, timestamps));
  }
  let status = 0;
  for (const o of out.outcomes) {
    if (o.result.status !== 0) {
      console.error(`sim: line ${o.line.line} (${o.line.text}) failed: ${o.result.err.join('; ') || `exit status ${o.result.status}`}`);
      status = 1;
    }
  }
  if (out.died) {
    console.error(`sim: line ${out.died.line.line} (${out.died.line.text}) died: ${out.died.reason}`);
    status = 1;
  }
  return status;
}

process.exitCode = main(process.argv.slice(2));
