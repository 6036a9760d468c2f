// The simulated machine: clock, log, symbols, tasks and CPUs, the scheduler's view of each
// task, the workqueue, and the livepatch core's globals (kernel/livepatch/core.c and
// transition.c keep these as file-scope variables; here they are fields).

import { EventQueue, type TimerHandle } from './clock';
import { KLP_TRANSITION_IDLE, KLP_TRANSITION_UNPATCHED, USEC_PER_SEC, type PatchState } from './constants';
import { Exec, isStep, WaitQueue, type Step, type Wait } from './exec';
import { KlpOps, type KlpPatch } from './klp';
import type { Module, ModuleDef } from './module';
import { KERN_ALERT, KERN_WARNING, Printk, type LogLevel } from './printk';
import { Prng } from './prng';
import { EMPTY_STACK, StackTrie, StackVerdicts } from './stacks';
import { Kallsyms, formatAddr, type SymbolSpec } from './symbols';
import { PendingSlots, Sched, TaskTable, TF, type SchedState } from './tasks';
import { RcuTasks } from './rcutasks';
import { TasklistLock, type TasklistWriter } from './tasklist';
import { NmiWatchdog } from './watchdog';
import { kernelFeatures, type KernelFeatures } from './version';
import { VMLINUX_SYMBOLS } from './vmlinux';
import { Ftrace } from './ftrace';
import { klpSchedTrySwitch } from './transition';
import type { PolicyName } from './policy/types';

export interface KernelConfig {
  /** e.g. "6.19" (default), "6.12", "6.1". */
  version: string;
  /** Possible CPUs. */
  cpus: number;
  /** CPUs that are offline (their idle task is switched unconditionally by each attempt). */
  offlineCpus: number[];
  hz: 100 | 250 | 300 | 1000;
  /** CONFIG_HAVE_RELIABLE_STACKTRACE on this architecture. */
  reliableStacktrace: boolean;
  /** sysctl kernel.ftrace_enabled at boot. */
  ftraceEnabled: boolean;
  /** Lines written to /sys/kernel/debug/dynamic_debug/control at boot. */
  dynamicDebug: string[];
  /** /proc/cmdline */
  cmdline: string;
  seed: number;
  /** Modules that insmod can find, by path ("test_modules/x.ko") and by name. */
  moduleDefs: ModuleDef[];
  /**
   * Virtual µs one klp_try_switch_task() check of a pending thread costs inside the walk's
   * read_lock(tasklist_lock) section: task_call_func() plus the reliable unwind, measured at
   * 2.5-3.5 µs per task on production hosts (CONTEXT.md C2). Already switched threads return
   * at the first test and cost nothing at this resolution. A scenario sets it as walk.checkUsPerTask.
   */
  walkCheckUsPerTask: number;
  /**
   * Virtual µs of one per-task pr_debug line printed inside the walk when dynamic debug enables
   * klp_try_switch_task: printk() writes to the console synchronously, and a ~100-character line
   * on the 115200-baud serial console of the cmdline takes 100 x 10 bits / 115200 ≈ 8.7 ms.
   */
  walkDebugPrintUs: number;
  /** sysctl kernel.watchdog_thresh in seconds (0: the lockup detectors are off). */
  watchdogThresh: number;
  /** The livepatch rules: upstream, or a labelled proposal (src/kernel/policy/). */
  policy: PolicyName;
}

export const DEFAULT_CONFIG: KernelConfig = {
  version: '6.19',
  cpus: 4,
  offlineCpus: [],
  hz: 1000,
  reliableStacktrace: true,
  ftraceEnabled: true,
  dynamicDebug: [],
  cmdline: 'BOOT_IMAGE=/boot/vmlinuz root=/dev/vda1 ro console=ttyS0,115200 quiet',
  seed: 1,
  moduleDefs: [],
  walkCheckUsPerTask: 3,
  walkDebugPrintUs: 8680,
  watchdogThresh: 10,
  policy: 'upstream',
};

export interface Cpu {
  online: boolean;
  /** Slot of the task on this CPU (its idle task when idle). */
  curr: number;
}

/** Lifecycle events of the livepatch core, for the statechart and the views. */
export type KlpEvent =
  | { type: 'klp.init'; patch: string; target: PatchState }
  | { type: 'klp.start'; patch: string; target: PatchState }
  | { type: 'klp.attempt'; patch: string; complete: boolean; pending: number }
  | { type: 'klp.signal'; patch: string; round: number; tasks: number }
  | { type: 'klp.reverse'; patch: string; target: PatchState }
  | { type: 'klp.force'; patch: string }
  | { type: 'klp.complete'; patch: string; target: PatchState }
  | { type: 'klp.queueWork'; delayUs: number }
  | { type: 'klp.warn'; text: string }
  /** klp_patch_object() / klp_unpatch_object() changed the func_stacks (patch.c). */
  | { type: 'klp.object'; patch: string; object: string; patched: boolean };

