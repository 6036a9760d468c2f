// The golden transcripts (issue 13): what `npm run --silent sim -- FILE` prints for every
// conformance case (test/fixtures/conformance, test/fixtures/extra-cases, plain) and every
// shipped scenario (public/scenarios, with --summary), run in-process through the CLI's own
// main(). A refactor of the engine must leave each byte as it was; a change that means to
// alter them regenerates the goldens with `npm run goldens` and the diff shows in review.

import { createHash } from 'node:crypto';
import { readdirSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { main } from '../../src/cli/sim';

const HERE = dirname(fileURLToPath(import.meta.url));
export const ROOT = join(HERE, '..', '..');
export const GOLDEN_DIR = join(HERE, 'goldens');
/** A transcript longer than this is kept as a digest plus its summary block. */
const FULL_TEXT_LIMIT = 128 * 1024;

export interface Input {
  /** The file, relative to the repository root. */
  file: string;
  args: string[];
  /** The golden file's name under GOLDEN_DIR. */
  golden: string;
}

function jsonFiles(dir: string): string[] {
  return readdirSync(join(ROOT, dir)).filter((f) => f.endsWith('.json')).sort().map((f) => `${dir}/${f}`);
}

function input(file: string, args: string[]): Input {
  return { file, args, golden: `${file.replace(/\.json$/, '').replace(/\//g, '__')}.txt` };
}

export const CASES: Input[] = [...jsonFiles('test/fixtures/conformance'), ...jsonFiles('test/fixtures/extra-cases')].map((f) => input(f, []));
export const SCENARIOS: Input[] = jsonFiles('public/scenarios').map((f) => input(f, ['--summary']));

/** What sim prints for the input: stdout, then stderr and the exit status. */
export function transcript(i: Input): string {
  const out: string[] = [];
  const err: string[] = [];
  const status = main([join(ROOT, i.file), ...i.args], { out: (t) => out.push(t), err: (t) => err.push(t) });
  const text = out.join('\n') + '\n';
  const tail = `--- stderr ---\n${err.join('\n').split(join(ROOT, i.file)).join(i.file)}\n--- exit status ${status} ---\n`;
  if (text.length <= FULL_TEXT_LIMIT) return `$ sim ${[i.file, ...i.args].join(' ')}\n${text}${tail}`;
  const lines = out.join('\n').split('\n');
  const s = lines.indexOf('--- summary ---');
  const digest = createHash('sha256').update(text).digest('hex');
  return [
    `$ sim ${[i.file, ...i.args].join(' ')}`,
    `(${text.length} bytes, ${lines.length} lines: kept as their sha256 and the summary block)`,
    `sha256 ${digest}`,
    ...(s >= 0 ? lines.slice(s) : []),
    '',
  ].join('\n') + tail;
}

export function goldenName(i: Input): string {
  return relative(ROOT, join(GOLDEN_DIR, i.golden));
}
