// npm run --silent sim -- <scenario.json | case.json> [--until T] [--summary] [--analysis] [--no-timestamps] [--format json]
// npm run --silent sim -- A.json --compare B.json [--until T] [--format json]: the analysis diff and log diff
// npm run --silent sim -- <scenario.json> --search [--depth N] [--goal default|stuck|rmmod-refused|warn|any] [--policy NAME|all]
// npm run --silent sim -- encode FILE | decode FRAGMENT
// Runs a scenario document (its kernel, modules and timed script) or the script of a case file
// (on the selftest configuration) and prints the kernel log as dmesg would; --summary adds
// how the transitions went and what still blocks; --analysis the consistency analysis
// (src/analysis/): the universes the tasks ran, shipped or never shipped, and the violations.
// encode prints a scenario's link fragment, decode the scenario JSON a fragment holds (the
// sharing contract of README.md). A run is a client of the engine host (src/engine/host.ts),
// as the page is: the host's Session reads the script and runs it to its end (runToEnd),
// headless (no recording for views). What reaches the terminal has its control characters
// written as \xHH, as dmesg does (terminal.ts).

import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { caseSource, MAX_CASE_BYTES, validateCase } from '../scenario/case';
import { caseText, completeCase, exportCase } from '../scenario/caseExport';
import { MAX_DOCUMENT_BYTES, parseScenarioText, toDocument, utf8Length } from '../scenario/document';
import { decodeScenarioUrl, encodeScenarioUrl } from '../scenario/url';
import { MAX_VIRTUAL_US } from '../kernel/budget';
import { terminalJson, terminalSafe } from './terminal';
import { sessionSourceOf } from '../scenario/build';
import { parseScriptTime } from '../scenario/script';
import { EngineHost } from '../engine/host';
import type { SessionSource } from '../engine/session';
import { formatSeconds, summaryLines } from '../engine/summary';
import { formatDmesg, LEVEL_NAMES } from '../kernel/printk';
import { attachConsistency } from '../analysis/attach';
import { analysisJson, analysisLines, commandAtOf } from '../analysis/report';
import type { DependencySpec } from '../scenario/policySpec';
import { policyByName } from '../kernel/policy';
import { POLICY_NAMES } from '../kernel/policy/types';
import { isGoal, isPolicyChoice, runSearch, type PolicyChoice } from '../search/cli';
import { GOALS, type Goal } from '../search/search';
import { compareLines, compareRuns, comparedLogLines, type CompareSide } from '../compare/report';

const USAGE = 'usage: npm run --silent sim -- <scenario.json|case.json> [--until TIME] [--summary] [--analysis] [--no-timestamps] [--format text|json] [--export-case DIR]\n       npm run --silent sim -- A.json --compare B.json [--until TIME] [--format text|json]\n       npm run --silent sim -- <scenario.json> --search [--depth N] [--goal default|stuck|rmmod-refused|warn|any] [--policy upstream|hybrid-rfc-2025|replace-set-2026|all]\n       npm run --silent sim -- encode SCENARIO.json | decode FRAGMENT\n  TIME is virtual time since boot, as dmesg shows it: 30s, 1500ms, 2.5s';

interface Options {
  timestamps: boolean;
  format: string;
  until?: number;
  summary: boolean;
  analysis: boolean;
  file: string;
  /** --export-case DIR: write the run as a conformance case there instead of printing the log. */
  exportCase?: string;
  /** --compare: the second scenario. */
  compare?: string;
  /** --search: the state-space search (src/search/) instead of one run. */
  search: boolean;
  goal: string;
  depth?: number;
  /** --policy: search under this policy (or every one) instead of the scenario's. */
  policy: PolicyChoice;
}

/** Where sim writes: the console, or (the golden-transcript test) two arrays of lines. */
export interface SimIO {
  out(text: string): void;
  err(text: string): void;
}

/** The terminal: escape sequences from a document are printed, not obeyed. */
const CONSOLE_IO: SimIO = { out: (t) => console.log(terminalSafe(t)), err: (t) => console.error(terminalSafe(t)) };

