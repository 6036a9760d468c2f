// Timeline markers read from the kernel log (src/engine/select/logMarkers.ts).

import { describe, expect, it } from 'vitest';
import { logMarkers } from '../../../../src/engine/select/logMarkers';
import type { LogRecord } from '../../../../src/kernel/printk';

const rec = (seq: number, time: number, text: string): LogRecord => ({ seq, time, level: 4, text, facility: 0 });

describe('logMarkers', () => {
  it('names the task of a WARN from its CPU line, and makes a BUG and its Oops at one instant one marker', () => {
    const log = [
      rec(0, 10, 'WARNING: CPU: 3 PID: 77 at kernel/livepatch/transition.c:123 klp_check_stack+0x1/0x2'),
      rec(1, 10, 'CPU: 3 PID: 77 Comm: java-1 Not tainted'),
      rec(2, 20, 'BUG: unable to handle page fault for address: ffffffffc0001000'),
      rec(3, 20, 'Oops: 0010 [#1] PREEMPT SMP'),
      rec(4, 20, 'CPU: 1 UID: 0 PID: 9 Comm: kworker/1:0 Tainted: G K'),
      rec(5, 30, 'rcu_tasks_wait_gp: rcu_tasks grace period 1 is 10000 jiffies old.'),
      ...Array.from({ length: 8 }, (_, i) => rec(6 + i, 40, 'filler')),
    ];
    const m = logMarkers(log);
    expect(m.map((x) => x.kind)).toEqual(['warn', 'oops', 'rcu']);
    expect(m[0].label).toBe('WARN at kernel/livepatch/transition.c:123 in java-1:77 on CPU 3');
    expect(m[1]).toMatchObject({ time: 20, label: 'BUG: unable to handle page fault for address: ffffffffc00010… in kworker/1:0:9 on CPU 1' }); // cut at 60 characters
    expect(m[2].label).toBe('RCU Tasks: rcu_tasks grace period 1 is 10000 jiffies old');
  });

  it('waits for the task line of a splat still printing at the end of the log, then reads it', () => {
    const log = [rec(0, 5, 'WARNING: CPU: 0 PID: 1 at mm/x.c:1 f+0x0/0x1')];
    expect(logMarkers(log)).toEqual([]);
    log.push(rec(1, 5, 'CPU: 0 PID: 1 Comm: init Not tainted'));
    expect(logMarkers(log)).toEqual([{ time: 5, kind: 'warn', label: 'WARN at mm/x.c:1 in init:1 on CPU 0' }]);
  });
});
