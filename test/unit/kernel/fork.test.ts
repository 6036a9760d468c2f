// Issue 12 point 1: a forked child does not inherit its parent's sleeping kernel stack.
// copy_thread() (arch/x86/kernel/process.c) builds the child's own kernel stack whose first
// frame is ret_from_fork; the child returns to user space and execve()s the command. The
// shell waiting for it sits in wait4() -> do_wait() (kernel/exit.c), not in the tty read it
// sleeps in between commands. `cat /proc/self/stack` shows the reader inside proc_pid_stack()
// (fs/proc/base.c): stack_trace_save_tsk() on current skips itself, so the innermost entry
// is proc_pid_stack, above proc_single_show, seq_read_iter/seq_read (fs/seq_file.c),
// vfs_read, ksys_read (fs/read_write.c) and the syscall entry.

import { describe, expect, it } from 'vitest';
import { SELFTEST_CONFIG, Simulation } from '../../../src/engine/simulation';
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

  // x86 entered new tasks at the assembly ret_from_fork until v6.6 ("x86: Rewrite
  // ret_from_fork() in C" added ret_from_fork_asm, which calls it): a 6.1 or 6.4 profile's
  // kthreads and forked children show no ret_from_fork_asm.
  it.each([
    ['6.1', ['ret_from_fork']],
    ['6.4', ['ret_from_fork']],
    ['6.5', ['ret_from_fork']],
    ['6.6', ['ret_from_fork_asm', 'ret_from_fork']],
    ['6.19', ['ret_from_fork_asm', 'ret_from_fork']],
  ])('on %s a new task starts at %j (kthreads, kworkers, forked children)', (version, start) => {
    const sim = new Simulation({ ...SELFTEST_CONFIG, version });
    const k = sim.kernel;
    const outermost = (slot: number) => k.trie.frames(k.tasks.stack[slot]).map((c) => k.syms.codes[c].name).reverse();
    const bySlot = (comm: string) => {
      for (let s = k.firstThread; s < k.tasks.n; s++) if (k.tasks.commOf(s) === comm) return s;
      throw new Error(`no task ${comm}`);
    };
    expect(outermost(bySlot('kthreadd'))).toEqual([...start, 'kthreadd', 'schedule']);
    expect(outermost(bySlot('rcu_preempt')).slice(0, start.length + 1)).toEqual([...start, 'kthread']);
    expect(outermost(bySlot('kworker/0:0')).slice(0, start.length + 2)).toEqual([...start, 'kthread', 'worker_thread']);
    expect(outermost(k.fork(sim.shell.slot, 'bash'))).toEqual(start);
    // /proc/<pid>/stack prints the same frames, innermost first.
    const [o] = runToEnd(sim, [`cat /proc/${k.tasks.pid[bySlot('kthreadd')]}/stack`]);
    expect(names(o.result.out).slice(-start.length)).toEqual([...start].reverse());
  });
});
