// One replay of a Session's timeline (RunState): the machine, the root shell reading the
// script, and what the views draw over time recorded on it as it runs (markers, pending
// counts by blocker reason, the klp core machine's last microsteps). Recording is attached
// by the page's hosts (Session's `record`); a headless run to the end (the CLI) goes without.

import type { KlpEvent } from '../kernel/kernel';
import { KLP_TRANSITION_PATCHED } from '../kernel/constants';
import { classifyTasks, type Classification } from './blockers';
import type { Simulation } from './simulation';
import { observeMicrosteps, regionOf, type CoreStep } from './inspect';
import type { EntryRun, ScriptRunner } from './runner';

/** 'oops', 'lockup' and 'rcu' are read from the kernel log by the timeline (src/engine/select/logMarkers.ts). */
export type MarkerKind = 'command' | 'start' | 'attempt' | 'signal' | 'reverse' | 'force' | 'complete' | 'warn' | 'oops' | 'lockup' | 'rcu' | 'fork';

export interface Marker {
  time: number;
  kind: MarkerKind;
  label: string;
}

/** Pending tasks by blocker reason at one moment (Reason order). */
export interface Sample {
  time: number;
  counts: number[];
}

const direction = (target: number) => (target === KLP_TRANSITION_PATCHED ? 'patching' : 'unpatching');

/** The timeline marker of a livepatch lifecycle event (null: none). */
function markerOf(e: KlpEvent): { kind: MarkerKind; label: string } | null {
  switch (e.type) {
    case 'klp.start':
      return { kind: 'start', label: `${direction(e.target)} ${e.patch}` };
    case 'klp.attempt':
      return { kind: 'attempt', label: `attempt: ${e.complete ? 'complete' : `${e.pending} tasks pending`}` };
    case 'klp.signal':
      return { kind: 'signal', label: `fake signals, round ${e.round}` };
    case 'klp.reverse':
      return { kind: 'reverse', label: `reversed: ${direction(e.target)} ${e.patch}` };
    case 'klp.force':
      return { kind: 'force', label: `forced ${e.patch}` };
    case 'klp.complete':
      return { kind: 'complete', label: `${direction(e.target)} ${e.patch} complete` };
    default:
      return null;
  }
}

/** Everything one replay of the timeline produces: the machine and what was recorded on it. */
export class RunState {
  markers: Marker[] = [];
  samples: Sample[] = [];
  seenIncidents: number;
  classification?: Classification;
  classifiedAt = -1;
  /** The klp core machine's last microstep per top-level region (its first path key). */
  readonly coreSteps = new Map<string, CoreStep>();
  /** The root shell reading this timeline's script. */
  runner!: ScriptRunner;
  /** record() was called: a headless run (the CLI) keeps no markers, warnings included. */
  private recording = false;

  constructor(readonly sim: Simulation) {
    this.seenIncidents = sim.kernel.incidents.length;
  }

  /** Record from now on: a marker and the pending counts at every livepatch event, the core's microsteps. */
  record(): void {
    this.recording = true;
    const k = this.sim.kernel;
    observeMicrosteps(this.sim.actor, () => k.clock.now, (step) => {
      for (const t of step.transitions) this.coreSteps.set(regionOf(t), step);
    });
    k.events.subscribe((e) => {
      const m = markerOf(e);
      if (!m) return;
      this.markers.push({ time: k.clock.now, ...m });
      this.sample();
    });
    this.sample();
  }

  /** A script line started (the runner tells): its command marker. */
  commandStarted(entry: EntryRun, text: string): void {
    this.markers.push({ time: entry.start, kind: 'command', label: text.replace(/^\s*at\s+[^:]*:\s*/, '') });
  }

  private sample(): void {
    this.classification = classifyTasks(this.sim.kernel, this.classification);
    this.classifiedAt = -1;
    this.samples.push({ time: this.sim.kernel.clock.now, counts: this.classification.counts.slice() });
  }

  /** Warnings the kernel raised since the last call, as markers. */
  collectIncidents(): void {
    if (!this.recording) return;
    const inc = this.sim.kernel.incidents;
    for (; this.seenIncidents < inc.length; this.seenIncidents++) {
      const w = inc[this.seenIncidents];
      this.markers.push({ time: w.time, kind: 'warn', label: w.text });
    }
  }
}
