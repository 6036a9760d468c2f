// Behaviour at scale: classes of tasks that enter and leave the kernel, sleep and wake in
// their phases, fork and exit, on the virtual clock and the kernel's seeded PRNG, cheaply
// enough for a million tasks. Nothing here is per-task except one state byte: stacks are
// shared trie nodes (one per phase and code-version combination) and the whole workload
// is one clock event per tick.
//
// The sampling model
// ------------------
// Each task of a class is a continuous-time Markov chain over a few states: in user space,
// in kernel phase i, in a CPU-bound loop, exiting while listed, exiting after release_task().
// A state s is left at rate λ_s (user space: syscallRatePerS; phase i: 1/dwellUs; the exit
// steps: 1/their mean), and every live task also exits at exitRatePerS and forks at
// forkRatePerS. Per-task timers would draw an exponential expiry for each task.
//
// Instead, time advances in ticks of Δ, and a tick decides for every task in state s,
// independently, with probability p_s = 1 - e^(-λ_s·Δ), whether its timer expired during the
// tick. That is exactly the probability that the exponential timer of a task which was in s
// at the start of the tick fires within Δ (memorylessness makes the time already spent in s
// irrelevant), so the set of tasks that move is distributed exactly as with per-task timers
// that have jiffy granularity: every expiry is rounded up to the next tick boundary, as the
// kernel's own timer wheel rounds to jiffies. The only other difference is that a task takes
// at most one step per tick (a second expiry inside the same tick waits for the next one),
// which is why Δ is kept at a quarter of the shortest mean sojourn or less.
//
// The independent coin flips are drawn without flipping a coin per task: the gaps between
// chosen members of a state are geometric, floor(E / (λ_s·Δ)) with E ~ Exp(1), so a tick
// costs one draw per task that moves. Members of a state are found by rank through block
// counts (per 32, 512 and 8192 slots) over the state bytes, walking forward
// once per state and tick; in a state that fills a quarter of its class's slots or more,
// the number chosen is counted the same way and that many distinct members are drawn
// uniformly by rejection, which is the same law. States left within a few dozen ticks on
// average (user space between syscalls, short syscalls, the exit steps) hold few tasks: for
// them the same geometric tick count, 1 + floor(E / (λ_s·Δ)), is drawn once when a task
// enters and kept in a timer wheel, which is per-task timers at tick granularity exactly.
// Tasks are chosen first and moved afterwards, so a task moved in this tick is not chosen
// again for the same tick.

import { KLP_TRANSITION_IDLE } from './constants';
import { TaskKilled, type Kernel } from './kernel';
import { EMPTY_STACK } from './stacks';
import { Sched, TF, type SchedState } from './tasks';
import {
  DEFAULT_EXIT_LISTED_US,
  DEFAULT_EXIT_UNHASHED_US,
  fail,
  LIMIT_CLASSES,
  NO_STATE,
  Place,
  validateShape,
  type PhaseSched,
  type TaskClassSpec,
  type WorkloadClassInfo,
  type WorkloadSpec,
} from './workloadModel';

const MIN_TICK_US = 500;
const MAX_TICK_US = 5000;

export { Place, type FixedTaskSpec, type PhaseSched, type StackPhase, type TaskClassSpec, type WorkloadClassInfo, type WorkloadSpec } from './workloadModel';

/** Block counts of the state index: 32 slots, 512 slots (16 blocks), 8192 slots (16 of those). */
const L0_SHIFT = 5;
const L1_SHIFT = 9;
const L2_SHIFT = 13;
const FAN = 4;
/** States left within this many ticks on average keep per-task expiries in a timer wheel. */
const WHEEL_MEAN_TICKS = 64;
const WHEEL_SIZE = 2048;
// Module-local copies: reading them is cheaper than going through the imported objects.
const F_USER_MODE = TF.USER_MODE;
const F_UNRELIABLE = TF.UNRELIABLE;
const F_LISTED = TF.LISTED;
const F_EXITING = TF.EXITING;
const S_RUNNING = Sched.RUNNING;
const S_RUNNABLE = Sched.RUNNABLE;
const S_UNINTERRUPTIBLE = Sched.UNINTERRUPTIBLE;
const S_FREEZABLE = Sched.FREEZABLE;
const S_FREEZABLE_D = Sched.FREEZABLE_UNINTERRUPTIBLE;
const PS_IDLE = KLP_TRANSITION_IDLE;

const SCHED_OF: Record<PhaseSched, SchedState> = {
  running: Sched.RUNNING,
  interruptible: Sched.INTERRUPTIBLE,
  uninterruptible: Sched.UNINTERRUPTIBLE,
  freezable: Sched.FREEZABLE,
  'uninterruptible-freezable': Sched.FREEZABLE_UNINTERRUPTIBLE,
};