export interface KernelHooks {
  /** schedule_delayed_work(&klp_transition_work, delay): the engine owns this timer. */
  scheduleTransitionWork(delayUs: number): void;
  /** Observers of the livepatch lifecycle. */
  emit(e: KlpEvent): void;
}

/** A work item (struct work_struct). */
export interface WorkItem {
  name: string;
  run: (x: Exec) => Step | unknown;
  pending: boolean;
  running: number;
  done: WaitQueue;
}

interface WorkerPool {
  cpu: number;
  queue: WorkItem[];
  wq: WaitQueue;
  workers: number[];
}

/** struct kthread: the stop request and the completion kthread_stop() waits on. */
interface Kthread {
  shouldStop: boolean;
  exited: boolean;
  exitedWq: WaitQueue;
}

interface Coroutine {
  gen: Step;
  cpu: number;
  timer?: TimerHandle;
  wait?: Wait;
}

export class Kernel {
  readonly config: KernelConfig;
  readonly features: KernelFeatures;
  readonly clock = new EventQueue();
  readonly log: Printk;
  readonly syms = new Kallsyms();
  readonly trie: StackTrie;
  readonly verdicts: StackVerdicts;
  readonly tasks = new TaskTable(256);
  readonly cpus: Cpu[] = [];
  readonly prng: Prng;
  readonly ftrace: Ftrace;

  // --- livepatch core globals (core.c / transition.c) ---
  /** klp_patches: enabled or in-transition patches, oldest first. */
  klpPatches: KlpPatch[] = [];
  /** klp_transition_patch */
  klpTransitionPatch: KlpPatch | null = null;
  /** klp_target_state */
  klpTargetState: PatchState = KLP_TRANSITION_IDLE;
  /** klp_signals_cnt */
  klpSignalsCnt = 0;
  /** klp_ops, keyed by the original function's code id. */
  klpOps = new Map<number, KlpOps>();
  /** klp_sched_try_switch_key / cond_resched redirection is enabled. */
  klpSchedHookEnabled = false;
  /** Attempts made in the current transition (for views; the kernel counts klp_signals_cnt). */
  klpAttempts = 0;
  /** Threads that may still be pending in the current transition (the walk's scratch). */
  readonly klpPending = new PendingSlots();

  // --- what the attempt walk costs the rest of the machine ---
  readonly tasklist: TasklistLock;
  readonly rcuTasks: RcuTasks;
  readonly nmiWatchdog: NmiWatchdog;

  // --- modules ---
  readonly modules = new Map<string, Module>();
  /** Order in which modules were loaded (lsmod shows newest first). */
  moduleOrder: string[] = [];

  /** The task executing kernel code right now (`current`). */
  current = 0;
  hooks: KernelHooks = { scheduleTransitionWork: () => {}, emit: () => {} };

  private nextPid = 1;
  private coroutines = new Map<number, Coroutine>();
  private pools: WorkerPool[] = [];
  private kthreads = new Map<number, Kthread>();
  private warnedOnce = new Set<string>();
  /** Taint letters set so far (for the "Tainted:" line of splats). */
  readonly taints = new Set<string>();
  /** /proc files created by modules: name -> the module symbol that shows it. */
  readonly procFiles = new Map<string, { owner: string; show: string }>();
  /** console_loglevel (the test_klp_state modules change it). */
  consoleLoglevel = 7;
  /** Every WARN and Oops the run produced, in order (for summaries). */
  readonly incidents: { time: number; kind: 'warn' | 'oops'; text: string }[] = [];

  constructor(config: Partial<KernelConfig> = {}) {
    this.config = { ...DEFAULT_CONFIG, ...config };
    this.features = kernelFeatures(this.config.version);
    this.log = new Printk(this.clock);
    this.prng = new Prng(this.config.seed);
    this.trie = new StackTrie((code) => this.syms.codes[code]?.unreliable === true);
    this.verdicts = new StackVerdicts(this.trie);
    this.ftrace = new Ftrace(this);
    this.tasklist = new TasklistLock(this);
    this.rcuTasks = new RcuTasks(this);
    this.nmiWatchdog = new NmiWatchdog(this);
    for (const line of this.config.dynamicDebug) this.log.dyndbg.write(line);
    for (const s of VMLINUX_SYMBOLS) this.syms.add('vmlinux', s);
    this.klpSchedHook = (slot, freezable) => klpSchedTrySwitch(this, slot, freezable);
    this.bootCpus();
  }

