// The selftest helpers of tools/testing/selftests/livepatch/functions.sh (HELPERS.md), line
// by line, built from the shell commands; and the script language's waits and checks. A
// helper that fails calls `die`: it logs `ERROR: ...` to /dev/kmsg and the script ends.

import type { Step } from '../../kernel/exec';
import { modeString } from '../../kernel/vfs';
import type { Shell } from '../shell';
import { ok, ScriptDied, selftestHelpers, type CmdResult } from './registry';

const SYSFS_KLP_DIR = '/sys/kernel/livepatch';
const TRACING_DIR = '/sys/kernel/tracing';
const MAX_RETRIES = 600;
const RETRY_INTERVAL_US = 100_000;

// ------------------------------------------------------------------ functions.sh internals

/** `log msg`: one kmsg record written by the shell itself. */
function* log(sh: Shell, msg: string): Step<void> {
  yield* sh.writeFile(sh.x, '/dev/kmsg', msg + '\n');
}

function* die(sh: Shell, msg: string): Step<never> {
  yield* log(sh, `ERROR: ${msg}`);
  throw new ScriptDied(msg, 1);
}

/** loop_until: up to 601 evaluations with `sleep .1` between them. */
function* loopUntil(sh: Shell, cond: () => Step<boolean>): Step<boolean> {
  for (let i = 0; ; i++) {
    if (yield* cond()) return true;
    if (i === MAX_RETRIES) return false;
    yield* sh.external('sleep', [String(RETRY_INTERVAL_US / 1e6)]);
  }
}

function* exists(sh: Shell, path: string): Step<boolean> {
  // [[ -e path ]] is a stat() by bash itself.
  const n = sh.vfs.lookup(path);
  sh.k.exitToUserMode(sh.slot);
  return n !== null;
}

/** `$(cmd 2>&1)`. */
function* capture(sh: Shell, cmd: string, args: string[]): Step<string> {
  const r = yield* sh.external(cmd, args);
  return [...r.out, ...r.err].join('\n');
}

function* grepQ(sh: Shell, pattern: string, path: string): Step<boolean> {
  const r = yield* sh.external('grep', ['-q', pattern, path]);
  return r.status === 0;
}

function* catValue(sh: Shell, path: string): Step<string> {
  const r = yield* sh.external('cat', [path]);
  return r.out.join('\n');
}

function* echoTo(sh: Shell, value: string, path: string): Step<CmdResult> {
  return yield* sh.shellCommand('echo', [value], { path, append: false });
}

function* isLivepatchMod(sh: Shell, mod: string): Step<boolean> {
  const def = sh.files.find(`${sh.moduleDir}/${mod}.ko`);
  if (!def) yield* die(sh, `Can't find "${sh.moduleDir}/${mod}.ko", try "make"`);
  return def?.livepatch === true;
}

function* loadModLine(sh: Shell, mod: string, params: string[]): Step<string> {
  const msg = `% insmod ${sh.moduleDir}/${mod}.ko ${params.join(' ')}`;
  yield* log(sh, msg.endsWith(' ') ? msg.slice(0, -1) : msg);
  return yield* capture(sh, 'insmod', [`${sh.moduleDir}/${mod}.ko`, ...params]);
}

function* __loadMod(sh: Shell, mod: string, params: string[]): Step<void> {
  const ret = yield* loadModLine(sh, mod, params);
  if (ret) yield* die(sh, ret);
  if (!(yield* loopUntil(sh, () => exists(sh, `/sys/module/${mod}`)))) yield* die(sh, `failed to load module ${mod}`);
}

function* loadLpNowait(sh: Shell, mod: string, params: string[]): Step<void> {
  if (!(yield* isLivepatchMod(sh, mod))) yield* die(sh, `module ${mod} is not a livepatch`);
  yield* __loadMod(sh, mod, params);
  if (!(yield* loopUntil(sh, () => exists(sh, `${SYSFS_KLP_DIR}/${mod}`)))) yield* die(sh, `failed to load module ${mod} (sysfs)`);
}