/** A user task killed by a fatal signal on its way back to user mode (the §14.5 trace). */
const USER_EXIT_FRAMES = ['entry_SYSCALL_64_after_hwframe', 'do_syscall_64', 'syscall_exit_to_user_mode', 'exit_to_user_mode_loop', 'arch_do_signal_or_restart', 'get_signal', 'do_group_exit', 'do_exit', 'schedule'];
const KTHREAD_EXIT_FRAMES = ['ret_from_fork_asm', 'ret_from_fork', 'kthread', 'do_exit', 'schedule'];
/** do_task_dead(): the last schedule() of a dead task; __schedule() calls update_rq_clock(). */
const FINAL_FRAMES = ['do_task_dead', '__schedule', 'update_rq_clock'];

const enum Kind { USER, PHASE, CPU, EXIT_LISTED, EXIT_UNHASHED, FIXED }
const enum Ev { LEAVE, EXIT, FORK }

interface StateRt {
  cls: number;
  kind: Kind;
  phase: number;
  /** λ·Δ of leaving the state (0: never). */
  lamDt: number;
  /** Short sojourns: each task's expiry tick is drawn on entry and kept in the wheel. */
  wheel: boolean;
}

/** WorkloadClassInfo while the workload fills it in. */
interface ClassInfo {
  name: string;
  kind: 'user' | 'kthread';
  cls: number;
  firstSlot: number;
  initialCount: number;
  phaseLabels: string[];
}

interface ClassRt {
  info: ClassInfo;
  spec: TaskClassSpec | null;
  kthread: boolean;
  commId: number;
  /** State ids of the phases, then user, cpu, exit listed, exit unhashed (-1 where absent). */
  phaseStates: number[];
  userState: number;
  cpuState: number;
  exitListedState: number;
  exitUnhashedState: number;
  /** Template ids of the phases (and of the CPU-bound loop). */
  phaseTemplates: number[];
  cpuTemplate: number;
  exitTemplate: number;
  weights: number[];
  weightSum: number;
  /** Frames a kthread never returns from between phases (its loop): the phases' common prefix. */
  loopDepth: number;
  exitDt: number;
  forkDt: number;
  liveStates: number[];
  /** States whose tasks leave by their own timer. */
  leaveStates: number[];
  /** One past the highest slot the class has used (forks append). */
  hi: number;
  /** A user class without kernel phases: its tasks spin in user space on the CPUs (busyCpus.ts). */
  spins: boolean;
}


export class Workload {
  readonly classes: WorkloadClassInfo[] = [];
  readonly tickUs: number;
  private readonly rt: ClassRt[] = [];
  private readonly states: StateRt[] = [];
  private readonly templates: number[][] = [];
  /** Per slot: its state id, NO_STATE for tasks that are not the workload's or are gone. */
  private st = new Uint8Array(0);
  private l0: Uint8Array[] = [];
  private l1: Uint16Array[] = [];
  private l2: Int32Array[] = [];
  private count: number[] = [];
  private readonly memo = new Map<number, number>();
  private readonly seen = new Set<number>();
  /** Timer wheel: per tick, entries slot * 256 + state (a negative entry re-arms a long draw). */
  private readonly wheel: Float64Array[] = Array.from({ length: WHEEL_SIZE }, () => new Float64Array(16));
  private readonly wheelLen = new Int32Array(WHEEL_SIZE);
  private tickNo = 0;
  /** The task whose timer is being handled: re-entering the same state draws a new expiry. */
  private firing = -1;
  private memoLive = false;
  private pureCalls = true;
  private anyFreed = false;
  private selSlot = new Int32Array(1024);
  private selState = new Uint8Array(1024);
  private selEv = new Uint8Array(1024);
  private nSel = 0;
  private readonly finalTemplate: number;
  private readonly kthreadd: number;