  get nrCpus(): number {
    return this.config.cpus;
  }

  // ------------------------------------------------------------------ printing

  printk(level: LogLevel, text: string): void {
    this.log.printk(level, text);
  }

  /** pr_*() in kernel/livepatch: pr_fmt is KBUILD_MODNAME ": " = "livepatch: ". */
  klpPr(level: LogLevel, text: string): void {
    this.log.printk(level, `livepatch: ${text}`);
  }

  /** pr_debug() in kernel/livepatch/<file>.c, function `func`. */
  klpDebug(file: string, func: string, text: string): void {
    this.log.debug({ file: `kernel/livepatch/${file}`, func, module: 'livepatch' }, `livepatch: ${text}`);
  }

  /**
   * WARN_ON_ONCE()/WARN_ON(): the standard splat. `site` names file and function; the
   * once-key makes WARN_ON_ONCE print once per boot.
   */
  warn(file: string, func: string, once: boolean, why: string): void {
    const key = `${file}:${func}:${why}`;
    if (once && this.warnedOnce.has(key)) return;
    this.warnedOnce.add(key);
    this.taints.add('W');
    const cur = this.current;
    const cpu = this.cpuOf(cur);
    const pid = this.tasks.pid[cur];
    const comm = this.tasks.commOf(cur);
    const off = (func.length * 13 + 0x21) % 0x1a0;
    const lines = [
      '------------[ cut here ]------------',
      `WARNING: CPU: ${cpu} PID: ${pid} at ${file}:${this.lineOf(file, func)} ${func}+0x${off.toString(16)}/0x${(off + 0x90).toString(16)}`,
      `Modules linked in: ${this.modulesLinkedIn()}`,
      this.dumpStackInfo(cpu, pid, comm),
      'Hardware name: QEMU Standard PC (Q35 + ICH9, 2009), BIOS 1.16.3-debian-1.16.3-2 04/01/2014',
      `RIP: 0010:${func}+0x${off.toString(16)}/0x${(off + 0x90).toString(16)}`,
      'Call Trace:',
      ' <TASK>',
      ...this.trie.frames(this.tasks.stack[cur]).slice(0, 12).map((c) => this.traceLine(c)),
      ' </TASK>',
      `---[ end trace 0000000000000000 ]---`,
    ];
    for (const l of lines) this.printk(KERN_WARNING, l);
    this.incidents.push({ time: this.clock.now, kind: 'warn', text: `${func}: ${why}` });
    this.hooks.emit({ type: 'klp.warn', text: `${func}: ${why}` });
  }

  private lineOf(file: string, func: string): number {
    let h = 0;
    for (const ch of file + func) h = (h * 31 + ch.charCodeAt(0)) % 700;
    return 60 + h;
  }

  private moduleTag(code: number): string {
    const o = this.syms.codes[code].owner;
    return o === 'vmlinux' ? '' : ` [${o}]`;
  }

  modulesLinkedIn(): string {
    return [...this.moduleOrder]
      .reverse()
      .map((n) => {
        const m = this.modules.get(n);
        return m ? `${n}${m.taintFlags()}` : n;
      })
      .join(' ');
  }

  /**
   * print_tainted() (kernel/panic.c): "Not tainted", or "Tainted: " and one character per
   * taint flag in flag order, the first P or G (a proprietary module or not), the others
   * their letter or a space; the kernel does not trim the trailing spaces.
   */
  taintString(): string {
    if (!this.taints.size) return 'Not tainted';
    let s = this.taints.has('P') ? 'P' : 'G';
    for (const ch of 'FSRMBUDAWCIOELKXTN') s += this.taints.has(ch) ? ch : ' ';
    return `Tainted: ${s}`;
  }

  /**
   * dump_stack_print_info() (lib/dump_stack.c): the "CPU: ..." line of every splat. The
   * effective UID appears from v6.11, the preemption model from v6.15 (its format ends in a
   * space).
   */
  dumpStackInfo(cpu: number, pid: number, comm: string): string {
    const n = this.features.number;
    const uid = n >= 611 ? ' UID: 0' : '';
    const preempt = n >= 615 ? ' PREEMPT(voluntary) ' : '';
    return `CPU: ${cpu}${uid} PID: ${pid} Comm: ${comm} ${this.taintString()} ${this.features.release} #1${preempt}`;
  }

  /** One line of a call trace (show_trace_log_lvl): " symbol+off/size [module]". */
  traceLine(code: number): string {
    const c = this.syms.codes[code];
    return ` ${c.name}+0x${(code % 0x60).toString(16)}/0x${c.size.toString(16)}${this.moduleTag(code)}`;
  }

