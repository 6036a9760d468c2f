// A found run as a scenario of its own: the same machine, modules and tasks, the found run
// as its script, and the modules' sleeps held so that their tasks move only when the
// script steps them. The script is normal script language: livepatch loads without their
// waits (`load_lp_nowait`, `echo 0 > .../enabled`), `step_task COMM` for each task step and
// `wait_attempt` for each klp_transition_work_fn() attempt (src/scenario/commands/stepping.ts).

import type { Scenario } from '../scenario/document';
import type { CustomModuleSpec } from '../scenario/moduleSpec';
import type { Found } from './search';

/** How long a held sleep lasts: longer than any found run, so only step_task ends it. */
const HELD_SLEEP_US = 3_600_000_000;
const MAX_TITLE = 200;

/** The scenario that replays `found` on `scenario`'s machine. */
export function replayScenario(scenario: Scenario, found: Found): Scenario {
  const s = structuredClone(scenario);
  s.modules = s.modules.map((m) => (typeof m === 'string' ? m : holdSleeps(m)));
  s.script = [...found.lines];
  s.title = `Search: ${found.kind} in ${scenario.title || 'a scenario'}`.slice(0, MAX_TITLE);
  s.description =
    `The shortest run to ${found.kind} the state-space search found (policy ${scenario.kernel.policy}): ${found.detail}. ` +
    `Each module's sleeps are held (an hour) so that tasks move only when the script says step_task; wait_attempt lets one attempt of the transition run. ` +
    (scenario.description ? `The scenario searched: ${scenario.description}` : '');
  return s;
}

/** Every sleep of the module held: an uninterruptible one becomes interruptible (freezable stays freezable) so step_task can end it. */
function holdSleeps(m: CustomModuleSpec): CustomModuleSpec {
  return {
    ...m,
    functions: m.functions.map((f) => ({
      ...f,
      body: f.body.map((step) => ('sleep' in step ? { sleep: { us: HELD_SLEEP_US, sched: step.sleep.sched === 'uninterruptible' ? 'interruptible' : step.sleep.sched === 'uninterruptible-freezable' ? 'freezable' : step.sleep.sched } } : step)),
    })),
  };
}