  constructor(
    private readonly k: Kernel,
    spec: WorkloadSpec,
  ) {
    if (k.exitToUserModeHook) fail('installWorkload: a workload is already installed on this kernel');
    validateShape(spec);
    const resolve = (names: readonly string[], where: string) => names.map((n, i) => this.codeOfFrame(n, `${where}[${i}]`));
    this.finalTemplate = this.addTemplate(resolve(FINAL_FRAMES, 'do_task_dead'));
    const userExit = this.addTemplate(resolve(USER_EXIT_FRAMES, 'do_exit'));
    const kthreadExit = this.addTemplate(resolve(KTHREAD_EXIT_FRAMES, 'do_exit'));
    this.kthreadd = findKthreadd(k);
    let minSojournUs = Infinity;
    const pending: { c: ClassRt; s: TaskClassSpec; frames: number[][] }[] = [];
    spec.classes.forEach((s, ci) => {
      const where = `workload.classes[${ci}]`;
      const frames = s.phases.map((p, pi) => resolve(p.frames, `${where}.phases[${pi}].frames`));
      const cpuFrames = s.cpuBound ? resolve(s.cpuBound.frames, `${where}.cpuBound.frames`) : null;
      if (s.kind === 'kthread' && s.forkRatePerS > 0 && this.kthreadd < 0) fail(`${where}.forkRatePerS: kthreads are created by kthreadd, which this machine does not have; expected 0`);
      for (const p of s.phases) minSojournUs = Math.min(minSojournUs, p.dwellUs);
      if (s.kind === 'user' && s.phases.length && s.syscallRatePerS > 0) minSojournUs = Math.min(minSojournUs, 1e6 / s.syscallRatePerS);
      const c = this.newClass(s.name, s.kind, s.count, s);
      c.phaseTemplates = frames.map((f) => this.addTemplate(f));
      if (cpuFrames) c.cpuTemplate = this.addTemplate(cpuFrames);
      c.exitTemplate = s.kind === 'user' ? userExit : kthreadExit;
      c.loopDepth = s.kind === 'kthread' && frames.length ? loopDepthOf(frames) : 0;
      c.weights = s.phases.map((p) => p.weight);
      c.weightSum = c.weights.reduce((a, b) => a + b, 0);
      pending.push({ c, s, frames });
    });
    const fixedFrames = spec.fixed.map((f, fi) => resolve(f.frames, `workload.fixed[${fi}].frames`));
    if (this.rt.length + spec.fixed.length > LIMIT_CLASSES) fail(`workload: ${this.rt.length + spec.fixed.length} classes and fixed tasks; at most ${LIMIT_CLASSES}`);
    this.tickUs = Math.min(MAX_TICK_US, Math.max(MIN_TICK_US, Math.floor(minSojournUs / 4)));
    const dt = this.tickUs / 1e6;
    for (const { c, s } of pending) {
      c.phaseStates = s.phases.map((p, pi) => this.addState(c, Kind.PHASE, pi, dt * (1e6 / p.dwellUs)));
      if (s.kind === 'user') c.userState = this.addState(c, Kind.USER, -1, s.phases.length ? dt * s.syscallRatePerS : 0);
      if (s.cpuBound) c.cpuState = this.addState(c, Kind.CPU, -1, 0);
      c.exitListedState = this.addState(c, Kind.EXIT_LISTED, -1, dt * (1e6 / (s.exitListedUs ?? DEFAULT_EXIT_LISTED_US)));
      c.exitUnhashedState = this.addState(c, Kind.EXIT_UNHASHED, -1, dt * (1e6 / (s.exitUnhashedUs ?? DEFAULT_EXIT_UNHASHED_US)));
      c.liveStates = [...c.phaseStates, c.userState, c.cpuState].filter((g) => g >= 0);
      c.leaveStates = [...c.phaseStates, c.userState, c.exitListedState, c.exitUnhashedState].filter((g) => g >= 0 && this.states[g].lamDt > 0);
      c.exitDt = dt * s.exitRatePerS;
      c.forkDt = dt * s.forkRatePerS;
    }
    const fixedRt = spec.fixed.map((f, fi) => {
      const c = this.newClass(f.comm, f.kind, 1, null);
      c.phaseTemplates = [this.addTemplate(fixedFrames[fi])];
      c.phaseStates = [this.addState(c, Kind.FIXED, 0, 0)];
      return c;
    });
    if (this.states.length > NO_STATE) fail(`workload: the classes need ${this.states.length} task states in all; at most ${NO_STATE} (fewer classes or phases)`);
    this.installTasks(pending.map((p) => p.c), fixedRt, spec);
    k.exitToUserModeHook = (slot) => this.restartSyscall(slot);
    if (this.states.some((s) => s.lamDt > 0) || this.rt.some((c) => c.exitDt > 0 || c.forkDt > 0 || c.spec?.cpuBound?.condResched)) {
      k.clock.after(this.tickUs, () => this.tick(), 'workload tick');
    }
  }

  // ------------------------------------------------------------------ views

  /** Index into `classes` of the task in `slot`, or -1. */
  classOf(slot: number): number {
    const g = slot < this.st.length ? this.st[slot] : NO_STATE;
    return g === NO_STATE ? -1 : this.states[g].cls;
  }

