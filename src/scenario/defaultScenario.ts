// The scenario the app opens with: a kworker sleeping in a function the patch replaces
// stalls the patching transition; fake signals cannot wake it (it sleeps in D state); the
// operator reverses the transition, which completes at the next attempt.

export const DEFAULT_SCENARIO = {
  title: 'A kworker blocks the transition; the operator reverses it',
  script: [
    "echo 'func klp_try_switch_task +p' > /sys/kernel/debug/dynamic_debug/control",
    'load_mod test_klp_callbacks_busy block_transition=Y',
    'load_lp_nowait test_klp_callbacks_demo',
    'sleep 16',
    'disable_lp test_klp_callbacks_demo',
    'unload_lp test_klp_callbacks_demo',
    'unload_mod test_klp_callbacks_busy',
  ],
} as const;
