// The simulated machine's state: clock, log, symbols, tasks and CPUs and modules, with the
// CPU and task-list primitives. Its behaviour is layered on top, one idea per file: printk
// and splats (splat.ts), the scheduler's view of each task (sched.ts), workqueues and
// kthreads (workqueue.ts), and the livepatch core's globals and per-task hooks (kernel.ts,
// the class the rest of the model uses). Each layer is abstract; only Kernel is built.

import { EventQueue, type TimerHandle } from './clock';
import { DEFAULT_CONFIG, type KernelConfig } from './config';
import { KLP_TRANSITION_IDLE, type PatchState } from './constants';
import type { Step, Wait } from './exec';
import type { Module } from './module';
import { Printk } from './printk';
import { Prng } from './prng';
import { EMPTY_STACK, StackTrie, StackVerdicts } from './stacks';
import { Kallsyms } from './symbols';
import { Sched, TaskTable, TF, type SchedState } from './tasks';
import { kernelFeatures, retFromForkFrames, type KernelFeatures } from './version';
import { VMLINUX_SYMBOLS } from './vmlinux';
import { DETACHED_CORE, EventBus, type KlpCorePort, type KlpEvent } from './events';

export interface Cpu {
  online: boolean;
  /** Slot of the task on this CPU (its idle task when idle). */
  curr: number;
}

export type { KlpEvent } from './events';

/** A task's program and where it waits (the scheduler's view, sched.ts). */
export interface Coroutine {
  gen: Step;
  cpu: number;
  timer?: TimerHandle;
  wait?: Wait;
}

export abstract class KernelState {
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

  // --- modules ---
  readonly modules = new Map<string, Module>();
  /** Order in which modules were loaded (lsmod shows newest first). */
  moduleOrder: string[] = [];
  /** /proc files created by modules: name -> the module symbol that shows it. */
  readonly procFiles = new Map<string, { owner: string; show: string }>();

  /** The task executing kernel code right now (`current`). */
  current = 0;
  /** Observers of the livepatch lifecycle subscribe here. */
  readonly events = new EventBus<KlpEvent>();
  /** Told the child slot of every fork once klp_copy_process() gave it a patch_state. */
  readonly copiedProcesses = new EventBus<number>();
  /** The klp core machine that decides each transition (attached by the engine). */
  klpCore: KlpCorePort = DETACHED_CORE;

  private nextPid = 1;
  /** The stack of a child that has not run yet (retFromForkFrames: ret_from_fork_asm -> ret_from_fork from v6.6). */
  private retFromFork = EMPTY_STACK;
  /** The program of every task that runs one, by slot. */
  protected coroutines = new Map<number, Coroutine>();

  // The livepatch core's globals and per-task hooks that the task primitives use (kernel.ts).
  /** klp_target_state */
  abstract klpTargetState: PatchState;
  /** klp_copy_process() (transition.c). */
  abstract klpCopyProcess(parent: number, child: number): void;

  constructor(config: Partial<KernelConfig> = {}) {
    this.config = { ...DEFAULT_CONFIG, ...config };
    this.features = kernelFeatures(this.config.version);
    this.log = new Printk(this.clock);
    this.prng = new Prng(this.config.seed);
    this.trie = new StackTrie((code) => this.syms.codes[code]?.unreliable === true);
    this.verdicts = new StackVerdicts(this.trie);
    for (const line of this.config.dynamicDebug) this.log.dyndbg.write(line);
    for (const s of VMLINUX_SYMBOLS) this.syms.add('vmlinux', s);
    this.bootCpus();
  }

  get nrCpus(): number {
    return this.config.cpus;
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

  /**
   * fork(): child of `parent`, with klp_copy_process() under tasklist_lock. copy_thread()
   * (arch/x86/kernel/process.c) gives the child a kernel stack of its own whose first frame
   * is ret_from_fork: it never runs on, nor shows, what the parent sleeps in.
   */
  fork(parent: number, comm: string): number {
    const pid = this.allocPid();
    const flags = (this.tasks.flags[parent] & (TF.KTHREAD | TF.USER_MODE | TF.UNRELIABLE)) | TF.LISTED;
    if (this.retFromFork === EMPTY_STACK) this.retFromFork = this.trie.fromFrames(this.codes('vmlinux', retFromForkFrames(this.features)));
    const slot = this.tasks.add({ pid, comm, flags, sched: Sched.RUNNABLE, stack: this.retFromFork });
    this.klpCopyProcess(parent, slot);
    return slot;
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
}
