// Behaviour at scale: classes of tasks that enter and leave the kernel, sleep and wake in
// their phases, fork and exit, on the virtual clock and the kernel's seeded PRNG, cheaply
// enough for a million tasks. Nothing here is per-task except one state byte: stacks are
// shared trie nodes (one per phase and code-version combination) and the whole workload
// is one clock event per tick.
//
// The sampling model (which tasks move in a tick) is workloadSampler.ts; the spec's classes
// laid out as states and stack templates, workloadPlan.ts; the spec itself, workloadModel.ts.

import { TaskKilled, type Kernel } from './kernel';
import { EMPTY_STACK } from './stacks';
import { Sched, TF } from './tasks';
import { modelBug, NO_STATE, Place, type TaskClassSpec, type WorkloadClassInfo, type WorkloadSpec } from './workloadModel';
import { Kind, pickWeighted, placeOf, planWorkload, SCHED_OF, stationary, type ClassRt, type StateRt } from './workloadPlan';
import { Ev, Sampler } from './workloadSampler';
import { WorkloadStacks } from './workloadStacks';

export { Place, type FixedTaskSpec, type PhaseSched, type StackPhase, type TaskClassSpec, type WorkloadSpec } from './workloadModel';

// Module-local copies: reading them is cheaper than going through the imported objects.
const F_USER_MODE = TF.USER_MODE;
const F_UNRELIABLE = TF.UNRELIABLE;
const F_LISTED = TF.LISTED;
const F_EXITING = TF.EXITING;
const [S_RUNNING, S_RUNNABLE, S_UNINTERRUPTIBLE, S_FREEZABLE, S_FREEZABLE_D] = [Sched.RUNNING, Sched.RUNNABLE, Sched.UNINTERRUPTIBLE, Sched.FREEZABLE, Sched.FREEZABLE_UNINTERRUPTIBLE];
const [GONE, P_NONE] = [NO_STATE, Place.NONE];
const [K_USER, K_PHASE, K_CPU, K_EXIT_LISTED, K_EXIT_UNHASHED, K_FIXED] = [Kind.USER, Kind.PHASE, Kind.CPU, Kind.EXIT_LISTED, Kind.EXIT_UNHASHED, Kind.FIXED];
const [EV_LEAVE, EV_EXIT, EV_FORK] = [Ev.LEAVE, Ev.EXIT, Ev.FORK];

export class Workload {
  readonly classes: WorkloadClassInfo[] = [];
  readonly tickUs: number;
  private readonly rt: ClassRt[];
  private readonly states: StateRt[];
  private readonly sampler: Sampler;
  private readonly stacks: WorkloadStacks;
  private readonly finalTemplate: number;
  private readonly kthreadd: number;

  constructor(
    private readonly k: Kernel,
    spec: WorkloadSpec,
  ) {
    if (k.exitToUserModeHook) modelBug('installWorkload: a workload is already installed on this kernel');
    const plan = planWorkload(k, spec);
    ({ rt: this.rt, states: this.states, tickUs: this.tickUs, finalTemplate: this.finalTemplate, kthreadd: this.kthreadd } = plan);
    this.sampler = new Sampler(k.prng, this.states);
    this.stacks = new WorkloadStacks(k, plan.templates);
    this.installTasks(spec);
    k.exitToUserModeHook = (slot) => this.restartSyscall(slot);
    if (this.states.some((s) => s.lamDt > 0) || this.rt.some((c) => c.exitDt > 0 || c.forkDt > 0 || c.spec?.cpuBound?.condResched)) {
      k.clock.after(this.tickUs, () => this.tick(), 'workload tick');
    }
  }

  // ------------------------------------------------------------------ views

  /** Index into `classes` of the task in `slot`, or -1. */
  classOf(slot: number): number {
    const g = slot < this.sampler.st.length ? this.sampler.st[slot] : GONE;
    return g === GONE ? -1 : this.states[g].cls;
  }

  /** The phase index of the task in `slot`, or a Place. */
  phaseOf(slot: number): number {
    const g = slot < this.sampler.st.length ? this.sampler.st[slot] : GONE;
    if (g === GONE) return P_NONE;
    return placeOf(this.states[g]);
  }

  /** Tasks of the class alive now (every state but gone). */
  liveCount(cls: number): number {
    const c = this.rt[cls];
    let n = 0;
    for (const g of [...c.phaseStates, c.userState, c.cpuState, c.exitListedState, c.exitUnhashedState]) if (g >= 0) n += this.sampler.count[g];
    return n;
  }

  /** Slots of the class's live tasks, in task-list order. */
  slotsOf(cls: number): Int32Array {
    const out = new Int32Array(this.liveCount(cls));
    let i = 0;
    for (let s = 0; s < this.sampler.st.length && i < out.length; s++) {
      const g = this.sampler.st[s];
      if (g !== GONE && this.states[g].cls === cls) out[i++] = s;
    }
    return out;
  }