function* unloadMod(sh: Shell, mod: string): Step<CmdResult> {
  const refcnt = yield* loopUntil(sh, function* () {
    return (yield* catValue(sh, `/sys/module/${mod}/refcnt`)) === '0';
  });
  if (!refcnt) yield* die(sh, `failed to unload module ${mod} (refcnt)`);
  yield* log(sh, `% rmmod ${mod}`);
  const ret = yield* capture(sh, 'rmmod', [mod]);
  if (ret) yield* die(sh, ret);
  if (!(yield* loopUntil(sh, function* () {
    return !(yield* exists(sh, `/sys/module/${mod}`));
  }))) yield* die(sh, `failed to unload module ${mod} (/sys/module)`);
  return ok();
}

function* cleanupTracing(sh: Shell): Step<void> {
  yield* echoTo(sh, '0', `${TRACING_DIR}/tracing_on`);
  yield* echoTo(sh, '', `${TRACING_DIR}/set_ftrace_filter`);
  yield* echoTo(sh, 'nop', `${TRACING_DIR}/current_tracer`);
  yield* echoTo(sh, '', `${TRACING_DIR}/trace`);
}

function* countLines(sh: Shell, cmd: string): Step<number> {
  const r = yield* sh.runText(cmd);
  return r.out.length;
}

// ------------------------------------------------------------------ functions.sh helpers

const moduleArgs = { min: 1, max: Infinity };

selftestHelpers.register({
  name: 'load_mod',
  usage: 'load_mod MODULE [param=value ...]',
  args: moduleArgs,
  group: 'helper',
  *run(sh, [mod, ...params]) {
    if (yield* isLivepatchMod(sh, mod)) yield* die(sh, `use load_lp() to load the livepatch module ${mod}`);
    yield* __loadMod(sh, mod, params);
    return ok();
  },
});

selftestHelpers.register({
  name: 'load_lp',
  usage: 'load_lp MODULE [param=value ...]',
  args: moduleArgs,
  group: 'helper',
  *run(sh, [mod, ...params]) {
    yield* loadLpNowait(sh, mod, params);
    if (!(yield* loopUntil(sh, () => grepQ(sh, '^0$', `${SYSFS_KLP_DIR}/${mod}/transition`)))) yield* die(sh, 'failed to complete transition');
    return ok();
  },
});

selftestHelpers.register({
  name: 'load_lp_nowait',
  usage: 'load_lp_nowait MODULE [param=value ...]',
  args: moduleArgs,
  group: 'helper',
  *run(sh, [mod, ...params]) {
    yield* loadLpNowait(sh, mod, params);
    return ok();
  },
});

selftestHelpers.register({
  name: 'load_failing_mod',
  usage: 'load_failing_mod MODULE [param=value ...]',
  args: moduleArgs,
  group: 'helper',
  *run(sh, [mod, ...params]) {
    const ret = yield* loadModLine(sh, mod, params);
    if (!ret) yield* die(sh, `${mod} unexpectedly loaded`);
    yield* log(sh, ret);
    return ok();
  },
});

selftestHelpers.register({ name: 'unload_mod', usage: 'unload_mod MODULE', args: { min: 1, max: 1 }, group: 'helper', run: (sh, [mod]) => unloadMod(sh, mod) });
selftestHelpers.register({ name: 'unload_lp', usage: 'unload_lp MODULE', args: { min: 1, max: 1 }, group: 'helper', run: (sh, [mod]) => unloadMod(sh, mod) });

selftestHelpers.register({
  name: 'disable_lp',
  usage: 'disable_lp MODULE',
  args: { min: 1, max: 1 },
  group: 'helper',
  *run(sh, [mod]) {
    const path = `${SYSFS_KLP_DIR}/${mod}/enabled`;
    yield* log(sh, `% echo 0 > ${path}`);
    const r = yield* echoTo(sh, '0', path);
    if (!(yield* loopUntil(sh, function* () {
      return !(yield* exists(sh, `${SYSFS_KLP_DIR}/${mod}`));
    }))) yield* die(sh, `failed to disable livepatch ${mod}`);
    return { out: [], err: r.err, status: 0 };
  },
});