function parseArgs(argv: string[], io: SimIO): Options | { exit: number } {
  const o: Options = { timestamps: true, format: 'text', summary: false, analysis: false, file: '', search: false, goal: 'default', policy: 'scenario' };
  const files: string[] = [];
  let goalGiven = false;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = (name: string) => (a === name ? (argv[++i] ?? '') : a.slice(name.length + 1));
    if (a === '--no-timestamps') o.timestamps = false;
    else if (a === '--summary') o.summary = true;
    else if (a === '--analysis') o.analysis = true;
    else if (a === '--format' || a.startsWith('--format=')) o.format = value('--format');
    else if (a === '--export-case' || a.startsWith('--export-case=')) {
      o.exportCase = value('--export-case');
      if (!o.exportCase) {
        io.err('sim: --export-case expects a folder to write the case file into');
        return { exit: 2 };
      }
    }
    else if (a === '--compare' || a.startsWith('--compare=')) o.compare = value('--compare');
    else if (a === '--search') o.search = true;
    else if (a === '--goal' || a.startsWith('--goal=')) {
      goalGiven = true;
      o.goal = value('--goal');
      if (!isGoal(o.goal)) {
        io.err(`sim: --goal must be one of ${GOALS.join(', ')}, got '${o.goal}'`);
        return { exit: 2 };
      }
    } else if (a === '--policy' || a.startsWith('--policy=')) {
      const p = value('--policy');
      if (!isPolicyChoice(p)) {
        io.err(`sim: --policy must be one of ${POLICY_NAMES.join(', ')} or all, got '${p}'`);
        return { exit: 2 };
      }
      o.policy = p;
    } else if (a === '--depth' || a.startsWith('--depth=')) {
      const d = value('--depth');
      if (!/^\d{1,4}$/.test(d) || Number(d) < 1) {
        io.err(`sim: --depth expects a number of steps from 1 to 9999, got '${d}'`);
        return { exit: 2 };
      }
      o.depth = Number(d);
    }
    else if (a === '--until' || a.startsWith('--until=')) {
      const t = value('--until');
      const us = parseScriptTime(t);
      if (us === null) {
        io.err(`sim: --until expects a virtual time such as 30s, 1500ms or 2.5s, got '${t}'`);
        return { exit: 2 };
      }
      o.until = us;
    } else if (a === '-h' || a === '--help') {
      io.out(USAGE);
      return { exit: 0 };
    } else if (a.startsWith('-')) {
      io.err(`sim: unknown option '${a}'\n${USAGE}`);
      return { exit: 2 };
    } else files.push(a);
  }
  if (o.format !== 'text' && o.format !== 'json') {
    io.err(`sim: --format must be text or json, got '${o.format}'`);
    return { exit: 2 };
  }
  if (o.policy !== 'scenario' && !o.search) {
    io.err('sim: --policy goes with --search (a single run takes the scenario\'s kernel.policy)');
    return { exit: 2 };
  }
  if (!o.search && (goalGiven || o.depth !== undefined)) {
    io.err(`sim: ${goalGiven ? '--goal' : '--depth'} goes with --search`);
    return { exit: 2 };
  }
  if (o.search && (o.compare !== undefined || o.exportCase !== undefined || o.analysis || o.summary || o.until !== undefined || o.format !== 'text' || !o.timestamps)) {
    io.err('sim: --search prints its own report: it takes no --compare, --export-case, --analysis, --summary, --until, --format or --no-timestamps');
    return { exit: 2 };
  }
  if (o.compare !== undefined && (o.exportCase !== undefined || o.summary)) {
    io.err('sim: --compare prints the diff of two runs: it takes no --export-case or --summary');
    return { exit: 2 };
  }
  if (files.length !== 1) {
    io.err(USAGE);
    return { exit: 2 };
  }
  o.file = files[0];
  return o;
}

/** A scenario document (it has "format") or a case file, as an engine host to run headless; errors name the file. */
function load(file: string, text: string): { host: EngineHost; dependencies: DependencySpec[] } | { errors: string[] } {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    return { errors: [`${file}: not valid JSON (${(e as Error).message})`] };
  }
  let source: SessionSource;
  let dependencies: DependencySpec[] = [];
  if (typeof json === 'object' && json !== null && !Array.isArray(json) && 'format' in json) {
    const r = parseScenarioText(text);
    if (!r.ok) return { errors: r.errors.map((e) => `${file}: ${e}`) };
    source = sessionSourceOf(r.scenario, { analysis: false });
    dependencies = r.scenario.dependencies;
  } else {
    const v = validateCase(json, file);
    if (!v.ok) return { errors: v.errors };
    const c = caseSource(v.c);
    if ('errors' in c) return { errors: c.errors.map((e) => `${file}: ${e}`) };
    source = c;
  }
  // Booting may fail (a module the kernel refuses): the message names the file.
  try {
    const host = new EngineHost(source, { record: false });
    return { host, dependencies };
  } catch (e) {
    return { errors: [`${file}: ${(e as Error).message}`] };
  }
}

/** A file's text, at most `max` bytes; null (after the message) when it cannot be read. */
function readText(file: string, max: number, io: SimIO): string | null {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    io.err(`sim: ${file}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'No such file or directory' : (e as Error).message}`);
    return null;
  }
  const bytes = utf8Length(text);
  if (bytes > max) {
    io.err(`sim: ${file}: ${bytes.toLocaleString('en-US')} bytes, more than the ${max.toLocaleString('en-US')} a scenario or case file may have`);
    return null;
  }
  return text;
}