  /** A fatal signal for the task in `slot`: it starts exiting now (do_group_exit). */
  exit(slot: number): void {
    const g = slot < this.sampler.st.length ? this.sampler.st[slot] : GONE;
    const kind = g === GONE ? null : this.states[g].kind;
    if (kind === null || kind === K_EXIT_LISTED || kind === K_EXIT_UNHASHED || kind === K_FIXED) {
      throw new Error(`workload.exit: slot ${slot} is not a live task of a workload class (expected a class task that is not already exiting)`);
    }
    this.stacks.refreshFreed();
    try {
      this.beginExit(slot);
    } catch (e) {
      this.killed(slot, e);
    }
  }

  // ------------------------------------------------------------------ installing the tasks

  private installTasks(spec: WorkloadSpec): void {
    const k = this.k;
    const t = k.tasks;
    const classes = this.rt.slice(0, spec.classes.length);
    const fixed = this.rt.slice(spec.classes.length);
    const total = classes.reduce((a, c) => a + c.info.initialCount, 0) + fixed.length;
    t.reserve(t.n + total);
    this.sampler.ensureIndex(t.n + total);
    this.beginEvent();
    for (const c of classes) {
      const s = c.spec as TaskClassSpec;
      const first = t.n;
      c.commId = t.commPattern(s.comm, first);
      c.info.firstSlot = first;
      c.hi = first + s.count;
      const fractions = stationary(c);
      for (let i = 0; i < s.count; i++) {
        const slot = k.addTask({ comm: s.comm, kthread: c.kthread, sched: S_RUNNABLE, stack: EMPTY_STACK, cls: c.info.cls });
        t.comm[slot] = c.commId;
        if (!s.reliableStack) t.set(slot, F_UNRELIABLE);
        this.place(c, slot, pickWeighted(fractions, k.prng.next()));
      }
    }
    fixed.forEach((c, fi) => {
      const f = spec.fixed[fi];
      const slot = k.addTask({ comm: f.comm, kthread: f.kind === 'kthread', sched: SCHED_OF[f.sched], stack: EMPTY_STACK, cls: c.info.cls });
      c.info.firstSlot = slot;
      if (f.reliableStack === false) t.set(slot, F_UNRELIABLE);
      t.stack[slot] = this.stacks.descend(slot, EMPTY_STACK, c.phaseTemplates[0], 0);
      this.sampler.setState(slot, c.phaseStates[0]);
    });
    for (const c of [...classes, ...fixed]) this.classes.push(c.info);
    this.stacks.endEvent();
  }


  /** Put a new task into state index `which` of stationary() order. */
  private place(c: ClassRt, slot: number, which: number): void {
    const nPhases = c.phaseStates.length;
    if (which < nPhases) this.enterPhase(slot, c, which, EMPTY_STACK, 0);
    else if (which === nPhases) this.toUser(slot, c);
    else this.enterCpuLoop(slot, c);
  }

  // ------------------------------------------------------------------ the tick

  private tick(): void {
    const k = this.k;
    const sm = this.sampler;
    this.beginEvent();
    sm.beginTick();
    for (const c of this.rt) {
      const lo = c.info.firstSlot;
      const span = c.hi - lo;
      for (const g of c.leaveStates) if (!this.states[g].wheel) sm.select(g, this.states[g].lamDt, EV_LEAVE, lo, span);
      if (c.exitDt > 0) for (const g of c.liveStates) sm.select(g, c.exitDt, EV_EXIT, lo, span);
      if (c.forkDt > 0) for (const g of c.liveStates) sm.select(g, c.forkDt, EV_FORK, lo, span);
    }
    k.clock.budget?.steps(sm.nSel, 'workload tick');
    this.touchChosen();
    for (let i = 0; i < sm.nSel; i++) {
      const slot = sm.selSlot[i];
      const g = sm.selState[i];
      if (sm.st[slot] !== g) continue;
      const ev = sm.selEv[i];
      sm.firing = slot;
      try {
        if (ev === EV_LEAVE) this.leave(slot, g);
        else if (ev === EV_EXIT) this.beginExit(slot);
        else this.forkFrom(slot, g);
      } catch (e) {
        this.killed(slot, e);
      }
    }
    sm.firing = -1;
    // cond_resched() in CPU-bound loops: v6.4-v6.15 switch a pending task there (stack checked).
    if (k.klpSchedHookEnabled && k.features.schedHook === 'cond_resched') {
      for (const c of this.rt) {
        if (!c.spec?.cpuBound?.condResched) continue;
        sm.nSel = 0;
        sm.select(c.cpuState, Infinity, EV_LEAVE, 0, 0);
        for (let i = 0; i < sm.nSel; i++) k.klpSchedHook(sm.selSlot[i], false);
      }
    }
    this.stacks.endEvent();
    k.clock.after(this.tickUs, () => this.tick(), 'workload tick');
  }