  // ------------------------------------------------------------------ CPUs and tasks

  private bootCpus(): void {
    for (let c = 0; c < this.config.cpus; c++) {
      const stack = this.trie.fromFrames(
        this.codes('vmlinux', c === 0 ? ['x86_64_start_kernel', 'start_kernel', 'rest_init', 'cpu_startup_entry', 'do_idle'] : ['secondary_startup_64', 'start_secondary', 'cpu_startup_entry', 'do_idle']),
      );
      const slot = this.tasks.add({ pid: 0, comm: `swapper/${c}`, flags: TF.IDLE | TF.KTHREAD, sched: Sched.RUNNING, stack });
      this.cpus.push({ online: !this.config.offlineCpus.includes(c), curr: slot });
    }
    this.current = 0;
  }

  /** Code id of a symbol the model wires itself (throws if missing: a model bug). */
  codeOf(owner: string, name: string): number {
    const s = this.syms.find(owner, name);
    if (!s) throw new Error(`model bug: no symbol ${owner}:${name}`);
    return s.id;
  }

  codes(owner: string, names: readonly string[]): number[] {
    return names.map((n) => this.codeOf(owner, n));
  }

  /** Slot of the first thread (after the idle tasks). */
  get firstThread(): number {
    return this.config.cpus;
  }

  idleSlot(cpu: number): number {
    return cpu;
  }

  isIdleTask(slot: number): boolean {
    return slot < this.config.cpus;
  }

  allocPid(): number {
    return this.nextPid++;
  }

  /** Reserve pids up to n (so that user tasks start at a realistic number). */
  bumpPid(n: number): void {
    this.nextPid = Math.max(this.nextPid, n);
  }

  /** task_curr(): the task is executing on some CPU. */
  taskCurr(slot: number): boolean {
    return this.tasks.sched[slot] === Sched.RUNNING;
  }

  cpuOf(slot: number): number {
    for (let c = 0; c < this.cpus.length; c++) if (this.cpus[c].curr === slot) return c;
    const co = this.coroutines.get(slot);
    return co ? co.cpu : 0;
  }

  /** Create a task on the task list (copy_process + attach_pid + list_add_tail). */
  addTask(opts: { comm: string; kthread: boolean; sched: SchedState; frames?: number[]; stack?: number; userMode?: boolean; pid?: number; cls?: number }): number {
    const pid = opts.pid ?? this.allocPid();
    if (opts.pid !== undefined) this.bumpPid(opts.pid + 1);
    const stack = opts.stack ?? this.trie.fromFrames(opts.frames ?? []);
    let flags = TF.LISTED;
    if (opts.kthread) flags |= TF.KTHREAD;
    if (opts.userMode) flags |= TF.USER_MODE;
    const slot = this.tasks.add({ pid, comm: opts.comm, flags, sched: opts.sched, stack, cls: opts.cls });
    // klp_copy_process(): a task created during a transition must take part in it. The
    // creator is `current` (kthreadd for kthreads, the parent for user tasks).
    if (this.klpTargetState !== KLP_TRANSITION_IDLE) this.klpCopyProcess(this.current, slot);
    return slot;
  }

  /** fork(): child of `parent`, with klp_copy_process() under tasklist_lock. */
  fork(parent: number, comm: string): number {
    const pid = this.allocPid();
    const flags = (this.tasks.flags[parent] & (TF.KTHREAD | TF.USER_MODE | TF.UNRELIABLE)) | TF.LISTED;
    const slot = this.tasks.add({ pid, comm, flags, sched: Sched.RUNNABLE, stack: this.tasks.stack[parent] });
    this.klpCopyProcess(parent, slot);
    return slot;
  }

  /** klp_copy_process() (transition.c): the child inherits patch_state and the pending flag. */
  klpCopyProcess(parent: number, child: number): void {
    const t = this.tasks;
    if (t.has(parent, TF.PATCH_PENDING)) t.set(child, TF.PATCH_PENDING);
    else t.clear(child, TF.PATCH_PENDING);
    t.patchState[child] = t.patchState[parent];
    if (this.klpTargetState !== KLP_TRANSITION_IDLE && t.patchState[child] !== this.klpTargetState) this.klpPending.append(child);
  }

  /**
   * write_lock_irq(&tasklist_lock) by `writer` (copy_process() for a fork, release_task() for
   * an exit), then `fn` in the write section: at once when no walk holds the lock, otherwise
   * when the walk's read section ends, with the writer's CPU spinning, interrupts off, until then.
   */
  tasklistWriteLock(fn: () => void, path: TasklistWriter = 'fork', writer = this.current): void {
    this.tasklist.write(fn, path, writer);
  }