/** `sim encode FILE`: the link fragment of a scenario document. */
function encode(args: string[], io: SimIO): number {
  if (args.length !== 1) {
    io.err('usage: npm run --silent sim -- encode SCENARIO.json');
    return 2;
  }
  const text = readText(args[0], MAX_DOCUMENT_BYTES, io);
  if (text === null) return 1;
  const r = parseScenarioText(text);
  if (!r.ok) {
    io.err(r.errors.map((e) => `sim: ${args[0]}: ${e}`).join('\n'));
    return 1;
  }
  io.out(encodeScenarioUrl(r.scenario));
  return 0;
}

/** `sim decode FRAGMENT`: the scenario JSON a link holds; a bad link is one `link:` message. */
function decode(args: string[], io: SimIO): number {
  if (args.length !== 1) {
    io.err('usage: npm run --silent sim -- decode FRAGMENT   (the part of the link after #, e.g. s=1.eJw...)');
    return 2;
  }
  const r = decodeScenarioUrl(args[0]);
  if (!r.ok) {
    io.err(r.errors[0]);
    return 1;
  }
  for (const d of r.dropped) io.err(`${d} (left out)`);
  io.out(terminalJson(JSON.stringify(toDocument(r.scenario, true), null, 2)));
  return 0;
}

/**
 * `sim FILE --export-case DIR`: the run of a scenario document (or a case file's script on its
 * machine) to the end of its script, written as DIR/<id>.json in the format `npm run
 * conformance` reads (src/scenario/caseExport.ts).
 */
function writeCase(o: Options, text: string, io: SimIO): number {
  if (o.until !== undefined || o.summary || o.analysis) {
    io.err('sim: --export-case runs the whole script; it takes no --until, --summary or --analysis');
    return 2;
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    io.err(`sim: ${o.file}: not valid JSON (${(e as Error).message})`);
    return 1;
  }
  let r: ReturnType<typeof exportCase>;
  if (typeof json === 'object' && json !== null && !Array.isArray(json) && 'format' in json) {
    const p = parseScenarioText(text);
    if (!p.ok) {
      io.err(p.errors.map((e) => `sim: ${o.file}: ${e}`).join('\n'));
      return 1;
    }
    r = exportCase(p.scenario);
  } else {
    const v = validateCase(json, o.file);
    if (!v.ok) {
      io.err(v.errors.map((e) => `sim: ${e}`).join('\n'));
      return 1;
    }
    const { expectedLog: _, ...base } = v.c;
    r = completeCase(base);
  }
  if (!r.ok) {
    io.err(`sim: ${o.file}: ${r.error}`);
    return 1;
  }
  const path = join(o.exportCase ?? '.', `${r.c.id}.json`);
  try {
    mkdirSync(o.exportCase ?? '.', { recursive: true });
    writeFileSync(path, caseText(r.c));
  } catch (e) {
    io.err(`sim: ${path}: ${(e as Error).message}`);
    return 1;
  }
  io.out(`${path}: case '${r.c.id}', ${r.c.script.length} script lines, ${r.c.expectedLog.length} expected log lines`);
  return 0;
}

/** One side of `--compare`: the file run to its end (or --until) with the analysis attached; null after the message. */
function compareSide(file: string, o: Options, io: SimIO): CompareSide | null {
  const text = readText(file, Math.max(MAX_DOCUMENT_BYTES, MAX_CASE_BYTES), io);
  if (text === null) return null;
  const loaded = load(file, text);
  if ('errors' in loaded) {
    io.err(loaded.errors.map((e) => `sim: ${e}`).join('\n'));
    return null;
  }
  const { host } = loaded;
  const sim = host.session.sim;
  const { analysis } = attachConsistency(sim, loaded.dependencies);
  const out = host.runToEnd({ until: o.until });
  host.close();
  const policy = sim.kernel.config.policy;
  return { name: file, policy, proposal: policyByName(policy).proposal, analysis: analysisJson(analysis, policy, commandAtOf(out.outcomes)), log: comparedLogLines(sim.log) };
}

