// Workqueues and kthreads: the system_wq worker pools with their kworkers
// (kernel/workqueue.c worker_thread(), process_one_work()) and kthread_run() /
// kthread_stop() (kernel/kthread.c).

import { isStep, WaitQueue, type Exec, type Step } from './exec';
import { KernelSched } from './sched';
import { Sched, TF } from './tasks';
import { retFromForkFrames } from './version';

/** A work item (struct work_struct). */
export interface WorkItem {
  name: string;
  run: (x: Exec) => Step | unknown;
  pending: boolean;
  running: number;
  done: WaitQueue;
}

interface WorkerPool {
  cpu: number;
  queue: WorkItem[];
  wq: WaitQueue;
  workers: number[];
}

/** struct kthread: the stop request and the completion kthread_stop() waits on. */
interface Kthread {
  shouldStop: boolean;
  exited: boolean;
  exitedWq: WaitQueue;
}

export abstract class KernelWorkqueues extends KernelSched {
  private pools: WorkerPool[] = [];
  private kthreads = new Map<number, Kthread>();

  /** An execution context for `slot` (Kernel builds it: an Exec runs on the whole machine). */
  protected abstract execFor(slot: number): Exec;

  // ------------------------------------------------------------------ workqueues

  /** system_wq worker pool of a CPU, with its kworkers created at boot. */
  pool(cpu: number): WorkerPool {
    let p = this.pools[cpu];
    if (!p) {
      p = { cpu, queue: [], wq: new WaitQueue(`worker_pool/${cpu}`), workers: [] };
      this.pools[cpu] = p;
    }
    return p;
  }

  /** Create kworker/<cpu>:<n> running worker_thread(). */
  createWorker(cpu: number): number {
    const p = this.pool(cpu);
    // create_worker() -> kthread_create_on_node(): kthreadd forks it, so klp_copy_process()
    // gives it kthreadd's patch state, whoever queued the work.
    const slot = this.byKthreadd(() =>
      this.addTask({
        comm: `kworker/${cpu}:${p.workers.length}`,
        kthread: true,
        sched: Sched.INTERRUPTIBLE,
        frames: this.codes('vmlinux', [...retFromForkFrames(this.features), 'kthread', 'worker_thread']),
      }),
    );
    p.workers.push(slot);
    const x = this.execFor(slot);
    this.coroutines.set(slot, { gen: workerThread(this, x, p), cpu });
    this.resume(slot);
    return slot;
  }

  newWork(name: string, run: (x: Exec) => Step | unknown): WorkItem {
    return { name, run, pending: false, running: -1, done: new WaitQueue(`work ${name}`) };
  }

  /** queue_work_on(): false if already pending. */
  queueWork(item: WorkItem, cpu = this.cpuOf(this.current)): boolean {
    if (item.pending) return false;
    item.pending = true;
    const p = this.pool(cpu);
    p.queue.push(item);
    const idleWorker = p.workers.find((w) => this.coroutines.get(w)?.wait?.kind === 'block');
    if (idleWorker === undefined) this.createWorker(cpu);
    this.wakeQueue(p.wq);
    return true;
  }

  /** flush_work(): wait until the item is neither pending nor running. */
  *flushWork(item: WorkItem): Step<void> {
    while (item.pending || item.running >= 0) {
      yield { kind: 'block', state: Sched.UNINTERRUPTIBLE, wq: item.done, until: () => !item.pending && item.running < 0 };
    }
  }

  // ------------------------------------------------------------------ kthreads

  /**
   * kthread_run() (kernel/kthread.c): kthreadd forks the thread (so it inherits kthreadd's
   * patch state, as klp_copy_process() does for any child), which runs `threadfn` from
   * kthread() and exits when it returns.
   */
  kthreadRun(comm: string, threadfn: (x: Exec) => Step | unknown): number {
    const saved = this.current;
    const slot = this.byKthreadd(() => this.addTask({ comm, kthread: true, sched: Sched.RUNNABLE, frames: this.codes('vmlinux', [...retFromForkFrames(this.features), 'kthread']) }));
    const kt: Kthread = { shouldStop: false, exited: false, exitedWq: new WaitQueue(`kthread ${comm} exited`) };
    this.kthreads.set(slot, kt);
    this.startTask(slot, this.kthreadMain(slot, kt, threadfn), this.cpuOf(saved));
    return slot;
  }

  /** `create` runs as kthreadd (pid 2), the parent of every kthread, when the machine has one. */
  private byKthreadd(create: () => number): number {
    const saved = this.current;
    const kthreadd = this.tasks.slotOfPid(2, this.firstThread);
    if (kthreadd >= 0 && this.tasks.commOf(kthreadd) === 'kthreadd') this.current = kthreadd;
    try {
      return create();
    } finally {
      this.current = saved;
    }
  }

  /** kthread(): run the thread function; whatever way it ends, the thread exits. */
  private *kthreadMain(slot: number, kt: Kthread, threadfn: (x: Exec) => Step | unknown): Step<void> {
    try {
      const r = threadfn(this.execFor(slot));
      if (isStep(r)) yield* r;
    } finally {
      this.kthreadExit(slot, kt);
    }
  }

  /** kthread_exit() -> do_exit(): unhashed, the exited completion fires, then reaped. */
  private kthreadExit(slot: number, kt: Kthread): void {
    this.tasks.set(slot, TF.EXITING);
    this.unhash(slot);
    kt.exited = true;
    this.wakeQueue(kt.exitedWq);
    this.reap(slot);
  }

  /** kthread_should_stop() for the kthread in `slot`. */
  kthreadShouldStop(slot: number): boolean {
    return this.kthreads.get(slot)?.shouldStop === true;
  }

  /** kthread_stop(): ask the thread to stop, wake it, wait until it has exited. */
  *kthreadStop(slot: number): Step<void> {
    const kt = this.kthreads.get(slot);
    if (!kt) return;
    kt.shouldStop = true;
    this.wakeUp(slot);
    while (!kt.exited) yield { kind: 'block', state: Sched.UNINTERRUPTIBLE, wq: kt.exitedWq, until: () => kt.exited };
    this.kthreads.delete(slot);
  }
}

/** worker_thread(): take work items from the pool and run them in process_one_work(). */
function* workerThread(k: KernelWorkqueues, x: Exec, p: WorkerPool): Step {
  for (;;) {
    while (p.queue.length === 0) {
      yield* x.within('vmlinux', ['schedule'], function* () {
        yield { kind: 'block', state: Sched.INTERRUPTIBLE, wq: p.wq, until: () => p.queue.length > 0 };
      });
    }
    const item = p.queue.shift() as WorkItem;
    item.pending = false;
    item.running = x.slot;
    try {
      yield* x.within('vmlinux', ['process_one_work'], function* () {
        const r = item.run(x);
        if (isStep(r)) yield* r;
      });
    } finally {
      item.running = -1;
      k.wakeQueue(item.done);
    }
  }
}