  /** release_task() -> __unhash_process(): the task leaves the task list. */
  unhash(slot: number): void {
    this.tasks.clear(slot, TF.LISTED);
  }

  /** The task is gone for good (its stack and task_struct freed). */
  reap(slot: number): void {
    const t = this.tasks;
    t.clear(slot, TF.LISTED | TF.PATCH_PENDING);
    t.sched[slot] = Sched.DEAD;
    t.stack[slot] = EMPTY_STACK;
    this.coroutines.delete(slot);
    for (const cpu of this.cpus) if (cpu.curr === slot) cpu.curr = this.cpus.indexOf(cpu);
  }

  pushFrame(slot: number, code: number): void {
    this.tasks.stack[slot] = this.trie.push(this.tasks.stack[slot], code);
  }

  listedSlots(): number[] {
    const out: number[] = [];
    for (let s = this.firstThread; s < this.tasks.n; s++) if (this.tasks.has(s, TF.LISTED)) out.push(s);
    return out;
  }

  // ------------------------------------------------------------------ the ftrace handler

  /**
   * klp_ftrace_handler() (patch.c): which body runs when `slot` calls the function whose
   * original code is `orig`. Pure except for the WARN_ON_ONCE and the function tracer.
   */
  resolveCall(slot: number, orig: number): number {
    let code = orig;
    const ops = this.klpOps.get(orig);
    if (ops) {
      let func = ops.funcStack[0];
      if (!func) {
        this.warn('kernel/livepatch/patch.c', 'klp_ftrace_handler', true, 'empty func_stack');
      } else {
        let useOriginal = false;
        if (func.transition) {
          const ps = this.tasks.patchState[slot];
          if (ps === KLP_TRANSITION_IDLE) {
            // WARN_ON_ONCE(patch_state == KLP_TRANSITION_IDLE), then fall through: the top entry runs.
            this.warnAs(slot, 'kernel/livepatch/patch.c', 'klp_ftrace_handler', 'patch_state == KLP_TRANSITION_IDLE');
          } else if (ps === KLP_TRANSITION_UNPATCHED) {
            const below = ops.funcStack[1];
            if (!below) useOriginal = true;
            else func = below;
          }
        }
        // A nop means "run the original"; never redirect to itself.
        if (!useOriginal && !func.nop && func.newFunc) code = func.newFunc.id;
      }
    }
    this.ftrace.traceCall(slot, orig, code);
    return code;
  }

  resolveCallByName(slot: number, owner: string, name: string): number {
    return this.resolveCall(slot, this.codeOf(owner, name));
  }

  /** A WARN raised by `slot` (which may not be `current` in the model's bookkeeping). */
  warnAs(slot: number, file: string, func: string, why: string): void {
    const saved = this.current;
    this.current = slot;
    this.warn(file, func, true, why);
    this.current = saved;
  }

  /** A task executed text of an unloaded module: the page-fault Oops of §14.5. */
  oopsFreedText(slot: number, code: number): never {
    const sym = this.syms.codes[code];
    const cpu = this.cpuOf(slot);
    const addr = formatAddr(sym.addr);
    // __die_header(): "[#%d]" is ++die_counter, one more for every Oops since boot.
    const dieCounter = this.incidents.filter((i) => i.kind === 'oops').length + 1;
    const lines = [
      `BUG: unable to handle page fault for address: ${addr}`,
      '#PF: supervisor instruction fetch in kernel mode',
      '#PF: error_code(0x0010) - not-present page',
      `Oops: 0010 [#${dieCounter}] PREEMPT SMP NOPTI`,
      this.dumpStackInfo(cpu, this.tasks.pid[slot], this.tasks.commOf(slot)),
      `RIP: 0010:0x${addr}`,
      'Call Trace:',
      ' <TASK>',
      ...this.trie.frames(this.tasks.stack[slot]).slice(1, 12).map((c) => this.traceLine(c)),
      ' </TASK>',
      `Modules linked in: ${this.modulesLinkedIn()} [last unloaded: ${sym.owner}(K)]`,
      '---[ end trace 0000000000000000 ]---',
    ];
    this.taints.add('D');
    for (const l of lines) this.printk(KERN_ALERT, l);
    this.incidents.push({ time: this.clock.now, kind: 'oops', text: `${this.tasks.commOf(slot)}:${this.tasks.pid[slot]} executed freed text of ${sym.owner}` });
    throw new TaskKilled(slot);
  }

  // ------------------------------------------------------------------ coroutines