/** `sim A --compare B`: both runs, then the diff of their analyses and logs. */
function compare(o: Options, io: SimIO): number {
  if (!o.compare) {
    io.err(`sim: --compare needs a second scenario file\n${USAGE}`);
    return 2;
  }
  const a = compareSide(o.file, o, io);
  const b = a && compareSide(o.compare, o, io);
  if (!a || !b) return 1;
  const r = compareRuns(a, b);
  if (o.format === 'json') io.out(terminalJson(JSON.stringify({ a: { file: a.name, policy: a.policy }, b: { file: b.name, policy: b.policy }, universes: r.universes, violations: r.violations, log: { onlyA: r.log.onlyA, onlyB: r.log.onlyB, truncated: r.log.truncated, lines: r.log.ops.filter((x) => x.op !== '=') } }, null, 1)));
  else io.out(compareLines(a, b, r).join('\n'));
  return 0;
}

/** `--search`: a scenario document only (a case file has no modules of its own to search). */
function searchFile(o: Options, text: string, io: SimIO): number {
  const r = parseScenarioText(text);
  if (!r.ok) {
    io.err(r.errors.map((e) => `sim: ${o.file}: ${e}`).join('\n'));
    return 1;
  }
  return runSearch(r.scenario, o.goal as Goal, o.depth, o.policy, io.out, (t) => io.err(t.replace(/^sim: /, `sim: ${o.file}: `)));
}

/** The whole command: arguments in, output to `io`, exit status back. */
export function main(argv: string[], io: SimIO = CONSOLE_IO): number {
  if (argv[0] === 'encode') return encode(argv.slice(1), io);
  if (argv[0] === 'decode') return decode(argv.slice(1), io);
  const o = parseArgs(argv, io);
  if ('exit' in o) return o.exit;
  if (o.compare !== undefined) return compare(o, io);
  const text = readText(o.file, Math.max(MAX_DOCUMENT_BYTES, MAX_CASE_BYTES), io);
  if (text === null) return 1;
  if (o.exportCase !== undefined) return writeCase(o, text, io);
  if (o.search) return searchFile(o, text, io);
  const loaded = load(o.file, text);
  if ('errors' in loaded) {
    io.err(loaded.errors.map((e) => `sim: ${e}`).join('\n'));
    return 1;
  }
  const { host } = loaded;
  const sim = host.session.sim;
  const now = sim.kernel.clock.now;
  if (o.until !== undefined && o.until < now) {
    io.err(`sim: --until ${formatSeconds(o.until)} is before the script starts (the machine has booted at ${formatSeconds(now)})`);
    return 2;
  }
  if (o.until !== undefined && o.until > now + MAX_VIRTUAL_US) {
    io.err(`sim: --until ${formatSeconds(o.until)} is past the 24 h of virtual time a run may last (the script starts at ${formatSeconds(now)})`);
    return 2;
  }
  const analysis = o.analysis ? attachConsistency(sim, loaded.dependencies).analysis : null;
  const out = host.runToEnd({ until: o.until });
  host.close();
  const log = () => sim.log.map((r) => ({ time: r.time / 1e6, level: LEVEL_NAMES[r.level], text: r.text }));
  const commandAt = commandAtOf(out.outcomes);
  const policy = sim.kernel.config.policy;
  if (o.format === 'json') {
    io.out(terminalJson(JSON.stringify(analysis ? { log: log(), analysis: analysisJson(analysis, policy, commandAt) } : log(), null, 1)));
  } else {
    for (const r of sim.log) io.out(formatDmesg(r, o.timestamps));
  }
  if (o.summary) io.out(summaryLines(sim.kernel, sim.klpEvents).join('\n'));
  if (analysis && o.format !== 'json') io.out(analysisLines(analysis, policy, commandAt).join('\n'));
  let status = 0;
  for (const l of out.outcomes) {
    if (l.result.status !== 0) {
      io.err(`sim: line ${l.line.line} (${l.line.text}) failed: ${l.result.err.join('; ') || `exit status ${l.result.status}`}`);
      status = 1;
    }
  }
  if (out.died) {
    io.err(`sim: line ${out.died.line.line} (${out.died.line.text}) died: ${out.died.reason}`);
    status = 1;
  }
  if (out.budget) {
    io.err(`sim: ${out.budget.message}`);
    status = 1;
  }
  if (out.stoppedAt !== undefined) io.err(`sim: stopped at ${formatSeconds(out.stoppedAt)} (--until) before the script ended`);
  return status;
}

/**
 * `sim FILE | head -1`: the reader has gone. Node ignores SIGPIPE, so a write fails with EPIPE
 * instead; sim then does what `cat` does under the shell's default SIGPIPE action: it stops
 * silently with status 141 (128 + SIGPIPE), which the pipeline's status (head's) hides.
 */
const SIGPIPE_STATUS = 141;

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (e: NodeJS.ErrnoException) => {
      if (e.code !== 'EPIPE') throw e;
      process.exit(SIGPIPE_STATUS);
    });
  }
  process.exitCode = main(process.argv.slice(2));
}