  /** The phase index of the task in `slot`, or a Place. */
  phaseOf(slot: number): number {
    const g = slot < this.st.length ? this.st[slot] : NO_STATE;
    if (g === NO_STATE) return Place.NONE;
    const s = this.states[g];
    switch (s.kind) {
      case Kind.PHASE:
      case Kind.FIXED:
        return s.phase;
      case Kind.USER:
        return Place.USER;
      case Kind.CPU:
        return Place.CPU_BOUND;
      case Kind.EXIT_LISTED:
        return Place.EXITING;
      case Kind.EXIT_UNHASHED:
        return Place.EXITING_UNHASHED;
    }
  }

  /** Tasks of the class alive now (every state but gone). */
  liveCount(cls: number): number {
    const c = this.rt[cls];
    let n = 0;
    for (const g of [...c.phaseStates, c.userState, c.cpuState, c.exitListedState, c.exitUnhashedState]) if (g >= 0) n += this.count[g];
    return n;
  }

  /** Slots of the class's live tasks, in task-list order. */
  slotsOf(cls: number): Int32Array {
    const out = new Int32Array(this.liveCount(cls));
    let i = 0;
    for (let s = 0; s < this.st.length && i < out.length; s++) {
      const g = this.st[s];
      if (g !== NO_STATE && this.states[g].cls === cls) out[i++] = s;
    }
    return out;
  }

  /** A fatal signal for the task in `slot`: it starts exiting now (do_group_exit). */
  exit(slot: number): void {
    const g = slot < this.st.length ? this.st[slot] : NO_STATE;
    const kind = g === NO_STATE ? null : this.states[g].kind;
    if (kind === null || kind === Kind.EXIT_LISTED || kind === Kind.EXIT_UNHASHED || kind === Kind.FIXED) {
      throw new Error(`workload.exit: slot ${slot} is not a live task of a workload class (expected a class task that is not already exiting)`);
    }
    this.refreshFreed();
    try {
      this.beginExit(slot);
    } catch (e) {
      this.killed(slot, e);
    }
  }

  // ------------------------------------------------------------------ construction

  private newClass(name: string, kind: 'user' | 'kthread', count: number, spec: TaskClassSpec | null): ClassRt {
    const cls = this.rt.length + 1;
    const info: ClassInfo = {
      name,
      kind,
      cls,
      firstSlot: -1,
      initialCount: count,
      phaseLabels: [],
    };
    const c: ClassRt = {
      info,
      spec,
      kthread: kind === 'kthread',
      commId: -1,
      phaseStates: [],
      userState: -1,
      cpuState: -1,
      exitListedState: -1,
      exitUnhashedState: -1,
      phaseTemplates: [],
      cpuTemplate: -1,
      exitTemplate: -1,
      weights: [1],
      weightSum: 1,
      loopDepth: 0,
      exitDt: 0,
      forkDt: 0,
      liveStates: [],
      leaveStates: [],
      hi: 0,
      spins: kind === 'user' && spec !== null && spec.phases.length === 0,
    };
    this.rt.push(c);
    return c;
  }

  private addTemplate(codes: number[]): number {
    this.templates.push(codes);
    return this.templates.length - 1;
  }

  private addState(c: ClassRt, kind: Kind, phase: number, lamDt: number): number {
    this.states.push({ cls: this.rt.indexOf(c), kind, phase, lamDt, wheel: lamDt > 0 && lamDt * WHEEL_MEAN_TICKS >= 1 });
    this.count.push(0);
    return this.states.length - 1;
  }

  private codeOfFrame(name: string, where: string): number {
    const colon = name.indexOf(':');
    const owner = colon < 0 ? 'vmlinux' : name.slice(0, colon);
    const fn = colon < 0 ? name : name.slice(colon + 1);
    const sym = this.k.syms.find(owner, fn);
    if (!sym) {
      fail(
        owner === 'vmlinux' || this.k.modules.has(owner)
          ? `${where}: unknown function '${name}' (expected a function of ${owner === 'vmlinux' ? 'vmlinux' : `module ${owner}`}, or 'module:function' of a loaded module)`
          : `${where}: module '${owner}' of '${name}' is not loaded (load it before installing the workload)`,
      );
    }
    return sym.id;
  }