  /** Start running `gen` as the program of task `slot` on `cpu`, now. */
  startTask(slot: number, gen: Step, cpu = 0): void {
    this.coroutines.set(slot, { gen, cpu });
    this.clock.after(0, () => this.resume(slot), `run ${this.tasks.commOf(slot)}`);
  }

  /** Run the task until it sleeps or ends. */
  resume(slot: number): void {
    const co = this.coroutines.get(slot);
    if (!co || this.tasks.sched[slot] === Sched.DEAD) return;
    co.timer = undefined;
    co.wait = undefined;
    // A task coming back from a `run` step never left its CPU: it keeps it (else it would
    // also take an idle CPU and be curr of two).
    const own = this.cpus.findIndex((c) => c.curr === slot);
    const cpu = own >= 0 ? own : this.pickCpu(co.cpu);
    this.runOn(slot, cpu);
    const saved = this.current;
    this.current = slot;
    let r: IteratorResult<Wait, unknown>;
    try {
      r = co.gen.next();
    } catch (e) {
      this.current = saved;
      if (e instanceof TaskKilled) {
        this.offCpu(slot, Sched.DEAD);
        this.reap(slot);
        return;
      }
      throw e;
    }
    this.current = saved;
    if (r.done) {
      this.coroutines.delete(slot);
      // A program that ended in do_exit() has already been reaped.
      this.offCpu(slot, this.tasks.sched[slot] === Sched.DEAD ? Sched.DEAD : Sched.RUNNABLE);
      return;
    }
    this.enterWait(slot, co, r.value);
  }

  private enterWait(slot: number, co: Coroutine, w: Wait): void {
    co.wait = w;
    if (w.kind === 'run') {
      co.timer = this.clock.after(w.us, () => this.resume(slot), 'run');
      return;
    }
    // __schedule(): the v6.16+ livepatch hook runs for a task going to a freezable sleep.
    if (w.state === Sched.FREEZABLE) this.klpSchedHook(slot, true);
    this.offCpu(slot, w.state);
    if (w.kind === 'sleep') {
      co.timer = this.clock.after(w.us, () => this.resume(slot), 'timer');
    } else {
      if (w.until()) {
        co.timer = this.clock.after(0, () => this.resume(slot), 'wake');
        return;
      }
      w.wq.add(slot);
    }
  }

  /** wake_up_process() for a task blocked on a wait queue or sleeping. */
  wakeUp(slot: number): void {
    const co = this.coroutines.get(slot);
    if (!co || !co.wait || co.wait.kind === 'run') return;
    const w = co.wait;
    if (w.kind === 'block') {
      if (!w.until()) {
        w.wq.add(slot);
        return;
      }
      w.wq.remove(slot);
    }
    this.clock.cancel(co.timer);
    this.tasks.sched[slot] = Sched.RUNNABLE;
    co.timer = this.clock.after(0, () => this.resume(slot), 'wake');
  }

  /** wake_up_all() on a wait queue. */
  wakeQueue(wq: WaitQueue): void {
    for (const s of wq.take()) this.wakeUp(s);
  }

  /** wake_up_state(task, TASK_INTERRUPTIBLE): only interruptible (incl. freezable) sleepers. */
  wakeInterruptible(slot: number): boolean {
    const st = this.tasks.sched[slot];
    if (st !== Sched.INTERRUPTIBLE && st !== Sched.FREEZABLE) return false;
    const co = this.coroutines.get(slot);
    if (co) {
      if (co.wait?.kind === 'sleep') {
        this.clock.cancel(co.timer);
        this.tasks.sched[slot] = Sched.RUNNABLE;
        co.timer = this.clock.after(0, () => this.resume(slot), 'signal wake');
      } else if (co.wait?.kind === 'block') {
        // Woken, re-checks its condition and goes back to sleep in the same place.
        this.resleep(slot, st);
      }
      return true;
    }
    this.resleep(slot, st);
    return true;
  }

  /** A woken task that finds nothing to do schedules out again from the same stack. */
  private resleep(slot: number, st: SchedState): void {
    this.clock.after(0, () => {
      if (this.tasks.sched[slot] === Sched.DEAD) return;
      if (st === Sched.FREEZABLE) this.klpSchedHook(slot, true);
    }, 'resleep');
  }

  private pickCpu(pref: number): number {
    const c = this.cpus[pref];
    if (c && c.online && this.isIdleTask(c.curr)) return pref;
    for (let i = 0; i < this.cpus.length; i++) if (this.cpus[i].online && this.isIdleTask(this.cpus[i].curr)) return i;
    return pref < this.cpus.length ? pref : 0;
  }

