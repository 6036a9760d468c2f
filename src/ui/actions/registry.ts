// One registry of the UI's actions on the simulated machine (as shortcuts.ts is for keys):
// every button that acts on the machine types a script line into the console, the same line
// a person would type, so what it does is recorded in the script, replayed from a link and
// shared. Each entry is { name, usage, args, run }: `line` builds the script line from the
// arguments, `run` types it; the Status panel and the Inspector draw their buttons from here.

/** What an action may touch: the console, through the same path as the Enter key. */
interface UiActionContext {
  type(line: string): void;
}

export interface UiAction {
  name: string;
  /** The button's label. */
  label: string;
  /** The line it types, with its arguments as placeholders. */
  usage: string;
  /** Argument names, in order (usage's placeholders). */
  args: readonly string[];
  /** What it does, for the button's title. */
  help: string;
  /** Said before it runs, and confirmed: what cannot be undone. */
  consequences?: string;
  /** The script line for these arguments. */
  line(args: readonly string[]): string;
  run(ctx: UiActionContext, args: readonly string[]): void;
}

const actions = new Map<string, UiAction>();

function registerAction(a: Omit<UiAction, 'run'>): UiAction {
  if (actions.has(a.name)) throw new Error(`UI action '${a.name}' is registered twice`);
  const action: UiAction = {
    ...a,
    run(ctx, args) {
      ctx.type(a.line(args));
    },
  };
  actions.set(a.name, action);
  return action;
}

export function uiAction(name: string): UiAction {
  const a = actions.get(name);
  if (!a) throw new Error(`no UI action '${name}'`);
  return a;
}

export function uiActions(): readonly UiAction[] {
  return [...actions.values()];
}

/** Seconds for `sleep`, as short as exact to the millisecond (0.734, 1, 12.5). */
export function sleepSeconds(us: number): string {
  const ms = Math.max(1, Math.ceil(us / 1000));
  return String(+(ms / 1000).toFixed(3));
}

const patchDir = (patch: string) => `/sys/kernel/livepatch/${patch}`;

export const WAIT = registerAction({
  name: 'wait',
  label: 'Wait',
  usage: 'sleep SECONDS',
  args: ['SECONDS'],
  help: 'Let virtual time pass up to the next attempt of the transition',
  line: ([s]) => `sleep ${s}`,
});

export const WAIT_SIGNALS = registerAction({
  name: 'waitSignals',
  label: 'Wait for signals',
  usage: 'sleep SECONDS',
  args: ['SECONDS'],
  help: 'The kernel sends fake signals every 15 attempts by itself (there is no sysfs file to send them earlier): let time pass up to the next round',
  line: ([s]) => `sleep ${s}`,
});

export const REVERSE = registerAction({
  name: 'reverse',
  label: 'Reverse',
  usage: 'echo 0 > /sys/kernel/livepatch/PATCH/enabled',
  args: ['PATCH'],
  help: 'Reverse the transition: the tasks already switched switch back (klp_reverse_transition())',
  line: ([p]) => `echo 0 > ${patchDir(p)}/enabled`,
});

export const FORCE = registerAction({
  name: 'force',
  label: 'Force…',
  usage: 'echo 1 > /sys/kernel/livepatch/PATCH/force',
  args: ['PATCH'],
  help: 'Mark every remaining task switched without checking its stack (klp_force_transition())',
  consequences:
    'Forcing marks every remaining task switched without checking its stack: a task may still run the old code. The modules of the patches involved can never be removed (their module reference is kept for good): plan a reboot to get rid of them.',
  line: ([p]) => `echo 1 > ${patchDir(p)}/force`,
});
