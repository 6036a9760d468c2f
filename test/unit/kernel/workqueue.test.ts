// Issue 12 point 6: details of kthread creation and of stack_order.

import { describe, expect, it } from 'vitest';
import { Simulation } from '../../../src/engine/simulation';
import { stackOrder } from '../../../src/kernel/core';
import { TF } from '../../../src/kernel/tasks';
import { runToEnd } from '../../support/helpers';

/** A transition held up by test_klp_callbacks_busy's worker sleeping in busymod_work_func. */
function blocked() {
  const sim = new Simulation();
  runToEnd(sim, ['load_mod test_klp_callbacks_busy block_transition=Y', 'load_lp_nowait test_klp_callbacks_demo']);
  const k = sim.kernel;
  const pending = k.listedSlots().filter((s) => k.tasks.has(s, TF.PATCH_PENDING));
  return { sim, k, pending };
}

describe('kthreads created during a transition', () => {
  // kernel/workqueue.c create_worker() -> kthread_create_on_node(): kthreadd forks the
  // worker, and kernel/livepatch/transition.c klp_copy_process() copies the parent's state.
  it("a kworker created while a pending task queues work copies kthreadd's patch state, not current's", () => {
    const { k, pending } = blocked();
    const kthreadd = k.tasks.slotOfPid(2, k.firstThread);
    const blocker = pending.find((s) => s !== kthreadd) as number;
    expect(blocker).toBeDefined();
    expect(k.tasks.patchState[kthreadd]).not.toBe(k.tasks.patchState[blocker]);
    const saved = k.current;
    k.current = blocker;
    const worker = k.createWorker(1);
    k.current = saved;
    expect(k.tasks.patchState[worker]).toBe(k.tasks.patchState[kthreadd]);
    expect(k.tasks.has(worker, TF.PATCH_PENDING)).toBe(k.tasks.has(kthreadd, TF.PATCH_PENDING));
  });
});

describe('stack_order', () => {
  // kernel/livepatch/core.c stack_order_show(): klp_for_each_patch() counts up to this patch;
  // a patch already off klp_patches (klp_free_patch_start()) reads the count of all listed ones.
  it('a patch taken off klp_patches but not yet freed reads the number of listed patches', () => {
    const { k } = blocked();
    const listed = k.klpPatches.length;
    expect(listed).toBeGreaterThan(0);
    const first = k.klpPatches[0];
    const gone: typeof first = Object.assign(Object.create(Object.getPrototypeOf(first)) as typeof first, first);
    expect(stackOrder(k, gone)).toBe(listed);
    expect(stackOrder(k, k.klpPatches[0])).toBe(1);
  });
});