  /** Put `slot` on `cpu` (the CPU's idle task is then preempted in do_idle). */
  runOn(slot: number, cpu: number): void {
    const c = this.cpus[cpu];
    if (!this.isIdleTask(c.curr) && c.curr !== slot && this.tasks.sched[c.curr] === Sched.RUNNING) {
      this.tasks.sched[c.curr] = Sched.RUNNABLE;
    }
    if (this.isIdleTask(c.curr)) this.tasks.sched[c.curr] = Sched.RUNNABLE;
    c.curr = slot;
    this.tasks.sched[slot] = Sched.RUNNING;
  }

  /** The task leaves its CPU in state `st`; the CPU goes idle. */
  offCpu(slot: number, st: SchedState): void {
    this.tasks.sched[slot] = st;
    for (let i = 0; i < this.cpus.length; i++) {
      const c = this.cpus[i];
      if (c.curr === slot) {
        const idle = this.idleSlot(i);
        c.curr = idle;
        this.tasks.sched[idle] = c.online ? Sched.RUNNING : Sched.RUNNABLE;
        // do_idle(): after schedule_idle() returns, a pending idle task switches itself.
        if (c.online) this.klpUpdatePatchState(idle);
      }
    }
  }

  // ------------------------------------------------------------------ workqueues

  /** system_wq worker pool of a CPU, with its kworkers created at boot. */
  pool(cpu: number): WorkerPool {
    let p = this.pools[cpu];
    if (!p) {
      p = { cpu, queue: [], wq: new WaitQueue(`worker_pool/${cpu}`), workers: [] };
      this.pools[cpu] = p;
    }
    return p;
  }

  /** Create kworker/<cpu>:<n> running worker_thread(). */
  createWorker(cpu: number): number {
    const p = this.pool(cpu);
    const slot = this.addTask({
      comm: `kworker/${cpu}:${p.workers.length}`,
      kthread: true,
      sched: Sched.INTERRUPTIBLE,
      frames: this.codes('vmlinux', ['ret_from_fork_asm', 'ret_from_fork', 'kthread', 'worker_thread']),
    });
    p.workers.push(slot);
    const x = new Exec(this, slot);
    this.coroutines.set(slot, { gen: workerThread(this, x, p), cpu });
    this.resume(slot);
    return slot;
  }

  newWork(name: string, run: (x: Exec) => Step | unknown): WorkItem {
    return { name, run, pending: false, running: -1, done: new WaitQueue(`work ${name}`) };
  }

  /** queue_work_on(): false if already pending. */
  queueWork(item: WorkItem, cpu = this.cpuOf(this.current)): boolean {
    if (item.pending) return false;
    item.pending = true;
    const p = this.pool(cpu);
    p.queue.push(item);
    const idleWorker = p.workers.find((w) => this.coroutines.get(w)?.wait?.kind === 'block');
    if (idleWorker === undefined) this.createWorker(cpu);
    this.wakeQueue(p.wq);
    return true;
  }

  /** flush_work(): wait until the item is neither pending nor running. */
  *flushWork(item: WorkItem): Step<void> {
    while (item.pending || item.running >= 0) {
      yield { kind: 'block', state: Sched.UNINTERRUPTIBLE, wq: item.done, until: () => !item.pending && item.running < 0 };
    }
  }

  // ------------------------------------------------------------------ kthreads

  /**
   * kthread_run() (kernel/kthread.c): kthreadd forks the thread (so it inherits kthreadd's
   * patch state, as klp_copy_process() does for any child), which runs `threadfn` from
   * kthread() and exits when it returns.
   */
  kthreadRun(comm: string, threadfn: (x: Exec) => Step | unknown): number {
    const saved = this.current;
    const kthreadd = this.tasks.slotOfPid(2, this.firstThread);
    if (kthreadd >= 0 && this.tasks.commOf(kthreadd) === 'kthreadd') this.current = kthreadd;
    const slot = this.addTask({ comm, kthread: true, sched: Sched.RUNNABLE, frames: this.codes('vmlinux', ['ret_from_fork_asm', 'ret_from_fork', 'kthread']) });
    this.current = saved;
    const kt: Kthread = { shouldStop: false, exited: false, exitedWq: new WaitQueue(`kthread ${comm} exited`) };
    this.kthreads.set(slot, kt);
    this.startTask(slot, this.kthreadMain(slot, kt, threadfn), this.cpuOf(saved));
    return slot;
  }

  /** kthread(): run the thread function; whatever way it ends, the thread exits. */
  private *kthreadMain(slot: number, kt: Kthread, threadfn: (x: Exec) => Step | unknown): Step<void> {
    try {
      const r = threadfn(new Exec(this, slot));
      if (isStep(r)) yield* r;
    } finally {
      this.kthreadExit(slot, kt);
    }
  }

