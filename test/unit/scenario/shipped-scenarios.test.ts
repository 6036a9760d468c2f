// The scenario files shipped under public/scenarios/ (issue 3): each validates, is written
// as the explorer writes documents (pretty-printed, titled, described), and runs to the
// outcome its description promises, through an engine host and the same run + summary
// path as `npm run sim` (src/cli/sim.ts). One file is also run through the CLI itself.

import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Simulation } from '../../../src/engine/simulation';
import type { LineOutcome } from '../../../src/engine/runner';
import { pendingByReason, summaryLines } from '../../../src/engine/summary';
import { KLP_TRANSITION_IDLE } from '../../../src/kernel/constants';
import { formatAddr } from '../../../src/kernel/symbols';
import { parseScenarioText, type Scenario } from '../../../src/scenario/document';
import { DEBATE_CHECKS } from '../../support/debateScenarios';
import { bootScenario } from '../../support/helpers';

const ROOT = join(__dirname, '..', '..', '..');
const DIR = join(ROOT, 'public', 'scenarios');
const FILES = readdirSync(DIR).filter((f) => f.endsWith('.json')).sort();
const R6 = 'livepatch_61_release6';
const R12 = 'livepatch_61_release12';
/** A time as the summary prints it (formatSeconds). */
const T = '\\d+(?:\\.\\d+)?s';

interface Run {
  scenario: Scenario;
  sim: Simulation;
  outcomes: LineOutcome[];
  texts: string[];
  summary: string[];
  transitions: string[];
}

function load(file: string): Scenario {
  const r = parseScenarioText(readFileSync(join(DIR, file), 'utf8'));
  if (!r.ok) throw new Error(`${file}: ${r.errors.join('; ')}`);
  return r.scenario;
}

const runs = new Map<string, Run>();

/** Run a shipped scenario to the end of its script, once per file. */
function run(file: string): Run {
  const done = runs.get(file);
  if (done) return done;
  const scenario = load(file);
  const b = bootScenario(scenario);
  const sim = b.sim;
  const out = b.run();
  expect(out.died).toBeUndefined();
  expect(out.outcomes).toHaveLength(b.host.session.entries.filter((l) => l.trim() && !l.trim().startsWith('#')).length);
  const summary = summaryLines(sim.kernel, sim.klpEvents);
  const r: Run = { scenario, sim, outcomes: out.outcomes, texts: sim.log.map((l) => l.text), summary, transitions: summary.filter((l) => l.startsWith('transition: ')) };
  runs.set(file, r);
  return r;
}

/** The outcomes of the script lines with this text, in order. */
function outcomesOf(r: Run, text: string): LineOutcome[] {
  const found = r.outcomes.filter((o) => o.line.text.replace(/^\s*at\s+[^:]*:\s*/, '') === text);
  if (!found.length) throw new Error(`no script line '${text}'`);
  return found;
}

function failed(r: Run): string[] {
  return r.outcomes.filter((o) => o.result.status !== 0).map((o) => o.line.text);
}

function slotOf(sim: Simulation, comm: string): number {
  const t = sim.kernel.tasks;
  for (let s = 0; s < t.n; s++) if (t.commOf(s) === comm) return s;
  throw new Error(`no task ${comm}`);
}

/** Functions on the task's stack, innermost first, as `name [owner]`. */
function stackOf(sim: Simulation, slot: number): string[] {
  const k = sim.kernel;
  return k.trie
    .frames(k.tasks.stack[slot])
    .map((c) => k.syms.codes[c])
    .map((c) => `${c.name} [${c.owner}]`);
}

/**
 * What blocks the n-th transition of a shipped scenario right after its first attempt: the
 * machine built again and run until just after that attempt.
 */
function pendingAfterFirstAttempt(file: string, n: number) {
  const done = run(file);
  const inits = done.sim.klpEvents.filter((e) => e.event.type === 'klp.init');
  const attempt = done.sim.klpEvents.find((e) => e.event.type === 'klp.attempt' && e.time >= inits[n].time);
  if (!attempt) throw new Error(`transition ${n} of ${file} made no attempt`);
  const b = bootScenario(done.scenario);
  b.run({ until: attempt.time + 1 });
  return pendingByReason(b.sim.kernel);
}

/** Log records up to (not including) virtual time `us`. */
function logBefore(sim: Simulation, us: number): string[] {
  return sim.log.filter((l) => l.time < us).map((l) => `${l.time} ${l.text}`);
}

