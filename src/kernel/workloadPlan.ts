// The workload's plan (issue 13 split of workload.ts): a spec's classes turned into what the
// sampler and the task steps run on - task states with their rates, stack templates as code
// ids, the tick length. Nothing here touches a task; workload.ts installs and moves them.

import type { Kernel } from './kernel';
import { Sched, TF, type SchedState } from './tasks';
import { retFromForkFrames } from './version';
import { WHEEL_MEAN_TICKS, type SampledState } from './workloadSampler';
import {
  DEFAULT_EXIT_LISTED_US,
  DEFAULT_EXIT_UNHASHED_US,
  assertShape,
  modelBug,
  Place,
  statesNeeded,
  type PhaseSched,
  type TaskClassSpec,
  type WorkloadSpec,
} from './workloadModel';

const MIN_TICK_US = 500;
const MAX_TICK_US = 5000;

export const SCHED_OF: Record<PhaseSched, SchedState> = {
  running: Sched.RUNNING,
  interruptible: Sched.INTERRUPTIBLE,
  uninterruptible: Sched.UNINTERRUPTIBLE,
  freezable: Sched.FREEZABLE,
  'uninterruptible-freezable': Sched.FREEZABLE_UNINTERRUPTIBLE,
};

/** A user task killed by a fatal signal on its way back to user mode (the §14.5 trace). */
const USER_EXIT_FRAMES = ['entry_SYSCALL_64_after_hwframe', 'do_syscall_64', 'syscall_exit_to_user_mode', 'exit_to_user_mode_loop', 'arch_do_signal_or_restart', 'get_signal', 'do_group_exit', 'do_exit', 'schedule'];
/** A kthread's exit, after retFromForkFrames(). */
const KTHREAD_EXIT_FRAMES = ['kthread', 'do_exit', 'schedule'];
/** do_task_dead(): the last schedule() of a dead task; __schedule() calls update_rq_clock(). */
const FINAL_FRAMES = ['do_task_dead', '__schedule', 'update_rq_clock'];

export const enum Kind { USER, PHASE, CPU, EXIT_LISTED, EXIT_UNHASHED, FIXED }