  /** kthread_exit() -> do_exit(): unhashed, the exited completion fires, then reaped. */
  private kthreadExit(slot: number, kt: Kthread): void {
    this.tasks.set(slot, TF.EXITING);
    this.unhash(slot);
    kt.exited = true;
    this.wakeQueue(kt.exitedWq);
    this.reap(slot);
  }

  /** kthread_should_stop() for the kthread in `slot`. */
  kthreadShouldStop(slot: number): boolean {
    return this.kthreads.get(slot)?.shouldStop === true;
  }

  /** kthread_stop(): ask the thread to stop, wake it, wait until it has exited. */
  *kthreadStop(slot: number): Step<void> {
    const kt = this.kthreads.get(slot);
    if (!kt) return;
    kt.shouldStop = true;
    this.wakeUp(slot);
    while (!kt.exited) yield { kind: 'block', state: Sched.UNINTERRUPTIBLE, wq: kt.exitedWq, until: () => kt.exited };
    this.kthreads.delete(slot);
  }

  // ------------------------------------------------------------------ switch paths outside the walk

  /**
   * Exit to user mode (exit_to_user_mode_loop): klp_update_patch_state() for a pending
   * task, and TIF_NOTIFY_SIGNAL is consumed (the fake signal has done its job).
   */
  exitToUserMode(slot: number): void {
    this.tasks.clear(slot, TF.NOTIFY_SIGNAL);
    this.klpUpdatePatchState(slot);
    this.exitToUserModeHook?.(slot);
  }

  /**
   * Told of every exit to user mode, after the switch: the workload restarts a syscall that
   * a fake signal interrupted, through the ftrace handler, with the task's new state.
   */
  exitToUserModeHook: ((slot: number) => void) | null = null;

  /** klp_update_patch_state() (transition.c): no stack check. */
  klpUpdatePatchState(slot: number): void {
    const t = this.tasks;
    if (t.has(slot, TF.PATCH_PENDING)) {
      t.clear(slot, TF.PATCH_PENDING);
      t.patchState[slot] = this.klpTargetState;
    }
  }

  /** __klp_sched_try_switch() (transition.ts), called by the scheduler paths. */
  klpSchedHook: (slot: number, freezable: boolean) => void;

  /** Module lookup by name (the module loader sets this). */
  findModule(name: string): Module | undefined {
    return this.modules.get(name);
  }

  /** Add symbols of a module to kallsyms. */
  addModuleSymbols(owner: string, specs: readonly SymbolSpec[]): void {
    for (const s of specs) this.syms.add(owner, s);
  }

  /**
   * round_jiffies_relative(HZ) for the CPU running the caller, in microseconds from now;
   * `lateUs` when the caller gets there that much later than now (after a long walk).
   */
  roundJiffiesRelative(deltaJiffies: number, lateUs = 0): number {
    const hz = this.config.hz;
    const jiffies = Math.floor(((this.clock.now + lateUs) * hz) / USEC_PER_SEC);
    const cpu = this.cpuOf(this.current);
    // round_jiffies_common(): skew by cpu*3, round to a whole second (down if within the
    // first quarter), unskew; fall back to the unrounded value if the result is not later.
    let j = jiffies + deltaJiffies + cpu * 3;
    const rem = j % hz;
    j = rem < hz / 4 ? j - rem : j - rem + hz;
    j -= cpu * 3;
    const target = j <= jiffies ? jiffies + deltaJiffies : j;
    const nextTickUs = ((target * USEC_PER_SEC) / hz);
    return Math.max(1, Math.round(nextTickUs - this.clock.now));
  }

  /** An execution context for the task running now (`current`). */
  execOfCurrent(): Exec {
    return new Exec(this, this.current);
  }
}

/** Thrown through a task's program when the task dies (Oops). */
export class TaskKilled extends Error {
  constructor(readonly slot: number) {
    super(`task ${slot} killed`);
  }
}

/** worker_thread(): take work items from the pool and run them in process_one_work(). */
function* workerThread(k: Kernel, x: Exec, p: WorkerPool): Step {
  for (;;) {
    while (p.queue.length === 0) {
      yield* x.within('vmlinux', ['schedule'], function* () {
        yield { kind: 'block', state: Sched.INTERRUPTIBLE, wq: p.wq, until: () => p.queue.length > 0 };
      });
    }
    const item = p.queue.shift() as WorkItem;
    item.pending = false;
    item.running = x.slot;
    try {
      yield* x.within('vmlinux', ['process_one_work'], function* () {
        const r = item.run(x);
        if (isStep(r)) yield* r;
      });
    } finally {
      item.running = -1;
      k.wakeQueue(item.done);
    }
  }
}
