// The workload's sampler (issue 13 split of workload.ts): which tasks move in a tick. It
// keeps one state byte per slot, block counts over those bytes, and a timer wheel; the task
// steps themselves (what a move does to the task) are in workload.ts.
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

import type { Prng } from './prng';
import { NO_STATE } from './workloadModel';

/** Module-local copy: cheaper to read than an imported binding. */
const GONE = NO_STATE;
/** Block counts of the state index: 32 slots, 512 slots (16 blocks), 8192 slots (16 of those). */
const L0_SHIFT = 5;
const L1_SHIFT = 9;
const L2_SHIFT = 13;
const FAN = 4;
/** States left within this many ticks on average keep per-task expiries in a timer wheel. */
export const WHEEL_MEAN_TICKS = 64;
const WHEEL_SIZE = 2048;
/** A dense state's draw of at most this many members checks duplicates by a scan, not a Set. */
const SMALL_DRAW = 48;

/** What a chosen task does in this tick. */
export const enum Ev { LEAVE, EXIT, FORK }

/** A state as the sampler sees it. */
export interface SampledState {
  /** λ·Δ of leaving the state (0: never). */
  readonly lamDt: number;
  /** Short sojourns: each task's expiry tick is drawn on entry and kept in the wheel. */
  readonly wheel: boolean;
}

export class Sampler {
  /** Per slot: its state id, NO_STATE for tasks that are not the workload's or are gone. */
  st = new Uint8Array(0);
  /** Tasks in each state. */
  readonly count: number[];
  private l0: Uint8Array[] = [];
  private l1: Uint16Array[] = [];
  private l2: Int32Array[] = [];
  private readonly seen = new Set<number>();
  /** Timer wheel: per tick, entries slot * 256 + state (a negative entry re-arms a long draw). */
  private readonly wheel: Float64Array[] = Array.from({ length: WHEEL_SIZE }, () => new Float64Array(16));
  private readonly wheelLen = new Int32Array(WHEEL_SIZE);
  private tickNo = 0;
  /** The task whose timer is being handled: re-entering the same state draws a new expiry. */
  firing = -1;
  /** The tasks chosen in this tick, in order: slot, state, event. */
  selSlot = new Int32Array(1024);
  selState = new Uint8Array(1024);
  selEv = new Uint8Array(1024);
  nSel = 0;

  constructor(
    private readonly prng: Prng,
    private readonly states: readonly SampledState[],
  ) {
    this.count = states.map(() => 0);
  }

  /** A new tick: nothing chosen yet, the wheel's expiries for this tick chosen first. */
  beginTick(): void {
    this.nSel = 0;
    this.tickNo++;
    this.drainWheel();
  }

  /** Choose each member of state g independently with probability 1 - e^-lamDt (see the header). */
  select(g: number, lamDt: number, ev: Ev, lo: number, span: number): void {
    const n = this.count[g];
    if (n === 0) return;
    const prng = this.prng;
    const every = lamDt === Infinity;
    let r = every ? 0 : Math.floor(-Math.log(1 - prng.next()) / lamDt);
    if (r >= n) return;
    if (!every && n * 4 >= span) {
      // Dense state: count the chosen ranks (a Binomial(n, p) draw), then take that many
      // distinct members uniformly by rejection within the class's slots - the same law.
      let chosen = 0;
      while (r < n) {
        chosen++;
        r += 1 + Math.floor(-Math.log(1 - prng.next()) / lamDt);
      }
      const st = this.st;
      if (chosen <= SMALL_DRAW) {
        // Few members: a duplicate is looked for among the ones this call pushed (no Set).
        const start = this.nSel;
        while (this.nSel - start < chosen) {
          const s = lo + Math.floor(prng.next() * span);
          if (st[s] !== g || this.pushedSince(start, s)) continue;
          this.push(s, g, ev);
        }
        return;
      }
      const seen = this.seen;
      seen.clear();
      while (seen.size < chosen) {
        const s = lo + Math.floor(prng.next() * span);
        if (st[s] !== g || seen.has(s)) continue;
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

  /** Whether `slot` is among the tasks chosen since index `start` of this tick's list. */
  private pushedSince(start: number, slot: number): boolean {
    const sel = this.selSlot;
    for (let i = start, n = this.nSel; i < n; i++) if (sel[i] === slot) return true;
    return false;
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
    const ticks = 1 + Math.floor(-Math.log(1 - this.prng.next()) / this.states[g].lamDt);
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


  /** Move the task in `slot` to state g (NO_STATE: gone). */
  setState(slot: number, g: number): void {
    if (slot >= this.st.length) this.ensureIndex(slot + 1);
    const old = this.st[slot];
    if (old !== GONE) {
      this.l0[old][slot >> L0_SHIFT]--;
      this.l1[old][slot >> L1_SHIFT]--;
      this.l2[old][slot >> L2_SHIFT]--;
      this.count[old]--;
    }
    this.st[slot] = g;
    if (g !== GONE) {
      this.l0[g][slot >> L0_SHIFT]++;
      this.l1[g][slot >> L1_SHIFT]++;
      this.l2[g][slot >> L2_SHIFT]++;
      this.count[g]++;
      // A restarted syscall stays in its phase on the timer it had; a fired one is re-armed.
      if (this.states[g].wheel && (old !== g || slot === this.firing)) this.arm(slot, g);
    }
  }

  /** Room for `slots` slots in the state byte and the block counts. */
  ensureIndex(slots: number): void {
    if (slots <= this.st.length) return;
    const cap = Math.ceil(Math.max(slots, this.st.length * 2, 1) / (1 << L2_SHIFT)) << L2_SHIFT;
    const st = new Uint8Array(cap).fill(GONE);
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