export interface StateRt extends SampledState {
  cls: number;
  kind: Kind;
  phase: number;
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

export interface ClassRt {
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
  /** The sched state of each phase (SCHED_OF of its spec). */
  phaseSched: SchedState[];
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


/** What the workload runs on: classes (spec classes, then fixed tasks), states, stack templates. */
interface WorkloadPlan {
  readonly rt: ClassRt[];
  readonly states: StateRt[];
  readonly templates: number[][];
  readonly tickUs: number;
  readonly finalTemplate: number;
  readonly kthreadd: number;
}

/** Resolve the spec against the kernel's symbols and lay out its classes and states. */
export function planWorkload(k: Kernel, spec: WorkloadSpec): WorkloadPlan {
  assertShape(spec);
  const rt: ClassRt[] = [];
  const states: StateRt[] = [];
  const templates: number[][] = [];
  const addTemplate = (codes: number[]): number => templates.push(codes) - 1;
  const addState = (c: ClassRt, kind: Kind, phase: number, lamDt: number): number =>
    states.push({ cls: rt.indexOf(c), kind, phase, lamDt, wheel: lamDt > 0 && lamDt * WHEEL_MEAN_TICKS >= 1 }) - 1;
  const resolve = (names: readonly string[], where: string) => names.map((n, i) => codeOfFrame(k, n, `${where}[${i}]`));
  const finalTemplate = addTemplate(resolve(FINAL_FRAMES, 'do_task_dead'));
  const userExit = addTemplate(resolve(USER_EXIT_FRAMES, 'do_exit'));
  const kthreadExit = addTemplate(resolve([...retFromForkFrames(k.features), ...KTHREAD_EXIT_FRAMES], 'do_exit'));
  const kthreadd = findKthreadd(k);
  let minSojournUs = Infinity;
  const pending: { c: ClassRt; s: TaskClassSpec }[] = [];
  spec.classes.forEach((s, ci) => {
    const where = `workload.classes[${ci}]`;
    const frames = s.phases.map((p, pi) => resolve(p.frames, `${where}.phases[${pi}].frames`));
    const cpuFrames = s.cpuBound ? resolve(s.cpuBound.frames, `${where}.cpuBound.frames`) : null;
    if (s.kind === 'kthread' && s.forkRatePerS > 0 && kthreadd < 0) modelBug(`${where}.forkRatePerS: kthreads are forked by kthreadd, which this machine does not have (src/scenario/machine.ts boots it)`);
    for (const p of s.phases) minSojournUs = Math.min(minSojournUs, p.dwellUs);
    if (s.kind === 'user' && s.phases.length && s.syscallRatePerS > 0) minSojournUs = Math.min(minSojournUs, 1e6 / s.syscallRatePerS);
    const c = newClass(rt, s.name, s.kind, s.count, s);
    c.phaseTemplates = frames.map((f) => addTemplate(f));
    if (cpuFrames) c.cpuTemplate = addTemplate(cpuFrames);
    c.exitTemplate = s.kind === 'user' ? userExit : kthreadExit;
    c.loopDepth = s.kind === 'kthread' && frames.length ? loopDepthOf(frames) : 0;
    c.weights = s.phases.map((p) => p.weight);
    c.weightSum = c.weights.reduce((a, b) => a + b, 0);
    pending.push({ c, s });
  });
  const fixedFrames = spec.fixed.map((f, fi) => resolve(f.frames, `workload.fixed[${fi}].frames`));
  const tickUs = Math.min(MAX_TICK_US, Math.max(MIN_TICK_US, Math.floor(minSojournUs / 4)));
  const dt = tickUs / 1e6;
  for (const { c, s } of pending) {
    c.phaseStates = s.phases.map((p, pi) => addState(c, Kind.PHASE, pi, dt * (1e6 / p.dwellUs)));
    if (s.kind === 'user') c.userState = addState(c, Kind.USER, -1, s.phases.length ? dt * s.syscallRatePerS : 0);
    if (s.cpuBound) c.cpuState = addState(c, Kind.CPU, -1, 0);
    c.exitListedState = addState(c, Kind.EXIT_LISTED, -1, dt * (1e6 / (s.exitListedUs ?? DEFAULT_EXIT_LISTED_US)));
    c.exitUnhashedState = addState(c, Kind.EXIT_UNHASHED, -1, dt * (1e6 / (s.exitUnhashedUs ?? DEFAULT_EXIT_UNHASHED_US)));
    c.liveStates = [...c.phaseStates, c.userState, c.cpuState].filter((g) => g >= 0);
    c.leaveStates = [...c.phaseStates, c.userState, c.exitListedState, c.exitUnhashedState].filter((g) => g >= 0 && states[g].lamDt > 0);
    c.exitDt = dt * s.exitRatePerS;
    c.forkDt = dt * s.forkRatePerS;
  }
  spec.fixed.forEach((f, fi) => {
    const c = newClass(rt, f.comm, f.kind, 1, null);
    c.phaseTemplates = [addTemplate(fixedFrames[fi])];
    c.phaseStates = [addState(c, Kind.FIXED, 0, 0)];
  });
  const innermostName = (tid: number) => k.syms.codes[templates[tid][templates[tid].length - 1]].name;
  for (const c of rt) c.info.phaseLabels = c.phaseTemplates.map(innermostName);
  if (states.length !== statesNeeded(spec)) modelBug(`workload: ${states.length} task states laid out, statesNeeded() counts ${statesNeeded(spec)}`);
  return { rt, states, templates, tickUs, finalTemplate, kthreadd };
}

function newClass(rt: ClassRt[], name: string, kind: 'user' | 'kthread', count: number, spec: TaskClassSpec | null): ClassRt {
  const cls = rt.length + 1;
  const info: ClassInfo = { name, kind, cls, firstSlot: -1, initialCount: count, phaseLabels: [] };
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
    phaseSched: spec ? spec.phases.map((p) => SCHED_OF[p.sched]) : [],
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
  rt.push(c);
  return c;
}

/** kallsyms_lookup_name() of a frame, `name` or `owner:name`. */
function codeOfFrame(k: Kernel, name: string, where: string): number {
  const colon = name.indexOf(':');
  const owner = colon < 0 ? 'vmlinux' : name.slice(0, colon);
  const sym = k.syms.find(owner, colon < 0 ? name : name.slice(colon + 1));
  // The document layer names only vmlinux functions (the workload is installed at boot).
  if (!sym) modelBug(`${where}: no function '${name}' among the kernel's symbols`);
  return sym.id;
}

/** Where a task in state s is, for the views: its phase index or a Place. */
export function placeOf(s: StateRt): number {
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

/** Time fractions of the states at equilibrium (a warm start): [phases..., user, cpu]. */
export function stationary(c: ClassRt): number[] {
  const s = c.spec as TaskClassSpec;
  if (s.cpuBound) return [...s.phases.map(() => 0), 0, 1];
  const kernel = s.phases.map((p) => (p.weight / c.weightSum) * p.dwellUs);
  if (s.kind === 'kthread') return [...kernel, 0, 0];
  if (!s.phases.length || s.syscallRatePerS === 0) return [...kernel.map(() => 0), 1, 0];
  return [...kernel, 1e6 / s.syscallRatePerS, 0];
}

export function pickWeighted(weights: readonly number[], u: number): number {
  let sum = 0;
  for (let i = 0; i < weights.length; i++) sum += weights[i];
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