  private installTasks(classes: ClassRt[], fixed: ClassRt[], spec: WorkloadSpec): void {
    const k = this.k;
    const t = k.tasks;
    const total = classes.reduce((a, c) => a + c.info.initialCount, 0) + fixed.length;
    t.reserve(t.n + total);
    this.ensureIndex(t.n + total);
    this.beginEvent();
    for (const c of classes) {
      const s = c.spec as TaskClassSpec;
      const first = t.n;
      c.commId = t.commPattern(s.comm, first);
      c.info.firstSlot = first;
      c.info.phaseLabels = c.phaseTemplates.map((tid) => this.innermostName(tid));
      c.hi = first + s.count;
      const stationary = this.stationary(c);
      for (let i = 0; i < s.count; i++) {
        const slot = k.addTask({ comm: s.comm, kthread: c.kthread, sched: S_RUNNABLE, stack: EMPTY_STACK, cls: c.info.cls });
        t.comm[slot] = c.commId;
        if (!s.reliableStack) t.set(slot, F_UNRELIABLE);
        this.place(c, slot, pickWeighted(stationary, k.prng.next()));
      }
    }
    fixed.forEach((c, fi) => {
      const f = spec.fixed[fi];
      const slot = k.addTask({ comm: f.comm, kthread: f.kind === 'kthread', sched: SCHED_OF[f.sched], stack: EMPTY_STACK, cls: c.info.cls });
      c.info.firstSlot = slot;
      c.info.phaseLabels = [this.innermostName(c.phaseTemplates[0])];
      if (f.reliableStack === false) t.set(slot, F_UNRELIABLE);
      t.stack[slot] = this.descend(slot, EMPTY_STACK, c.phaseTemplates[0], 0);
      this.setState(slot, c.phaseStates[0]);
    });
    for (const c of [...classes, ...fixed]) this.classes.push(c.info);
    this.memoLive = false;
  }

  private innermostName(tid: number): string {
    const frames = this.templates[tid];
    return this.k.syms.codes[frames[frames.length - 1]].name;
  }

  /** Time fractions of the states at equilibrium (a warm start): [phases..., user, cpu]. */
  private stationary(c: ClassRt): number[] {
    const s = c.spec as TaskClassSpec;
    if (s.cpuBound) return [...s.phases.map(() => 0), 0, 1];
    const kernel = s.phases.map((p) => (p.weight / c.weightSum) * p.dwellUs);
    if (s.kind === 'kthread') return [...kernel, 0, 0];
    if (!s.phases.length || s.syscallRatePerS === 0) return [...kernel.map(() => 0), 1, 0];
    return [...kernel, 1e6 / s.syscallRatePerS, 0];
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
    this.beginEvent();
    this.nSel = 0;
    this.tickNo++;
    this.drainWheel();
    for (const c of this.rt) {
      for (const g of c.leaveStates) if (!this.states[g].wheel) this.select(g, this.states[g].lamDt, Ev.LEAVE);
      if (c.exitDt > 0) for (const g of c.liveStates) this.select(g, c.exitDt, Ev.EXIT);
      if (c.forkDt > 0) for (const g of c.liveStates) this.select(g, c.forkDt, Ev.FORK);
    }
    for (let i = 0; i < this.nSel; i++) {
      const slot = this.selSlot[i];
      const g = this.selState[i];
      if (this.st[slot] !== g) continue;
      const ev = this.selEv[i];
      this.firing = slot;
      try {
        if (ev === Ev.LEAVE) this.leave(slot, g);
        else if (ev === Ev.EXIT) this.beginExit(slot);
        else this.forkFrom(slot, g);
      } catch (e) {
        this.killed(slot, e);
      }
    }
    this.firing = -1;
    // cond_resched() in CPU-bound loops: v6.4-v6.15 switch a pending task there (stack checked).
    if (k.klpSchedHookEnabled && k.features.schedHook === 'cond_resched') {
      for (const c of this.rt) {
        if (!c.spec?.cpuBound?.condResched) continue;
        this.nSel = 0;
        this.select(c.cpuState, Infinity, Ev.LEAVE);
        for (let i = 0; i < this.nSel; i++) k.klpSchedHook(this.selSlot[i], false);
      }
    }
    this.memoLive = false;
    k.clock.after(this.tickUs, () => this.tick(), 'workload tick');
  }

  /** Start of a clock event that moves tasks: func_stacks cannot change until it ends. */
  private beginEvent(): void {
    const k = this.k;
    this.memo.clear();
    this.memoLive = true;
    this.pureCalls = k.ftrace.currentTracer !== 'function' || !k.ftrace.tracingOn;
    this.refreshFreed();
  }

  /** Whether any module text has been freed (only then can a return land in freed text). */
  private refreshFreed(): void {
    this.anyFreed = this.k.syms.codes.some((s) => s.freed);
  }