selftestHelpers.register({
  name: 'set_pre_patch_ret',
  usage: 'set_pre_patch_ret MODULE RET',
  args: { min: 2, max: 2 },
  group: 'helper',
  *run(sh, [mod, ret]) {
    const path = `/sys/module/${mod}/parameters/pre_patch_ret`;
    yield* log(sh, `% echo ${ret} > ${path}`);
    yield* echoTo(sh, ret, path);
    if (!(yield* loopUntil(sh, function* () {
      return (yield* catValue(sh, path)) === ret;
    }))) yield* die(sh, `failed to set pre_patch_ret parameter for ${mod} module`);
    return ok();
  },
});

selftestHelpers.register({
  name: 'set_ftrace_enabled',
  usage: 'set_ftrace_enabled [--fail] 0|1',
  args: { min: 1, max: 2 },
  group: 'helper',
  check(args) {
    const vals = args[0] === '--fail' ? args.slice(1) : args;
    return vals.length !== 1 || !/^[01]$/.test(vals[0]) ? `usage: ${this.usage}` : null;
  },
  *run(sh, args) {
    const canFail = args[0] === '--fail';
    const value = canFail ? args[1] : args[0];
    const err = yield* capture(sh, 'sysctl', ['-q', `kernel.ftrace_enabled=${value}`]);
    const result = yield* capture(sh, 'sysctl', ['--values', 'kernel.ftrace_enabled']);
    if (result !== value) {
      if (canFail) {
        yield* log(sh, `livepatch: ${err}`.replace('/proc/sys/kernel/', 'kernel.'));
        return ok();
      }
      yield* log(sh, `SKIP: failed to set kernel.ftrace_enabled = ${value}`);
      throw new ScriptDied(`SKIP: failed to set kernel.ftrace_enabled = ${value}`, 4);
    }
    yield* log(sh, `livepatch: kernel.ftrace_enabled = ${result}`);
    return ok();
  },
});

selftestHelpers.register({
  name: 'check_sysfs_value',
  usage: 'check_sysfs_value MODULE ATTR VALUE',
  args: { min: 3, max: 3 },
  group: 'helper',
  *run(sh, [mod, rel, expected]) {
    const path = `${SYSFS_KLP_DIR}/${mod}/${rel}`;
    const value = (yield* catValue(sh, path)).split(/\s+/).filter(Boolean).join(' ');
    if (value !== expected) yield* die(sh, `Unexpected value in ${path}: ${expected} vs. ${value}`);
    return ok();
  },
});

selftestHelpers.register({
  name: 'check_sysfs_rights',
  usage: 'check_sysfs_rights MODULE ATTR MODE',
  args: { min: 3, max: 3 },
  group: 'helper',
  *run(sh, [mod, rel, expected]) {
    const path = `${SYSFS_KLP_DIR}/${mod}/${rel}`;
    const n = sh.vfs.lookup(path);
    const rights = n ? modeString(n) : '';
    if (rights !== expected) yield* die(sh, `Unexpected access rights of ${path}: ${expected} vs. ${rights}`);
    return ok();
  },
});

selftestHelpers.register({
  name: 'trace_function',
  usage: 'trace_function FUNCTION',
  args: { min: 1, max: 1 },
  group: 'helper',
  *run(sh, [fn]) {
    yield* cleanupTracing(sh);
    yield* echoTo(sh, 'function', `${TRACING_DIR}/current_tracer`);
    yield* echoTo(sh, fn, `${TRACING_DIR}/set_ftrace_filter`);
    yield* echoTo(sh, '1', `${TRACING_DIR}/tracing_on`);
    return ok();
  },
});

selftestHelpers.register({
  name: 'check_traced_functions',
  usage: 'check_traced_functions FUNCTION...',
  args: { min: 1, max: Infinity },
  group: 'helper',
  *run(sh, fns) {
    for (const f of fns) {
      const r = yield* sh.external('grep', ['-Fwq', f, `${TRACING_DIR}/trace`]);
      if (r.status !== 0) yield* die(sh, `Function (${f}) did not appear in the trace`);
    }
    yield* cleanupTracing(sh);
    return ok();
  },
});

