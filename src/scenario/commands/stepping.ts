// Two helpers that pin an interleaving, so that a run the state-space search found
// (src/search/) replays as a normal script: `step_task COMM` wakes one sleeping task, which
// runs to its next sleep (its calls go through klp_ftrace_handler() as always), and
// `wait_attempt` lets time pass until klp_transition_work_fn() has made exactly one more
// attempt. The search's replay documents hold their modules' sleeps (an hour each), so that
// their tasks move only when a step_task says so.

import { Sched } from '../../kernel/tasks';
import type { Step } from '../../kernel/exec';
import { TF } from '../../kernel/tasks';
import type { Shell } from '../shell';
import { ok, selftestHelpers, type CmdResult } from './registry';

/** A woken task runs within this (virtual µs) before the next line. */
const STEP_SETTLE_US = 1;
/** wait_attempt looks for the attempt in steps of 1 ms, for at most 5 s (an attempt comes every second). */
const ATTEMPT_POLL_US = 1000;
const ATTEMPT_MAX_POLLS = 5000;

const fail = (msg: string): CmdResult => ({ out: [], err: [msg], status: 1 });

/** The live task named `comm`: its slot, or an error when none or several are. */
function taskByComm(sh: Shell, comm: string): number | string {
  const t = sh.k.tasks;
  let found = -1;
  for (let s = sh.k.firstThread; s < t.n; s++) {
    if (!(t.flags[s] & TF.LISTED) || t.sched[s] === Sched.DEAD || t.commOf(s) !== comm) continue;
    if (found >= 0) return `step_task: more than one task is named '${comm}'`;
    found = s;
  }
  return found >= 0 ? found : `step_task: no task is named '${comm}'`;
}

selftestHelpers.register({
  name: 'step_task',
  usage: 'step_task COMM',
  args: { min: 1, max: 1 },
  group: 'helper',
  *run(sh: Shell, [comm]): Step<CmdResult> {
    const slot = taskByComm(sh, comm);
    if (typeof slot === 'string') return fail(slot);
    const st = sh.k.tasks.sched[slot];
    if (st !== Sched.INTERRUPTIBLE && st !== Sched.UNINTERRUPTIBLE && st !== Sched.FREEZABLE && st !== Sched.FREEZABLE_UNINTERRUPTIBLE) return fail(`step_task: ${comm} is not sleeping`);
    // wake_up_process(): the task runs to its next sleep before the next line.
    sh.k.wakeUp(slot);
    yield* sh.x.sleep(STEP_SETTLE_US, Sched.INTERRUPTIBLE);
    return ok();
  },
});

selftestHelpers.register({
  name: 'wait_attempt',
  usage: 'wait_attempt',
  args: { min: 0, max: 0 },
  group: 'helper',
  *run(sh: Shell): Step<CmdResult> {
    if (!sh.k.klpTransitionPatch) return fail('wait_attempt: no transition in progress');
    let seen = false;
    const off = sh.k.events.subscribe((e) => {
      if (e.type === 'klp.attempt') seen = true;
    });
    try {
      for (let i = 0; i < ATTEMPT_MAX_POLLS && !seen; i++) yield* sh.x.sleep(ATTEMPT_POLL_US, Sched.INTERRUPTIBLE);
    } finally {
      off();
    }
    return seen ? ok() : fail('wait_attempt: no attempt within 5 s');
  },
});