const CHECKS: Record<string, () => void> = {
  ...DEBATE_CHECKS,
  'stress-loop.json': () => {
    const r = run('stress-loop.json');
    const k = r.sim.kernel;
    expect(k.nrCpus).toBe(128);
    expect(k.features.release).toMatch(/^6\.1\./);
    expect(r.sim.workload?.classes.reduce((n, c) => n + c.initialCount, 0)).toBe(12_000);
    // Release6 at boot, then three upgrades and three downgrades, each complete.
    const names = r.transitions.map((l) => new RegExp(`^transition: patching (\\S+) complete at ${T} after \\d+ attempts$`).exec(l)?.[1]);
    expect(names).toEqual([R6, R12, R6, R12, R6, R12, R6]);
    expect(outcomesOf(r, `rmmod ${R6}`).length + outcomesOf(r, `rmmod ${R12}`).length).toBe(6);
    expect(failed(r)).toEqual([]);
    expect([...k.modules.keys()].filter((m) => m.startsWith('livepatch_61'))).toEqual([R6]);
    // C5: the one WARN, during one of the switches, from a task in the other release's do_exit
    // (with the retries at the jiffies' N.704 s it falls in the fifth switch, back to release6).
    expect(r.summary.slice(-2)).toEqual([
      'tasklist_lock: read-held by 14 attempt walks, 0.264762s in all; longest 0.03801s at 34.74157s (12670 threads checked, 0 debug lines printed); writers delayed: 161, longest spin 0.037415s',
      'warnings: 1 WARN, 0 BUG, 0 Oops',
    ]);
    const at = r.texts.indexOf('------------[ cut here ]------------');
    expect(r.texts[at + 1]).toMatch(/^WARNING: CPU: \d+ PID: \d+ at kernel\/livepatch\/patch\.c:\d+ klp_ftrace_handler\+0x[0-9a-f]+\/0x[0-9a-f]+$/);
    let from0 = at;
    while (from0 > 0 && !r.texts[from0].startsWith('livepatch: enabling patch ')) from0--;
    const enabling = r.texts[from0];
    const [to, from] = enabling.includes(R12) ? [R12, R6] : [R6, R12];
    expect(r.texts.slice(at, r.texts.indexOf('---[ end trace 0000000000000000 ]---', at)).some((l) => new RegExp(`^ do_exit\\+0x[0-9a-f]+/0x[0-9a-f]+ \\[${from}\\]$`).test(l))).toBe(true);
    expect(at).toBeLessThan(r.texts.indexOf(`livepatch: '${to}': patching complete`, from0));
    // The first upgrade after its first attempt: idle CPUs and a few threads in patched functions.
    const p = pendingAfterFirstAttempt('stress-loop.json', 1);
    const byReason = new Map(p.reasons.map((g) => [g.reason, g]));
    expect(byReason.get('running')?.count).toBe(127);
    const others = p.reasons.filter((g) => g.reason !== 'running');
    expect(others.length).toBeGreaterThan(0);
    for (const g of others) {
      expect(g.reason).toMatch(/^sleeping on function (do_iter_readv_writev|do_exit), uninterruptible$/);
      for (const e of g.examples) expect(e).toMatch(g.reason.includes('do_exit') ? /^job-\d+:\d+$/ : /^io-\d+:\d+$/);
    }
    expect(p.total - 127).toBeLessThan(20);
  },

  'server-1m.json': () => {
    const r = run('server-1m.json');
    expect(r.sim.workload?.classes.reduce((n, c) => n + c.initialCount, 0)).toBe(1_000_000);
    expect(r.sim.kernel.tasks.n).toBeGreaterThan(1_000_000);
    expect(r.transitions).toHaveLength(1);
    expect(r.transitions[0]).toMatch(new RegExp(`^transition: patching ${R12} complete at ${T} after \\d+ attempts$`));
    expect(r.texts).toContain(`livepatch: '${R12}': patching complete`);
    // The million-thread walk holds tasklist_lock for 3 s: the forks and exits of the nginx
    // workers wait behind it, below the hard-lockup threshold (10 s) and the RCU Tasks one (10 s).
    expect(r.summary.slice(-3)).toEqual([
      'signals: 0 rounds, 0 tasks signalled',
      'tasklist_lock: read-held by 2 attempt walks, 3.001959s in all; longest 3.001959s at 4.21397s (1000653 threads checked, 0 debug lines printed); writers delayed: 241, longest spin 2.997359s',
      'warnings: 0 WARN, 0 BUG, 0 Oops',
    ]);
    expect(r.summary.some((l) => l.startsWith('pending:'))).toBe(false);
    expect(failed(r)).toEqual([]);
    // After the first walk only the idle CPUs are left: 127 of 128 (the walk itself runs on one).
    const p = pendingAfterFirstAttempt('server-1m.json', 0);
    expect(p.total).toBe(127);
    expect(p.reasons.map((g) => [g.reason, g.count])).toEqual([['running', 127]]);
    expect(p.reasons[0].examples).toEqual(['swapper/1:0', 'swapper/2:0', 'swapper/3:0']);
  },

  'do-exit-crash.json': () => {
    const r = run('do-exit-crash.json');
    const k = r.sim.kernel;
    const [rm] = outcomesOf(r, `rmmod ${R6}`);
    expect(rm.result.status).toBe(0);
    expect(failed(r)).toEqual([]);
    expect(r.transitions).toHaveLength(2);
    expect(r.transitions[1]).toMatch(new RegExp(`^transition: patching ${R12} complete at ${T} after \\d+ attempts$`));
    const oldDoExit = k.syms.codes.find((c) => c.owner === R6 && c.name === 'do_exit');
    if (!oldDoExit) throw new Error('release6 has no do_exit');
    const addr = formatAddr(oldDoExit.addr);
    const bugs = r.sim.log.map((l, i) => ({ l, i })).filter(({ l }) => l.text.startsWith('BUG: '));
    expect(bugs.length).toBeGreaterThan(0);
    // Every BUG is a page fault at release6's do_exit, after the rmmod, in a worker's exit path.
    bugs.forEach(({ l, i }, n) => {
      expect(l.text).toBe(`BUG: unable to handle page fault for address: ${addr}`);
      expect(l.time).toBeGreaterThanOrEqual(rm.time);
      expect(r.texts.slice(i + 1, i + 3)).toEqual(['#PF: supervisor instruction fetch in kernel mode', '#PF: error_code(0x0010) - not-present page']);
      // dump_pagetable() (arch/x86/mm/fault.c): the module's page is gone, the upper levels are not.
      expect(r.texts[i + 3]).toMatch(/^PGD [0-9a-f]+ P4D [0-9a-f]+ PUD [0-9a-f]+ PMD [0-9a-f]+ PTE 0$/);
      expect(r.texts[i + 4]).toBe(`Oops: 0010 [#${n + 1}] PREEMPT SMP NOPTI`);
      // show_fault_oops() and page_fault_oops() print with pr_alert, dump_pagetable() with
      // pr_info, __die() and the rest with KERN_DEFAULT (the default message level, 4).
      expect(r.sim.log.slice(i, i + 5).map((x) => x.level)).toEqual([1, 1, 1, 6, 4]);
      // 6.1's dump_stack_print_info(): no UID, no preemption model.
      expect(r.texts[i + 5]).toMatch(/^CPU: \d+ PID: \d+ Comm: job-\d+ Tainted: G[ A-Z]{18} 6\.1\.0 #1$/);
      expect(r.texts[i + 6]).toMatch(/^Hardware name: /);
      expect(r.texts[i + 7]).toBe(`RIP: 0010:0x${addr}`);
      // show_opcodes(): the freed text cannot be read, 42 bytes before RIP.
      expect(r.texts[i + 8]).toBe(`Code: Unable to access opcode bytes at 0x${(oldDoExit.addr - 42n).toString(16)}.`);
      expect(r.texts[i + 9]).toMatch(/^RSP: 0018:[0-9a-f]{16} EFLAGS: 00010246$/);
      expect(r.texts[i + 17]).toMatch(new RegExp(`^CR2: ${addr} CR3: [0-9a-f]{16} CR4: 0000000000750ef0$`));
      // arch/x86/kernel/process_64.c __show_regs(): `if (cr4 & X86_CR4_PKE)` PKRU (bit 22 of 0x750ef0).
      expect(r.texts[i + 18]).toBe('PKRU: 55555554');
      expect(r.texts.slice(i + 21, i + 25).map((t) => t.replace(/\+0x[0-9a-f]+\/0x[0-9a-f]+$/, ''))).toEqual([' do_group_exit', ' get_signal', ' arch_do_signal_or_restart', ' exit_to_user_mode_loop']);
      const mods = r.texts.indexOf(`Modules linked in: ${R12}(K) [last unloaded: ${R6}(K)]`, i);
      expect(mods).toBeGreaterThan(i);
      // The syscall's user registers end the trace (show_regs_if_on_stack()); do_exit() has
      // dropped the mm, so its text cannot be read, as in the report on the live-patching list.
      expect(r.texts[mods - 10]).toMatch(/^ entry_SYSCALL_64_after_hwframe\+/);
      expect(r.texts[mods - 9]).toMatch(/^RIP: 0033:0x7f[0-9a-f]{10}$/);
      expect(r.texts[mods - 8]).toMatch(/^Code: Unable to access opcode bytes at 0x7f[0-9a-f]{10}\.$/);
      expect(r.texts[mods - 7]).toMatch(/ EFLAGS: 00000246 ORIG_RAX: 00000000000000ca$/);
      expect(r.texts[mods - 6]).toMatch(/^RAX: fffffffffffffe00 /);
      expect(r.texts[mods - 1]).toBe(' </TASK>');
      expect(r.texts.slice(mods + 1, mods + 3)).toEqual([`CR2: ${addr}`, '---[ end trace 0000000000000000 ]---']);
      // arch/x86/kernel/dumpstack.c oops_end(): "Executive summary in case the oops scrolled
      // away": __show_regs(&exec_summary_regs) after oops_exit(). __die_header() saved the regs
      // of the first Oops only (while die_counter was 0): its RIP, Code and registers every
      // time; the FS base and control registers are read when printed (this Oops's).
      const first = bugs[0].i;
      expect(r.texts.slice(mods + 3, mods + 11)).toEqual(r.texts.slice(first + 7, first + 15));
      expect(r.texts.slice(mods + 11, mods + 15)).toEqual(r.texts.slice(i + 15, i + 19));
      // make_task_dead() (kernel/exit.c): the worker oopsed inside do_exit() (PF_EXITING).
      expect(r.sim.log[mods + 15]).toMatchObject({ level: 1, text: 'Fixing recursive fault but reboot is needed!' });
    });
    expect(k.incidents.filter((x) => x.kind === 'oops')).toHaveLength(bugs.length);
    expect(r.summary[r.summary.length - 1]).toBe(`warnings: 1 WARN, ${bugs.length} BUG, ${bugs.length} Oops`);
  },

  'do-exit-delayed-rmmod.json': () => {
    const r = run('do-exit-delayed-rmmod.json');
    const crash = run('do-exit-crash.json');
    const [rm] = outcomesOf(r, `rmmod ${R6}`);
    expect(rm.result.status).toBe(0);
    expect(failed(r)).toEqual([]);
    const complete = r.sim.klpEvents.filter((e) => e.event.type === 'klp.complete')[1];
    expect(rm.time - complete.time).toBeGreaterThanOrEqual(30_000_000);
    expect(r.texts.filter((t) => t.startsWith('BUG:') || t.startsWith('Oops:'))).toEqual([]);
    expect(r.sim.kernel.incidents.filter((x) => x.kind === 'oops')).toEqual([]);
    expect(r.summary[r.summary.length - 1]).toBe('warnings: 1 WARN, 0 BUG, 0 Oops');
    // The same machine as the crash up to the crash's rmmod: only the delay differs.
    const [crashRm] = outcomesOf(crash, `rmmod ${R6}`);
    expect(logBefore(r.sim, crashRm.time)).toEqual(logBefore(crash.sim, crashRm.time));
    expect(r.transitions).toEqual(crash.transitions);
  },

  'stuck-kthread-reverse.json': () => {
    const r = run('stuck-kthread-reverse.json');
    const slot = slotOf(r.sim, 'stuckd');
    const pid = r.sim.kernel.tasks.pid[slot];
    expect(r.texts).toContain("livepatch: applying patch 'lp_kthread_v1' to loading module 'stuckmod'");
    expect(r.texts).toContain(`livepatch: klp_try_switch_task: stuckd:${pid} is sleeping on function stuckd_loop`);
    expect(r.texts).toContain('livepatch: signaling remaining tasks');
    expect(r.texts).toContain("livepatch: 'lp_kthread_v2': reversing transition from patching to unpatching");
    expect(r.texts).toContain("livepatch: 'lp_kthread_v2': unpatching complete");
    expect(r.texts).not.toContain("livepatch: 'lp_kthread_v2': patching complete");
    expect(r.transitions).toHaveLength(2);
    expect(r.transitions[1]).toMatch(new RegExp(`^transition: patching lp_kthread_v2 reversed at ${T}, unpatching complete at ${T} after \\d+ attempts$`));
    expect(failed(r)).toEqual([]);
    expect(r.sim.kernel.modules.has('lp_kthread_v2')).toBe(false);
    expect(r.sim.kernel.klpPatches.map((p) => [p.name, p.enabled, p.forced])).toEqual([['lp_kthread_v1', true, false]]);
    expect(stackOf(r.sim, slot)).toContain('livepatch_stuckd_loop [lp_kthread_v1]');
  },

  'stuck-kthread-force.json': () => {
    const r = run('stuck-kthread-force.json');
    const reverse = run('stuck-kthread-reverse.json');
    const slot = slotOf(r.sim, 'stuckd');
    const pid = r.sim.kernel.tasks.pid[slot];
    expect(r.texts).toContain(`livepatch: klp_try_switch_task: stuckd:${pid} is sleeping on function stuckd_loop`);
    expect(r.texts).toContain('livepatch: forcing remaining tasks to the patched state');
    expect(r.texts).toContain("livepatch: 'lp_kthread_v2': patching complete");
    expect(r.transitions[1]).toMatch(new RegExp(`^transition: patching lp_kthread_v2 complete at ${T} \\(forced\\) after \\d+ attempts$`));
    // The consequence: v1 is forced, its module can never be removed; stuckd still runs its code.
    const [rm] = outcomesOf(r, 'rmmod lp_kthread_v1');
    expect(rm.result.status).toBe(1);
    expect(rm.result.err).toEqual(['rmmod: ERROR: Module lp_kthread_v1 is in use']);
    expect(failed(r)).toEqual(['rmmod lp_kthread_v1']);
    expect(r.sim.kernel.modules.get('lp_kthread_v1')?.refcnt).toBe(1);
    expect(r.texts[r.texts.length - 1]).toBe('1');
    expect(stackOf(r.sim, slot)).toContain('livepatch_stuckd_loop [lp_kthread_v1]');
    expect(r.texts.some((t) => /^\[<0>\] livepatch_stuckd_loop\+0x[0-9a-f]+\/0x[0-9a-f]+ \[lp_kthread_v1\]$/.test(t))).toBe(true);
    // The script's /proc/1034/stack names stuckd.
    expect(pid).toBe(1034);
    // Same machine as the reverse scenario until the operator acts.
    const [act] = outcomesOf(r, 'echo 1 > /sys/kernel/livepatch/lp_kthread_v2/force');
    const [rev] = outcomesOf(reverse, 'echo 0 > /sys/kernel/livepatch/lp_kthread_v2/enabled');
    expect(act.time).toBe(rev.time);
    expect(logBefore(r.sim, act.time - 1)).toEqual(logBefore(reverse.sim, act.time - 1));
  },

  'long-walk-lockup.json': () => {
    const r = run('long-walk-lockup.json');
    const k = r.sim.kernel;
    expect(k.features.release).toMatch(/^6\.1\./);
    expect(k.nrCpus).toBe(32);
    expect(r.sim.workload?.classes.map((c) => c.initialCount)).toEqual([300_000, 2_000]);
    expect(failed(r)).toEqual([]);
    const holds = k.tasklist.holds;
    // Three attempts in 55 s: each walk prints a line per blocked NFS reader inside the read
    // section (8.68 ms each), 16-18 s in all, and the retry is armed after read_unlock.
    expect(holds.map((h) => [h.start, h.checked, h.debugLines])).toEqual([
      [4_213_970, 302_173, 1997],
      // Retries at the jiffies' whole seconds: N.704 s on CPU 0 (round_jiffies_relative(HZ)
      // over jiffies that start at INITIAL_JIFFIES = 2^32 - 300*HZ; 2^32 mod 1000 = 296).
      [23_704_000, 1928, 1928],
      [41_704_000, 1875, 1875],
    ]);
    for (const h of holds) expect(h.end - h.start).toBeCloseTo(h.checked * 3 + h.debugLines * 8680, 6);
    const debug = r.texts.filter((t) => t.endsWith(' is sleeping on function do_iter_readv_writev'));
    expect(debug).toHaveLength(1997 + 1928 + 1875);
    const nfs0 = slotOf(r.sim, 'nfs-0');
    expect(debug[0]).toBe(`livepatch: klp_try_switch_task: nfs-0:${k.tasks.pid[nfs0]} is sleeping on function do_iter_readv_writev`);
    for (const t of debug) expect(t).toMatch(/^livepatch: klp_try_switch_task: nfs-\d+:\d+ is sleeping on function do_iter_readv_writev$/);
    // RCU Tasks: the walker holds each grace period open; 10101 jiffies (rcu_task_stall_info + one scan) in.
    const rcu = r.sim.log.filter((l) => l.text.startsWith('rcu_tasks_wait_gp: '));
    expect(rcu.map((l) => [l.time, l.text])).toEqual([
      [14_314_000, 'rcu_tasks_wait_gp: rcu_tasks grace period 1 is 10101 jiffies old.'],
      [33_805_000, 'rcu_tasks_wait_gp: rcu_tasks grace period 5 is 10101 jiffies old.'],
      [51_805_000, 'rcu_tasks_wait_gp: rcu_tasks grace period 9 is 10101 jiffies old.'],
    ]);
    rcu.forEach((l, i) => expect(l.time - holds[i].start).toBeLessThan(holds[i].end - holds[i].start));
    // Hard LOCKUP: the NMIs of 20 s, 40 s and 50 s find writers spinning with interrupts off.
    const lockups = r.sim.log.map((l, i) => ({ l, i })).filter(({ l }) => l.text.includes('Watchdog detected hard LOCKUP'));
    expect(lockups.map(({ l }) => `${l.time / 1e6} ${l.text}`)).toEqual([
      ...[9, 13, 19, 15, 3, 7, 17].map((cpu) => `20 NMI watchdog: Watchdog detected hard LOCKUP on cpu ${cpu}`),
      ...[8, 12, 23].map((cpu) => `40 NMI watchdog: Watchdog detected hard LOCKUP on cpu ${cpu}`),
      '50 NMI watchdog: Watchdog detected hard LOCKUP on cpu 9',
    ]);
    for (const { l } of lockups) expect(holds.some((h) => h.start < l.time && l.time < h.end)).toBe(true);
    // The first one is a fork: copy_process() spinning in queued_write_lock_slowpath().
    const first = lockups[0].i;
    // show_regs(): RIP, Code: (the pause of cpu_relax()), __show_regs() (IF clear), PKRU.
    expect(r.texts[first + 5]).toMatch(/^Code: .*<f3> 90/);
    expect(r.texts[first + 6]).toMatch(/ EFLAGS: 00000046$/);
    expect(r.texts[first + 15]).toBe('PKRU: 55555554');
    expect(r.texts[first + 23]).toMatch(/^RIP: 0033:0x7f/);
    expect(r.texts[first + 25]).toMatch(/ ORIG_RAX: 0000000000000038$/);
    expect([...r.texts.slice(first + 1, first + 5), ...r.texts.slice(first + 16, first + 23), r.texts[first + 31]].map((t) => t.replace(/\+0x[0-9a-f]+\/0x[0-9a-f]+$/, ''))).toEqual([
      'Modules linked in: livepatch_61_release12(K)',
      `CPU: 9 PID: ${k.tasks.pid[slotOf(r.sim, 'java-221981')]} Comm: java-221981 Tainted: G${' '.repeat(14)}K${' '.repeat(3)} 6.1.0 #1`,
      'Hardware name: QEMU Standard PC (Q35 + ICH9, 2009), BIOS 1.16.3-debian-1.16.3-2 04/01/2014',
      'RIP: 0010:queued_write_lock_slowpath',
      'Call Trace:',
      ' <TASK>',
      ' copy_process',
      ' kernel_clone',
      ' __x64_sys_clone',
      ' do_syscall_64',
      ' entry_SYSCALL_64_after_hwframe',
      ' </TASK>',
    ]);
    // Exits spin there too: release_task() under do_exit().
    expect(r.texts.filter((t) => /^ release_task\+/.test(t)).length).toBeGreaterThan(0);
    // Too few attempts for the fake signals of the 15th.
    expect(r.texts).not.toContain('livepatch: signaling remaining tasks');
    expect(r.transitions).toEqual(['transition: still patching livepatch_61_release12 after 3 attempts (started at 4.21397s)']);
    expect(r.summary.slice(-4)).toEqual([
      'pending: 1818 tasks',
      '  sleeping on function do_iter_readv_writev, uninterruptible: 1818 (nfs-0:301001, nfs-1:301002, nfs-2:301003, ...)',
      'tasklist_lock: read-held by 3 attempt walks, 51.261928s in all; longest 18.240479s at 4.21397s (302173 threads checked, 1997 debug lines printed); writers delayed: 29, longest spin 17.940879s',
      'warnings: 0 WARN, 0 BUG, 0 Oops, 11 hard LOCKUP, 3 rcu_tasks_wait_gp info lines',
    ]);
  },

  'long-walk-no-debug.json': () => {
    const r = run('long-walk-no-debug.json');
    const lockup = run('long-walk-lockup.json');
    // The same machine but for the per-task debug prints.
    const { title: _t, description: _d, kernel, ...rest } = r.scenario;
    const { title: _lt, description: _ld, kernel: lkernel, ...lrest } = lockup.scenario;
    expect(rest).toEqual(lrest);
    expect({ ...kernel, dynamicDebug: [] }).toEqual({ ...lkernel, dynamicDebug: [] });
    expect(kernel.dynamicDebug).toEqual(['file kernel/livepatch/* +p', 'func klp_try_switch_task -p']);
    expect(lkernel.dynamicDebug).toEqual(['file kernel/livepatch/* +p', 'func klp_try_switch_task +p']);
    expect(failed(r)).toEqual([]);
    const k = r.sim.kernel;
    // Checks only: 0.9 s for the first walk, then milliseconds for the threads still pending.
    const [head, ...later] = k.tasklist.holds;
    expect([head.start, head.end - head.start, head.checked, head.debugLines]).toEqual([4_213_970, 906_519, 302_173, 0]);
    expect(later).toHaveLength(53);
    for (const h of later) expect(h.end - h.start).toBeLessThan(7000);
    expect(r.texts.filter((t) => t.includes('klp_try_switch_task'))).toEqual([]);
    expect(r.texts.filter((t) => t.includes('LOCKUP') || t.startsWith('rcu_tasks_wait_gp'))).toEqual([]);
    expect(r.texts).toContain('livepatch: signaling remaining tasks');
    expect(r.transitions).toEqual(['transition: still patching livepatch_61_release12 after 54 attempts (started at 4.21397s)']);
    expect(r.summary.slice(-2)).toEqual([
      'tasklist_lock: read-held by 54 attempt walks, 1.209912s in all; longest 0.906519s at 4.21397s (302173 threads checked, 0 debug lines printed); writers delayed: 1, longest spin 0.606919s',
      'warnings: 0 WARN, 0 BUG, 0 Oops',
    ]);
    // The one writer here is the fork that spins longest in long-walk-lockup.json: it asks at
    // the same moment, and its spin is longer by exactly what the debug lines add to the walk.
    const lockupHold = lockup.sim.kernel.tasklist.holds[0];
    const extra = lockupHold.end - lockupHold.start - (head.end - head.start);
    expect(lockup.sim.kernel.tasklist.longestWriterSpin - k.tasklist.longestWriterSpin).toBeCloseTo(extra, 6);
  },

  'cpu-bound-kthread-6.1.json': () => {
    const r = stuckSpinner('cpu-bound-kthread-6.1.json');
    expect(r.sim.kernel.features.schedHook).toBe('none');
  },

  'busy-cpus.json': () => {
    const r = run('busy-cpus.json');
    const k = r.sim.kernel;
    // One hog per CPU is task_curr (insmod holds CPU 0): "is running" in the first attempt only.
    const running = r.texts.filter((t) => / is running$/.test(t));
    expect(running.slice(0, 3)).toEqual([1, 2, 3].map((i) => `livepatch: klp_try_switch_task: hog-${i}:${1001 + i} is running`));
    expect(running.every((t) => t.includes('hog-'))).toBe(true);
    expect(r.transitions).toEqual([
      expect.stringMatching(new RegExp(`^transition: patching test_klp_livepatch complete at ${T} after 2 attempts$`)),
      expect.stringMatching(new RegExp(`^transition: unpatching test_klp_livepatch complete at ${T} after 2 attempts$`)),
    ]);
    expect(k.busy.count).toBe(6);
  },

  'cpu-bound-kthread-6.4.json': () => {
    const r = run('cpu-bound-kthread-6.4.json');
    const k = r.sim.kernel;
    expect(k.features.schedHook).toBe('cond_resched');
    const slot = slotOf(r.sim, 'spinner');
    // Reported running at the first attempt, switched at a cond_resched() before the second.
    expect(r.texts.filter((t) => t === `livepatch: klp_try_switch_task: spinner:${k.tasks.pid[slot]} is running`)).toHaveLength(1);
    expect(r.transitions).toEqual([expect.stringMatching(new RegExp(`^transition: patching lp_spin complete at ${T} after 2 attempts$`))]);
    expect(r.texts).toContain("livepatch: 'lp_spin': patching complete");
    expect(r.texts[r.texts.length - 1]).toBe('0');
    expect(k.cpus.filter((c) => c.curr === slot)).toHaveLength(1);
  },

  'cpu-bound-kthread-6.16.json': () => {
    const r = stuckSpinner('cpu-bound-kthread-6.16.json');
    const k = r.sim.kernel;
    // The hook is armed while the transition runs, but only a freezable schedule() calls it.
    expect(k.features.schedHook).toBe('freezable_schedule');
    expect(k.klpSchedHookEnabled).toBe(true);
    // Nothing differs from 6.1 in what the user sees.
    expect(r.texts).toEqual(run('cpu-bound-kthread-6.1.json').texts);
  },
};

/** 6.1 and 6.16: the spinner is running at every attempt and the transition never ends. */
function stuckSpinner(file: string): Run {
  const r = run(file);
  const k = r.sim.kernel;
  const slot = slotOf(r.sim, 'spinner');
  const pid = k.tasks.pid[slot];
  const attempts = Number(/^attempts: (\d+)$/.exec(r.summary.find((l) => l.startsWith('attempts: ')) ?? '')?.[1]);
  expect(attempts).toBeGreaterThanOrEqual(30);
  expect(r.texts.filter((t) => t === `livepatch: klp_try_switch_task: spinner:${pid} is running`)).toHaveLength(attempts);
  expect(r.texts).toContain('livepatch: signaling remaining tasks');
  expect(r.texts).not.toContain("livepatch: 'lp_spin': patching complete");
  expect(r.transitions).toEqual([expect.stringMatching(new RegExp(`^transition: still patching lp_spin after ${attempts} attempts \\(started at ${T}\\)$`))]);
  expect(r.summary.slice(r.summary.indexOf('pending: 1 task'))).toEqual([
    'pending: 1 task',
    `  running: 1 (spinner:${pid})`,
    // Every walk prints the spinner's "is running" inside the read section (8.68 ms).
    `tasklist_lock: read-held by ${attempts} attempt walks, 0.260589s in all; longest 0.008782s at 5.21437s (34 threads checked, 1 debug line printed); writers delayed: 0`,
    'warnings: 0 WARN, 0 BUG, 0 Oops',
  ]);
  expect(r.texts[r.texts.length - 1]).toBe('1');
  expect(k.klpTargetState).not.toBe(KLP_TRANSITION_IDLE);
  // A kthread in a run step is on one CPU, not on every CPU it ever ran on.
  expect(k.cpus.filter((c) => c.curr === slot)).toHaveLength(1);
  expect(failed(r)).toEqual([]);
  return r;
}

describe('shipped scenarios: the files', () => {
  it('every file in public/scenarios has its checks here, and every check its file', () => {
    expect(FILES).toEqual(Object.keys(CHECKS).sort());
  });

  for (const file of FILES) {
    it(`${file} validates, is pretty-printed JSON, and has a title and a description`, () => {
      const text = readFileSync(join(DIR, file), 'utf8');
      expect(text).toBe(`${JSON.stringify(JSON.parse(text), null, 2)}\n`);
      const s = load(file);
      expect(s.title.length).toBeGreaterThan(10);
      expect(s.description).toMatch(/Watch for: /);
    });
  }
});

describe('shipped scenarios: each run ends as its description says', () => {
  for (const file of FILES) {
    const check = CHECKS[file];
    if (check) it(file, check);
  }
});

describe('shipped scenarios: the command line', () => {
  it('sim --summary on stuck-kthread-force.json prints the same log and summary and exits 1 on the refused rmmod', () => {
    const file = join(DIR, 'stuck-kthread-force.json');
    const p = spawnSync(process.execPath, [join(ROOT, 'src', 'cli', 'run.mjs'), 'sim', file, '--summary', '--no-timestamps'], { encoding: 'utf8', cwd: ROOT });
    expect(p.status).toBe(1);
    expect(p.stderr.trim()).toBe('sim: line 9 (rmmod lp_kthread_v1) failed: rmmod: ERROR: Module lp_kthread_v1 is in use');
    const r = run('stuck-kthread-force.json');
    expect(p.stdout.trimEnd().split('\n')).toEqual([...r.texts, ...r.summary]);
  });
});