  /**
   * Read the per-task bytes of every task chosen in this tick before moving any of them. The
   * chosen slots are scattered over a million-entry table, so each move would start with a
   * cache miss in each array; in this loop of independent loads the processor waits for many
   * misses at once instead of one after another. Read-only: nothing the model computes changes.
   * (V8 keeps typed-array loads whose sum is unused; measured with and without this pass.)
   */
  private touchChosen(): void {
    const sm = this.sampler;
    const sel = sm.selSlot;
    const st = sm.st;
    const { stack, patchState, flags, sched } = this.k.tasks;
    let sink = 0;
    for (let i = 0, n = sm.nSel; i < n; i++) {
      const s = sel[i];
      sink += st[s] + stack[s] + patchState[s] + flags[s] + sched[s];
    }
    void sink;
  }

  /** Start of a clock event that moves tasks: func_stacks cannot change until it ends. */
  private beginEvent(): void {
    this.stacks.beginEvent();
  }


  /** A step of the task ended in an Oops (it ran freed text): the task is gone. */
  private killed(slot: number, e: unknown): void {
    if (!(e instanceof TaskKilled)) throw e;
    if (this.k.tasks.has(slot, F_LISTED)) this.unhashTask(slot);
    this.reapTask(slot);
  }

  // ------------------------------------------------------------------ task steps

  /** The task's timer in state g expired. */
  private leave(slot: number, g: number): void {
    const s = this.states[g];
    const c = this.rt[s.cls];
    const t = this.k.tasks;
    const node = t.stack[slot];
    switch (s.kind) {
      case K_USER:
        // A syscall: into a phase chosen by weight.
        this.enterPhase(slot, c, this.pickPhase(c), EMPTY_STACK, 0);
        return;
      case K_PHASE:
        if (!c.kthread) {
          // The syscall returns through every frame to user space.
          this.stacks.checkFreed(slot, node, 0);
          this.toUser(slot, c);
          return;
        }
        {
          // A kthread wakes, returns to its loop, and the loop calls down into the next phase.
          const L = c.loopDepth;
          this.stacks.checkFreed(slot, node, L - 1);
          let base = node;
          while (this.k.trie.depth(base) > L) base = this.k.trie.parent(base);
          this.enterPhase(slot, c, this.pickPhase(c), base, L);
        }
        return;
      case K_EXIT_LISTED:
        this.releaseTaskLocked(slot, g);
        return;
      case K_EXIT_UNHASHED: {
        // The tail of do_exit() runs on, then do_task_dead(): the final schedule.
        this.stacks.checkFreed(slot, node, this.k.trie.depth(node) - 1);
        t.stack[slot] = this.stacks.descend(slot, node, this.finalTemplate, 0);
        this.reapTask(slot);
        return;
      }
      case K_CPU:
      case K_FIXED:
        return;
    }
  }

  /**
   * release_task() -> __unhash_process() under write_lock_irq(&tasklist_lock): after any walk.
   * (Its own method: a closure inside leave() would make every call of leave() allocate the
   * variables it captures, about 100 bytes per moved task.)
   */
  private releaseTaskLocked(slot: number, g: number): void {
    this.k.tasklistWriteLock(() => this.releaseTask(slot, g), 'exit', slot);
  }

  /** Gone from the walk, still running do_exit(). */
  private releaseTask(slot: number, g: number): void {
    const t = this.k.tasks;
    if (this.sampler.st[slot] !== g) return;
    const c = this.rt[this.states[g].cls];
    const node = t.stack[slot];
    const inDoExit = this.k.trie.parent(node);
    try {
      this.stacks.checkFreed(slot, node, this.k.trie.depth(inDoExit) - 1);
    } catch (e) {
      this.killed(slot, e);
      return;
    }
    this.unhashTask(slot);
    t.stack[slot] = inDoExit;
    t.sched[slot] = S_RUNNING;
    this.sampler.setState(slot, c.exitUnhashedState);
  }

  private pickPhase(c: ClassRt): number {
    return pickWeighted(c.weights, this.k.prng.next());
  }

  private enterPhase(slot: number, c: ClassRt, phase: number, base: number, from: number): void {
    const t = this.k.tasks;
    t.clear(slot, F_USER_MODE);
    t.stack[slot] = this.stacks.descend(slot, base, c.phaseTemplates[phase], from);
    const sched = c.phaseSched[phase];
    t.sched[slot] = sched;
    this.sampler.setState(slot, c.phaseStates[phase]);
    // __schedule(): the v6.16+ hook for a task going to a freezable sleep.
    if (sched === S_FREEZABLE || sched === S_FREEZABLE_D) this.k.klpSchedHook(slot, true);
  }