selftestHelpers.register({
  name: 'log',
  usage: "log 'TEXT'",
  args: { min: 1, max: 1 },
  group: 'helper',
  *run(sh, [msg]) {
    yield* log(sh, msg);
    return ok();
  },
});

// ------------------------------------------------------------------ waits and checks

const lineCount = (name: string) => (args: readonly string[], ctx: { checkInner(t: string): string | null }) =>
  /^\d+$/.test(args[1]) ? ctx.checkInner(args[0]) : `${name} expects a line count, got '${args[1]}'`;
const innerCommand = (args: readonly string[], ctx: { checkInner(t: string): string | null }) => ctx.checkInner(args[0]);

selftestHelpers.register({
  // functions.sh loop_until(cmd): `eval "$*"` until it succeeds, at most MAX_RETRIES + 1 times
  // with `sleep $RETRY_INTERVAL` between; returns 1 (no die: the caller's `|| die` decides).
  name: 'loop_until',
  usage: "loop_until 'CMD'",
  args: { min: 1, max: Infinity },
  group: 'helper',
  check: (args, ctx) => ctx.checkInner(args.join(' ')),
  *run(sh, args) {
    const cmd = args.join(' ');
    const done = yield* loopUntil(sh, function* () {
      return (yield* sh.runText(cmd)).status === 0;
    });
    return done ? ok() : { out: [], err: [], status: 1 };
  },
});

selftestHelpers.register({
  name: 'wait_sysfs',
  usage: 'wait_sysfs PATH VALUE',
  args: { min: 2, max: 2 },
  group: 'check',
  *run(sh, [path, value]) {
    const pattern = `^${value.replace(/[.*[\]\\^$]/g, '\\$&')}$`;
    if (!(yield* loopUntil(sh, () => grepQ(sh, pattern, path)))) yield* die(sh, `timed out waiting for ${path} to read ${value}`);
    return ok();
  },
});

selftestHelpers.register({
  name: 'wait_count',
  usage: "wait_count 'CMD' N",
  args: { min: 2, max: 2 },
  group: 'check',
  check: lineCount('wait_count'),
  *run(sh, [inner, n]) {
    if (!(yield* loopUntil(sh, function* () {
      return (yield* countLines(sh, inner)) === Number(n);
    }))) yield* die(sh, `timed out waiting for '${inner}' to print ${n} lines`);
    return ok();
  },
});

selftestHelpers.register({
  name: 'assert_count',
  usage: "assert_count 'CMD' N",
  args: { min: 2, max: 2 },
  group: 'check',
  check: lineCount('assert_count'),
  *run(sh, [inner, n]) {
    const got = yield* countLines(sh, inner);
    if (got !== Number(n)) yield* die(sh, `'${inner}' printed ${got} lines, expected ${n}`);
    return ok();
  },
});

function* outputOf(sh: Shell, inner: string): Step<string> {
  const r = yield* sh.runText(inner);
  return [...r.out, ...r.err].join('\n');
}

selftestHelpers.register({
  name: 'assert_output',
  usage: "assert_output 'CMD' 'TEXT'",
  args: { min: 2, max: 2 },
  group: 'check',
  check: innerCommand,
  *run(sh, [inner, text]) {
    const got = yield* outputOf(sh, inner);
    if (got !== text) yield* die(sh, `'${inner}' printed '${got}', expected '${text}'`);
    return ok();
  },
});

selftestHelpers.register({
  name: 'assert_output_not',
  usage: "assert_output_not 'CMD' 'TEXT'",
  args: { min: 2, max: 2 },
  group: 'check',
  check: innerCommand,
  *run(sh, [inner, text]) {
    const got = yield* outputOf(sh, inner);
    if (got === text) yield* die(sh, `'${inner}' printed '${got}'`);
    return ok();
  },
});
