// The scenario the app opens with: a kworker sleeping in a function the patch replaces
// stalls the patching transition; fake signals cannot wake it (it sleeps in D state); the
// operator reverses the transition, which completes at the next attempt.

import { FORMAT, FORMAT_VERSION, validateScenario, type Scenario } from './document';

export const DEFAULT_SCENARIO_DOCUMENT = {
  format: FORMAT,
  version: FORMAT_VERSION,
  title: 'A kworker blocks the transition; the operator reverses it',
  description:
    'test_klp_callbacks_busy parks a kworker in busymod_work_func, uninterruptibly; the demo patch replaces that function, so the ' +
    'patching transition cannot finish and fake signals do not help. Disabling the patch reverses the transition.',
  script: [
    "echo 'func klp_try_switch_task +p' > /sys/kernel/debug/dynamic_debug/control",
    'load_mod test_klp_callbacks_busy block_transition=Y',
    'load_lp_nowait test_klp_callbacks_demo',
    'sleep 16',
    'disable_lp test_klp_callbacks_demo',
    'unload_lp test_klp_callbacks_demo',
    'unload_mod test_klp_callbacks_busy',
  ],
};

/** The default scenario, validated (a broken default is a bug: it throws). */
export function defaultScenario(): Scenario {
  const r = validateScenario(DEFAULT_SCENARIO_DOCUMENT);
  if (!r.ok) throw new Error(`the default scenario does not validate: ${r.errors.join('; ')}`);
  return r.scenario;
}