  private enterCpuLoop(slot: number, c: ClassRt): void {
    const t = this.k.tasks;
    t.stack[slot] = this.stacks.descend(slot, EMPTY_STACK, c.cpuTemplate, 0);
    t.sched[slot] = S_RUNNING;
    this.sampler.setState(slot, c.cpuState);
  }

  /** Back in user space: klp_update_patch_state() on the way (exit_to_user_mode_loop). */
  private toUser(slot: number, c: ClassRt): void {
    const t = this.k.tasks;
    t.stack[slot] = EMPTY_STACK;
    t.set(slot, F_USER_MODE);
    t.sched[slot] = S_RUNNABLE;
    this.sampler.setState(slot, c.userState);
    this.k.exitToUserMode(slot);
    if (c.spins) this.k.busy.add(slot);
  }

  /** do_group_exit() -> do_exit(): listed, blocked in do_exit until release_task(). */
  private beginExit(slot: number): void {
    const t = this.k.tasks;
    const c = this.rt[this.states[this.sampler.st[slot]].cls];
    this.stacks.checkFreed(slot, t.stack[slot], 0);
    if (c.spins) this.k.busy.remove(slot);
    t.clear(slot, F_USER_MODE);
    t.set(slot, F_EXITING);
    t.stack[slot] = this.stacks.descend(slot, EMPTY_STACK, c.exitTemplate, 0);
    t.sched[slot] = S_UNINTERRUPTIBLE;
    this.sampler.setState(slot, c.exitListedState);
  }

  /** clone(): the child is a new task of the class (kthreads are created by kthreadd). */
  private forkFrom(parent: number, g: number): void {
    // copy_process() links the child under write_lock_irq(&tasklist_lock): after any walk.
    this.k.tasklistWriteLock(() => {
      try {
        this.copyProcess(parent, g);
      } catch (e) {
        // The child ran freed text on its way out of the fork (the Oops names it).
        this.killed(e instanceof TaskKilled ? e.slot : parent, e);
      }
    }, 'fork', parent);
  }

  private copyProcess(parent: number, g: number): void {
    const c = this.rt[this.states[g].cls];
    const t = this.k.tasks;
    const child = this.forkTask(c.kthread ? this.kthreadd : parent, (c.spec as TaskClassSpec).comm);
    this.sampler.ensureIndex(child + 1);
    c.hi = child + 1;
    t.comm[child] = c.commId;
    t.cls[child] = c.info.cls;
    if ((c.spec as TaskClassSpec).reliableStack) t.clear(child, F_UNRELIABLE);
    else t.set(child, F_UNRELIABLE);
    if (!c.kthread) this.toUser(child, c); // ret_from_fork returns to user mode
    else if (c.cpuState >= 0) this.enterCpuLoop(child, c);
    else this.enterPhase(child, c, this.pickPhase(c), EMPTY_STACK, 0);
  }

  /** A fake signal made a sleeping user task return to user mode: it restarts its syscall. */
  private restartSyscall(slot: number): void {
    const g = slot < this.sampler.st.length ? this.sampler.st[slot] : GONE;
    if (g === GONE) return;
    const s = this.states[g];
    const c = this.rt[s.cls];
    if (s.kind !== K_PHASE || c.kthread) return;
    this.stacks.refreshFreed();
    try {
      this.stacks.checkFreed(slot, this.k.tasks.stack[slot], 0);
      this.enterPhase(slot, c, s.phase, EMPTY_STACK, 0);
    } catch (e) {
      this.killed(slot, e);
    }
  }

  // ------------------------------------------------------------------ the task list (one place each)

  /** copy_process() + klp_copy_process(). */
  private forkTask(parent: number, comm: string): number {
    return this.k.fork(parent, comm);
  }

  /** release_task() -> __unhash_process(). */
  private unhashTask(slot: number): void {
    this.k.unhash(slot);
  }

  /** The last reference is dropped: the task is gone. */
  private reapTask(slot: number): void {
    this.k.reap(slot);
    this.sampler.setState(slot, GONE);
  }

  // ------------------------------------------------------------------ the state index

  /** Bytes the workload keeps per slot (state byte and block counts), for the bench. */
  bytesPerSlot(): number {
    return this.sampler.bytesPerSlot();
  }
}

/** Install the workload on a booted kernel: creates the tasks (typed arrays, shared stacks) and schedules
 *  their behaviour on the virtual clock with the kernel's seeded PRNG. */
export function installWorkload(k: Kernel, spec: WorkloadSpec): Workload {
  return new Workload(k, spec);
}
