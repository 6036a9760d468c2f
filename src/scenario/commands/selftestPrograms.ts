// The user-space programs of the livepatch selftests (tools/testing/selftests/livepatch/
// test_programs/), as commands that run as real tasks on the model.
//
// test_klp-call_getpid: installs handlers for SIGHUP and SIGINT that set `stop` (SIGINT also
// makes it print "<count> iterations done"), then calls syscall(SYS_getpid) in a loop until
// stopped, and exits 0. Any other signal (the selftest's `kill $pid`: SIGTERM) ends it by the
// default action. The loop is modelled a jiffy at a time: 1 ms on the CPU spent in user space
// and in getpid calls, then one getpid through the syscall path: the call goes through the
// ftrace handler (so a task already switched runs test_klp_syscall's lp_sys_getpid, which
// counts it off), and the return to user mode is where a pending task switches
// (exit_to_user_mode_loop() -> klp_update_patch_state()).

import type { Step } from '../../kernel/exec';
import { shellCommands, type CmdResult } from './registry';

const SIGHUP = 1;
const SIGINT = 2;
/** The CPU time of one modelled round of the loop, µs. */
const ROUND_US = 1000;
/** getpid() calls per round (a stand-in: about 100 ns per call and return). */
const CALLS_PER_ROUND = 10_000;
const SYSCALL_FRAMES = ['entry_SYSCALL_64_after_hwframe', 'do_syscall_64'];

shellCommands.register({
  name: './test_klp-call_getpid',
  usage: './test_klp-call_getpid (stop it with kill -HUP or kill -INT)',
  args: { min: 0, max: Infinity },
  bin: './test_klp-call_getpid',
  *run(sh, x): Step<CmdResult> {
    const job = sh.jobs.bySlot(x.slot);
    // signal(SIGHUP, hup_handler); signal(SIGINT, int_handler).
    job?.handles.add(SIGHUP);
    job?.handles.add(SIGINT);
    let count = 0;
    let sigInt = false;
    for (;;) {
      const sig = job?.pending.shift();
      if (sig !== undefined) {
        if (sig === SIGINT) sigInt = true;
        break;
      }
      yield { kind: 'run', us: ROUND_US };
      yield* sh.syscall(x, SYSCALL_FRAMES, function* (): Step<unknown> {
        return yield* x.call('vmlinux', '__x64_sys_getpid');
      });
      count += CALLS_PER_ROUND;
    }
    return { out: sigInt ? [`${count} iterations done`] : [], err: [], status: 0 };
  },
});