  /** Choose each member of state g independently with probability 1 - e^-lamDt (see the header). */
  private select(g: number, lamDt: number, ev: Ev): void {
    const n = this.count[g];
    if (n === 0) return;
    const prng = this.k.prng;
    const every = lamDt === Infinity;
    let r = every ? 0 : Math.floor(-Math.log(1 - prng.next()) / lamDt);
    if (r >= n) return;
    const c = this.rt[this.states[g].cls];
    const lo = c.info.firstSlot;
    const span = c.hi - lo;
    if (!every && n * 4 >= span) {
      // Dense state: count the chosen ranks (a Binomial(n, p) draw), then take that many
      // distinct members uniformly by rejection within the class's slots - the same law.
      let chosen = 0;
      while (r < n) {
        chosen++;
        r += 1 + Math.floor(-Math.log(1 - prng.next()) / lamDt);
      }
      const seen = this.seen;
      seen.clear();
      while (seen.size < chosen) {
        const s = lo + Math.floor(prng.next() * span);
        if (this.st[s] !== g || seen.has(s)) continue;
        seen.add(s);
        this.push(s, g, ev);
      }
      return;
    }
    const l2 = this.l2[g];
    const l1 = this.l1[g];
    const l0 = this.l0[g];
    const st = this.st;
    let before = 0;
    for (let a = 0; a < l2.length; a++) {
      const ca = l2[a];
      if (r >= before + ca) {
        before += ca;
        continue;
      }
      for (let b = a << FAN, bEnd = b + (1 << FAN); b < bEnd; b++) {
        const cb = l1[b];
        if (r >= before + cb) {
          before += cb;
          continue;
        }
        for (let c = b << FAN, cEnd = c + (1 << FAN); c < cEnd; c++) {
          const cc = l0[c];
          if (r >= before + cc) {
            before += cc;
            continue;
          }
          for (let s = c << L0_SHIFT, sEnd = s + (1 << L0_SHIFT); s < sEnd; s++) {
            if (st[s] !== g) continue;
            if (before === r) {
              this.push(s, g, ev);
              r += every ? 1 : 1 + Math.floor(-Math.log(1 - prng.next()) / lamDt);
              if (r >= n) return;
            }
            before++;
          }
        }
      }
    }
  }

  /** The expiries due this tick: still-valid entries are chosen, long draws re-armed. */
  private drainWheel(): void {
    const b = this.tickNo & (WHEEL_SIZE - 1);
    const list = this.wheel[b];
    const n = this.wheelLen[b];
    this.wheelLen[b] = 0;
    for (let i = 0; i < n; i++) {
      const e = list[i];
      const rearm = e < 0;
      const v = rearm ? -e - 1 : e;
      const g = v % 256;
      const slot = (v - g) / 256;
      if (this.st[slot] !== g) continue;
      if (rearm) this.arm(slot, g);
      else this.push(slot, g, Ev.LEAVE);
    }
  }

  /** Draw the tick the task's timer in state g expires: 1 + floor(E / λΔ), as in select(). */
  private arm(slot: number, g: number): void {
    const ticks = 1 + Math.floor(-Math.log(1 - this.k.prng.next()) / this.states[g].lamDt);
    const far = ticks >= WHEEL_SIZE;
    const b = (this.tickNo + (far ? WHEEL_SIZE - 1 : ticks)) & (WHEEL_SIZE - 1);
    // Memorylessness: a draw beyond the wheel is re-drawn when its last slot comes round.
    const e = slot * 256 + g;
    let list = this.wheel[b];
    const n = this.wheelLen[b];
    if (n === list.length) {
      const grown = new Float64Array(n * 2);
      grown.set(list);
      this.wheel[b] = list = grown;
    }
    list[n] = far ? -e - 1 : e;
    this.wheelLen[b] = n + 1;
  }

