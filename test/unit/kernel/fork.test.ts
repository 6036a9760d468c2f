// Issue 12 point 1: a forked child does not inherit its parent's sleeping kernel stack.
// copy_thread() (arch/x86/kernel/process.c) builds the child's own kernel stack whose first
// frame is ret_from_fork; the child returns to user space and execve()s the command. The
// shell waiting for it sits in wait4() -> do_wait() (kernel/exit.c), not in the tty read it
// sleeps in between commands. `cat /proc/self/stack` shows the reader inside proc_pid_stack()
// (fs/proc/base.c): stack_trace_save_tsk() on current skips itself, so the innermost entry
// is proc_pid_stack, above proc_single_show, seq_read_iter/seq_read (fs/seq_file.c),
// vfs_read, ksys_read (fs/read_write.c) and the syscall entry.

import { describe, expect, it } from 'vitest';
import { Simulation } from '../../../src/engine/simulation';
import { runToEnd } from '../../support/helpers';

/** The function names of `[<0>] name+0xoff/0xsize [module]` lines. */
function names(out: string[]): string[] {
  return out.map((l) => {
    const m = /^\[<0>\] ([\w.]+)\+0x([0-9a-f]+)\/0x[0-9a-f]+/.exec(l);
    if (!m) throw new Error(`not a /proc/<pid>/stack line: ${l}`);
    // A saved return address lies past the call instruction: never +0x0.
    expect(m[2]).not.toBe('0');
    return m[1];
  });
}

describe('fork and the stacks of the shell and its children', () => {
  it('cat /proc/self/stack shows the reader in proc_pid_stack, on a stack of its own', () => {
    const sim = new Simulation();
    const [o] = runToEnd(sim, ['cat /proc/self/stack']);
    expect(o.result.status).toBe(0);
    expect(names(o.result.out)).toEqual([
      'proc_pid_stack',
      'proc_single_show',
      'seq_read_iter',
      'seq_read',
      'vfs_read',
      'ksys_read',
      'do_syscall_64',
      'entry_SYSCALL_64_after_hwframe',
    ]);
  });

  it('the shell waiting for a command sits in do_wait, not in n_tty_read', () => {
    const sim = new Simulation();
    const bash = sim.kernel.tasks.pid[sim.shell.slot];
    const [o] = runToEnd(sim, [`cat /proc/${bash}/stack`]);
    expect(names(o.result.out)).toEqual(['do_wait', 'kernel_wait4', '__x64_sys_wait4', 'do_syscall_64', 'entry_SYSCALL_64_after_hwframe']);
    // Between commands it is back in the terminal read.
    const k = sim.kernel;
    expect(k.trie.frames(k.tasks.stack[sim.shell.slot]).map((c) => k.syms.codes[c].name)).toContain('n_tty_read');
  });

  it('a child forked from the sleeping shell starts in ret_from_fork, not in the parent\'s stack', () => {
    const sim = new Simulation();
    const k = sim.kernel;
    const child = k.fork(sim.shell.slot, 'bash');
    expect(k.trie.frames(k.tasks.stack[child]).map((c) => k.syms.codes[c].name)).toEqual(['ret_from_fork', 'ret_from_fork_asm']);
  });
});
