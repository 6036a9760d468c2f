// bash's job-control builtins for the background jobs of the script language (`CMD &`):
// `wait [PID...]` and `kill [-SIG | -s SIG | -n NUM] PID...`, with bash's own messages.

import { TF } from '../../kernel/tasks';
import { parseSignal } from '../jobs';
import { shellCommands, type CmdResult } from './registry';

const KILL_USAGE = 'kill: usage: kill [-s sigspec | -n signum | -sigspec] pid | jobspec ... or kill -l [sigspec]';

shellCommands.register({
  name: 'wait',
  usage: 'wait [PID...]',
  args: { min: 0, max: Infinity },
  builtin: true,
  *run(sh, _x, args) {
    const pids: number[] = [];
    const err: string[] = [];
    for (const a of args) {
      if (/^[0-9]+$/.test(a)) pids.push(Number(a));
      else err.push(`bash: wait: \`${a}': not a pid or valid job spec`);
    }
    if (err.length) return { out: [], err, status: 2 };
    return yield* sh.waitJobs(args.length ? pids : null);
  },
});

shellCommands.register({
  name: 'kill',
  usage: 'kill [-SIGNAL | -s SIGNAL | -n NUMBER] PID...',
  args: { min: 0, max: Infinity },
  builtin: true,
  *run(sh, _x, args): Generator<never, CmdResult> {
    const words = [...args];
    let sig = 15;
    if (words[0] === '-s' || words[0] === '-n') {
      const flag = words.shift() as string;
      const spec = words.shift();
      if (spec === undefined) return { out: [], err: [`bash: kill: ${flag}: option requires an argument`, KILL_USAGE], status: 2 };
      const n = parseSignal(spec);
      if (n === null) return { out: [], err: [`bash: kill: ${spec}: invalid signal specification`], status: 1 };
      sig = n;
    } else if (words[0]?.startsWith('-') && words[0] !== '--') {
      const spec = (words.shift() as string).slice(1);
      const n = parseSignal(spec);
      if (n === null) return { out: [], err: [`bash: kill: ${spec}: invalid signal specification`], status: 1 };
      sig = n;
    }
    if (words[0] === '--') words.shift();
    if (!words.length) return { out: [], err: [KILL_USAGE], status: 2 };
    const err: string[] = [];
    const k = sh.k;
    for (const w of words) {
      if (!/^-?[0-9]+$/.test(w)) {
        err.push(`bash: kill: ${w}: arguments must be process or job IDs`);
        continue;
      }
      const pid = Number(w);
      const job = sh.jobs.get(pid);
      if (job && !job.result) {
        if (sig === 0) continue;
        if (job.handles.has(sig)) job.pending.push(sig);
        else {
          // The default action of every signal modelled here: the process ends.
          job.killedBy = sig;
          if (job.started) k.killTask(job.slot);
        }
        continue;
      }
      const slot = pid > 0 ? k.tasks.slotOfPid(pid, k.firstThread) : -1;
      if (slot < 0 || !k.tasks.has(slot, TF.LISTED)) {
        err.push(`bash: kill: (${w}) - No such process`);
        continue;
      }
      // A kthread ignores signals it did not allow (kernel/signal.c sig_task_ignored()).
      if (k.tasks.has(slot, TF.KTHREAD) || sig === 0) continue;
      err.push(`bash: kill: (${w}) - this model delivers signals only to the shell's own jobs`);
    }
    return { out: [], err, status: err.length ? 1 : 0 };
  },
});