  private push(slot: number, g: number, ev: Ev): void {
    if (this.nSel === this.selSlot.length) {
      const grow = <T extends Int32Array | Uint8Array>(a: T, make: (n: number) => T): T => {
        const b = make(a.length * 2);
        b.set(a);
        return b;
      };
      this.selSlot = grow(this.selSlot, (n) => new Int32Array(n));
      this.selState = grow(this.selState, (n) => new Uint8Array(n));
      this.selEv = grow(this.selEv, (n) => new Uint8Array(n));
    }
    this.selSlot[this.nSel] = slot;
    this.selState[this.nSel] = g;
    this.selEv[this.nSel] = ev;
    this.nSel++;
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
      case Kind.USER:
        // A syscall: into a phase chosen by weight.
        this.enterPhase(slot, c, this.pickPhase(c), EMPTY_STACK, 0);
        return;
      case Kind.PHASE:
        if (!c.kthread) {
          // The syscall returns through every frame to user space.
          this.checkFreed(slot, node, 0);
          this.toUser(slot, c);
          return;
        }
        {
          // A kthread wakes, returns to its loop, and the loop calls down into the next phase.
          const L = c.loopDepth;
          this.checkFreed(slot, node, L - 1);
          let base = node;
          while (this.k.trie.depth(base) > L) base = this.k.trie.parent(base);
          this.enterPhase(slot, c, this.pickPhase(c), base, L);
        }
        return;
      case Kind.EXIT_LISTED:
        // release_task() -> __unhash_process() under write_lock_irq(&tasklist_lock): after any walk.
        this.k.tasklistWriteLock(() => this.releaseTask(slot, g), 'exit', slot);
        return;
      case Kind.EXIT_UNHASHED: {
        // The tail of do_exit() runs on, then do_task_dead(): the final schedule.
        this.checkFreed(slot, node, this.k.trie.depth(node) - 1);
        t.stack[slot] = this.descend(slot, node, this.finalTemplate, 0);
        this.reapTask(slot);
        return;
      }
      case Kind.CPU:
      case Kind.FIXED:
        return;
    }
  }

  /** Gone from the walk, still running do_exit(). */
  private releaseTask(slot: number, g: number): void {
    const t = this.k.tasks;
    if (this.st[slot] !== g) return;
    const c = this.rt[this.states[g].cls];
    const node = t.stack[slot];
    const inDoExit = this.k.trie.parent(node);
    try {
      this.checkFreed(slot, node, this.k.trie.depth(inDoExit) - 1);
    } catch (e) {
      this.killed(slot, e);
      return;
    }
    this.unhashTask(slot);
    t.stack[slot] = inDoExit;
    t.sched[slot] = S_RUNNING;
    this.setState(slot, c.exitUnhashedState);
  }

  private pickPhase(c: ClassRt): number {
    return pickWeighted(c.weights, this.k.prng.next());
  }

  private enterPhase(slot: number, c: ClassRt, phase: number, base: number, from: number): void {
    const t = this.k.tasks;
    t.clear(slot, F_USER_MODE);
    t.stack[slot] = this.descend(slot, base, c.phaseTemplates[phase], from);
    const sched = SCHED_OF[(c.spec as TaskClassSpec).phases[phase].sched];
    t.sched[slot] = sched;
    this.setState(slot, c.phaseStates[phase]);
    // __schedule(): the v6.16+ hook for a task going to a freezable sleep.
    if (sched === S_FREEZABLE || sched === S_FREEZABLE_D) this.k.klpSchedHook(slot, true);
  }

  private enterCpuLoop(slot: number, c: ClassRt): void {
    const t = this.k.tasks;
    t.stack[slot] = this.descend(slot, EMPTY_STACK, c.cpuTemplate, 0);
    t.sched[slot] = S_RUNNING;
    this.setState(slot, c.cpuState);
  }

  /** Back in user space: klp_update_patch_state() on the way (exit_to_user_mode_loop). */
  private toUser(slot: number, c: ClassRt): void {
    const t = this.k.tasks;
    t.stack[slot] = EMPTY_STACK;
    t.set(slot, F_USER_MODE);
    t.sched[slot] = S_RUNNABLE;
    this.setState(slot, c.userState);
    this.k.exitToUserMode(slot);
    if (c.spins) this.k.busy.add(slot);
  }

  /** do_group_exit() -> do_exit(): listed, blocked in do_exit until release_task(). */
  private beginExit(slot: number): void {
    const t = this.k.tasks;
    const c = this.rt[this.states[this.st[slot]].cls];
    this.checkFreed(slot, t.stack[slot], 0);
    if (c.spins) this.k.busy.remove(slot);
    t.clear(slot, F_USER_MODE);
    t.set(slot, F_EXITING);
    t.stack[slot] = this.descend(slot, EMPTY_STACK, c.exitTemplate, 0);
    t.sched[slot] = S_UNINTERRUPTIBLE;
    this.setState(slot, c.exitListedState);
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
    this.ensureIndex(child + 1);
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
    const g = slot < this.st.length ? this.st[slot] : NO_STATE;
    if (g === NO_STATE) return;
    const s = this.states[g];
    const c = this.rt[s.cls];
    if (s.kind !== Kind.PHASE || c.kthread) return;
    this.refreshFreed();
    try {
      this.checkFreed(slot, this.k.tasks.stack[slot], 0);
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
    this.setState(slot, NO_STATE);
  }

  // ------------------------------------------------------------------ stacks

  /**
   * Call down the frames of template `tid` from depth `from`, on top of `base`; every call
   * goes through klp_ftrace_handler (Kernel.resolveCall), so each frame is the version the
   * task really enters. Within one tick the handler is a pure function of the task's
   * patch_state (no WARN can fire, no tracer records) unless the state is IDLE during a
   * transition or the function tracer is on, so its result is shared by every such task.
   */
  private descend(slot: number, base: number, tid: number, from: number): number {
    const k = this.k;
    const ps = k.tasks.patchState[slot];
    const shared = this.memoLive && this.pureCalls && (ps !== PS_IDLE || k.klpTransitionPatch === null);
    const key = (base * this.templates.length + tid) * 3 + ps + 1;
    if (shared) {
      const hit = this.memo.get(key);
      if (hit !== undefined) return hit;
    }
    const frames = this.templates[tid];
    let node = base;
    for (let i = from; i < frames.length; i++) {
      k.tasks.stack[slot] = node;
      node = k.trie.push(node, k.resolveCall(slot, frames[i]));
    }
    if (shared) this.memo.set(key, node);
    return node;
  }

  /**
   * The task returns through (or continues in) the frames deeper than `keepDepth`: if one of
   * them is text of an unloaded module, it executes freed memory (the §14.5 Oops).
   */
  private checkFreed(slot: number, node: number, keepDepth: number): void {
    if (!this.anyFreed) return;
    const k = this.k;
    for (let n = node; n > 0 && k.trie.depth(n) > keepDepth; n = k.trie.parent(n)) {
      const code = k.trie.code(n);
      if (k.syms.codes[code].freed) {
        k.tasks.stack[slot] = n;
        k.oopsFreedText(slot, code);
      }
    }
  }

  // ------------------------------------------------------------------ the state index

  private setState(slot: number, g: number): void {
    if (slot >= this.st.length) this.ensureIndex(slot + 1);
    const old = this.st[slot];
    if (old !== NO_STATE) {
      this.l0[old][slot >> L0_SHIFT]--;
      this.l1[old][slot >> L1_SHIFT]--;
      this.l2[old][slot >> L2_SHIFT]--;
      this.count[old]--;
    }
    this.st[slot] = g;
    if (g !== NO_STATE) {
      this.l0[g][slot >> L0_SHIFT]++;
      this.l1[g][slot >> L1_SHIFT]++;
      this.l2[g][slot >> L2_SHIFT]++;
      this.count[g]++;
      // A restarted syscall stays in its phase on the timer it had; a fired one is re-armed.
      if (this.states[g].wheel && (old !== g || slot === this.firing)) this.arm(slot, g);
    }
  }

  private ensureIndex(slots: number): void {
    if (slots <= this.st.length) return;
    const cap = Math.ceil(Math.max(slots, this.st.length * 2, 1) / (1 << L2_SHIFT)) << L2_SHIFT;
    const st = new Uint8Array(cap).fill(NO_STATE);
    st.set(this.st);
    this.st = st;
    const grow = <T extends Uint8Array | Uint16Array | Int32Array>(old: T | undefined, made: T): T => {
      if (old) made.set(old);
      return made;
    };
    for (let g = 0; g < this.states.length; g++) {
      this.l0[g] = grow(this.l0[g], new Uint8Array(cap >> L0_SHIFT));
      this.l1[g] = grow(this.l1[g], new Uint16Array(cap >> L1_SHIFT));
      this.l2[g] = grow(this.l2[g], new Int32Array(cap >> L2_SHIFT));
    }
  }

  /** Bytes the workload keeps per slot (state byte and block counts), for the bench. */
  bytesPerSlot(): number {
    const per = this.st.length;
    let bytes = this.st.byteLength;
    for (let g = 0; g < this.states.length; g++) bytes += this.l0[g].byteLength + this.l1[g].byteLength + this.l2[g].byteLength;
    return bytes / per;
  }
}

/** Install the workload on a booted kernel: creates the tasks (typed arrays, shared stacks) and schedules
 *  their behaviour on the virtual clock with the kernel's seeded PRNG. */
export function installWorkload(k: Kernel, spec: WorkloadSpec): Workload {
  return new Workload(k, spec);
}

function pickWeighted(weights: readonly number[], u: number): number {
  let sum = 0;
  for (const w of weights) sum += w;
  let x = u * sum;
  for (let i = 0; i < weights.length; i++) {
    if (x < weights[i]) return i;
    x -= weights[i];
  }
  let last = weights.length - 1;
  while (last > 0 && weights[last] === 0) last--;
  return last;
}

/** Common prefix of the phases' frames, leaving at least the innermost frame to be called again. */
function loopDepthOf(frames: number[][]): number {
  let d = Math.min(...frames.map((f) => f.length - 1));
  for (const f of frames) {
    let i = 0;
    while (i < d && f[i] === frames[0][i]) i++;
    d = i;
  }
  return d;
}

function findKthreadd(k: Kernel): number {
  for (let s = k.firstThread; s < k.tasks.n; s++) if (k.tasks.pid[s] === 2 && k.tasks.has(s, TF.KTHREAD)) return s;
  return -1;
}
