import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Reason } from '../../../../src/engine/blockers';
import { Session } from '../../../../src/engine/session';
import { SELFTEST_CONFIG, Simulation } from '../../../../src/engine/simulation';
import { installWorkload } from '../../../../src/kernel/workload';
import { buildTasksModel } from '../../../../src/engine/select/tasksModel';
import { Sched, TF } from '../../../../src/kernel/tasks';
import { sessionSourceOf } from '../../../../src/scenario/build';
import { defaultScenario } from '../../../../src/scenario/defaultScenario';
import { parseScenarioText } from '../../../../src/scenario/document';
import { cellCode, cellCodes, Fill, fillOf, fillOfCode, Mark, markOfCode, markOfReason, strayOfCode } from '../../../../src/engine/select/taskCells';
import { describeTask } from '../../../../src/engine/select/taskDetails';
import { groupTasks, KIND_GROUPS } from '../../../../src/engine/select/taskGroups';
import { cellAt, cellBox, layoutTasks, MAX_CELL_PX } from '../../../../src/ui/views/tasksLayout';
import { makePalette, packColor } from '../../../../src/ui/views/tasksPalette';
import { newFrame, rasterize } from '../../../../src/ui/views/tasksRaster';
import { blockedTasks, countsLabel, groupCounts } from '../../../../src/engine/select/tasksSummary';

function table(specs: { flags: number; sched: number; cls?: number }[]) {
  const n = specs.length;
  return {
    n,
    sched: Uint8Array.from(specs, (s) => s.sched),
    flags: Uint8Array.from(specs, (s) => s.flags),
    cls: Uint8Array.from(specs, (s) => s.cls ?? 0),
  };
}

describe('task groups', () => {
  const t = table([
    { flags: TF.IDLE | TF.KTHREAD, sched: Sched.RUNNING },
    { flags: TF.IDLE | TF.KTHREAD, sched: Sched.RUNNING },
    { flags: TF.LISTED, sched: Sched.INTERRUPTIBLE, cls: 1 },
    { flags: TF.LISTED | TF.KTHREAD, sched: Sched.INTERRUPTIBLE, cls: 0 },
    { flags: TF.LISTED, sched: Sched.DEAD, cls: 1 },
    { flags: TF.LISTED, sched: Sched.RUNNABLE, cls: 1 },
  ]);

  it('groups by kind without class names: idle tasks by slot, kthreads by flag, dead slots skipped', () => {
    const { groups, order } = groupTasks({ ...t, nrCpus: 2 });
    expect(groups.map((g) => g.name)).toEqual([...KIND_GROUPS]);
    expect(groups.map((g) => [...g.slots])).toEqual([[0, 1], [3], [2, 5]]);
    expect([...order]).toEqual([0, 1, 3, 2, 5]);
  });

  it('puts workload tasks in their class (cls = index + 1) after the kinds; empty groups dropped', () => {
    const { groups } = groupTasks({ ...t, nrCpus: 2, classNames: ['web', 'unused'] });
    expect(groups.map((g) => g.name)).toEqual(['per-CPU idle tasks', 'kernel threads', 'web']);
    expect(groups.map((g) => [...g.slots])).toEqual([[0, 1], [3], [2, 5]]);
  });
});

describe('cell codes', () => {
  it('fill follows the pending flag first, then patch_state', () => {
    expect(fillOf(-1, 0)).toBe(Fill.IDLE);
    expect(fillOf(0, 0)).toBe(Fill.UNPATCHED);
    expect(fillOf(1, 0)).toBe(Fill.PATCHED);
    expect(fillOf(0, TF.PATCH_PENDING)).toBe(Fill.PENDING);
  });

  it('round-trips fill and mark, and a blocked cell outranks any unblocked one', () => {
    for (let f = 0; f < 4; f++) {
      for (let m = 0; m < 6; m++) {
        const c = cellCode(f as 0, m as 0);
        expect(fillOfCode(c)).toBe(f);
        expect(markOfCode(c)).toBe(m);
      }
    }
    expect(cellCode(Fill.IDLE, Mark.RUNNING)).toBeGreaterThan(cellCode(Fill.PENDING, Mark.NONE));
    expect(cellCode(Fill.PENDING, Mark.EXITING)).toBeGreaterThan(cellCode(Fill.PENDING, Mark.UNINTERRUPTIBLE));
  });

  it('round-trips the never-shipped (stray) bit; it outranks every fill and yields to every mark', () => {
    for (let f = 0; f < 4; f++) {
      for (let m = 0; m < 6; m++) {
        for (const st of [0, 1]) {
          const c = cellCode(f as 0, m as 0, st);
          expect([fillOfCode(c), markOfCode(c), strayOfCode(c)]).toEqual([f, m, st]);
        }
      }
    }
    expect(strayOfCode(0)).toBe(0);
    expect(cellCode(Fill.IDLE, Mark.NONE, 1)).toBeGreaterThan(cellCode(Fill.PENDING, Mark.NONE, 0));
    expect(cellCode(Fill.IDLE, Mark.RUNNING, 0)).toBeGreaterThan(cellCode(Fill.PENDING, Mark.NONE, 1));
  });

  it('codes a cell stray by its patch_state, and counts the stray cells per group', () => {
    const groups = [{ name: 'g', slots: Int32Array.of(0, 1, 2) }];
    const inp = { patchState: Int8Array.of(-1, 0, 1), flags: new Uint8Array(3), reason: new Uint8Array(3), strayOfState: Uint8Array.of(0, 0, 1) };
    const { codes, histogram } = cellCodes(groups, inp);
    expect([...codes].map(strayOfCode)).toEqual([0, 0, 1]);
    expect([...codes].map(fillOfCode)).toEqual([Fill.IDLE, Fill.UNPATCHED, Fill.PATCHED]);
    const [c] = groupCounts(groups, histogram);
    expect(c.stray).toBe(1);
    expect(countsLabel(c)).toContain('1 never-shipped');
  });

  it('maps blocker reasons to marks; a task that will switch carries none', () => {
    expect(markOfReason(Reason.WILL_SWITCH)).toBe(Mark.NONE);
    expect(markOfReason(Reason.UNINTERRUPTIBLE)).toBe(Mark.UNINTERRUPTIBLE);
    expect(markOfReason(Reason.SLEEPING)).toBe(Mark.SLEEPING);
    expect(markOfReason(Reason.EXITING)).toBe(Mark.EXITING);
  });

  it('codes cells in group order and counts them per group', () => {
    const groups = [{ name: 'a', slots: Int32Array.of(2, 0) }, { name: 'b', slots: Int32Array.of(1) }];
    const { codes, histogram } = cellCodes(groups, {
      patchState: Int8Array.of(1, 0, 0),
      flags: Uint8Array.of(0, TF.PATCH_PENDING, TF.PATCH_PENDING),
      reason: Uint8Array.of(0, Reason.SLEEPING, Reason.WILL_SWITCH),
    });
    expect([...codes]).toEqual([cellCode(Fill.PENDING, Mark.NONE), cellCode(Fill.PATCHED, Mark.NONE), cellCode(Fill.PENDING, Mark.SLEEPING)]);
    const counts = groupCounts(groups, histogram);
    expect(counts[0]).toEqual({ name: 'a', total: 2, fill: [0, 1, 0, 1], mark: [2, 0, 0, 0, 0, 0], blocked: 0, stray: 0 });
    expect(counts[1].mark[Mark.SLEEPING]).toBe(1);
    // Pending and refused by the check: "blocked", a subset of "pending".
    expect(counts[1].blocked).toBe(1);
    expect(countsLabel(counts[1])).toBe('1 · 1 pending · 1 blocked');
    expect(countsLabel(counts[0])).toBe('2 · 1 pending');
    expect(blockedTasks(groups, codes, 10)).toEqual({ rows: [{ slot: 1, mark: Mark.SLEEPING }], more: 0 });
    expect(blockedTasks(groups, codes, 0)).toEqual({ rows: [], more: 1 });
  });
});

describe('layout', () => {
  it('caps the cell size for small machines and finds cells back from points', () => {
    const l = layoutTasks([{ name: 'a', count: 3 }, { name: 'b', count: 5 }], 400, 300);
    expect(l.cell).toBe(MAX_CELL_PX);
    for (let i = 0; i < 8; i++) {
      const b = cellBox(l, i);
      if (!b) throw new Error(`no box for cell ${i}`);
      expect(cellAt(l, b.x + b.size / 2, b.y + b.size / 2)).toBe(i);
    }
    expect(cellAt(l, 1, 1)).toBe(-1);
    expect(cellBox(l, 8)).toBeNull();
  });

  it('fits a million cells in the panel with sub-pixel cells', () => {
    const sizes = [{ name: 'idle', count: 128 }, { name: 'kthreads', count: 300_000 }, { name: 'users', count: 700_000 }];
    const l = layoutTasks(sizes, 1000, 600);
    expect(l.cell).toBeLessThan(1);
    const last = l.groups[2];
    expect(last.top + last.rows * l.cell).toBeLessThanOrEqual(600);
    expect(l.cols * l.cell).toBeLessThanOrEqual(1000);
    const b = cellBox(l, l.total - 1);
    if (!b) throw new Error('no box for the last cell');
    expect(cellAt(l, b.x + b.size / 2, b.y + b.size / 2)).toBe(l.total - 1);
  });
});

describe('palette and raster', () => {
  const vars: Record<string, string> = {
    '--idle': '#000010', '--patched': '#0000ff', '--unpatched': '#808080', '--pending': '#ff8000',
    '--mark-running': '#00ff00', '--mark-unreliable': '#8000ff', '--mark-sleeping': '#ff0000', '--mark-d': '#ff00ff', '--mark-exiting': '#ffffff',
    '--panel': '#111111', '--fg': '#eeeeee', '--muted': '#999999', '--accent': '#55aaff', '--err': '#ee2222',
  };
  const pal = makePalette((v) => vars[v]);

  it('packs CSS colours as little-endian RGBA words', () => {
    expect(packColor('#ff8000')).toBe(0xff0080ff);
    expect(packColor('#f80')).toBe(0xff0088ff);
    expect(packColor('rgb(1, 2, 3)')).toBe(0xff030201);
    expect(() => packColor('papayawhip')).toThrow(/not a colour/);
  });

  it('colours a sub-pixel stray cell in the stray colour unless a blocker shares its pixel', () => {
    expect(pal.byCode[cellCode(Fill.PATCHED, Mark.NONE, 1)]).toBe(pal.stray);
    expect(pal.byCode[cellCode(Fill.PENDING, Mark.SLEEPING, 1)]).toBe(pal.mark[Mark.SLEEPING]);
  });

  it('aggregates sub-pixel cells to the most urgent code of each pixel', () => {
    const l = layoutTasks([{ name: 'g', count: 10_000 }], 20, 40);
    expect(l.cell).toBeLessThan(1);
    const codes = new Uint8Array(10_000).fill(cellCode(Fill.PATCHED, Mark.NONE));
    codes[5000] = cellCode(Fill.PENDING, Mark.UNINTERRUPTIBLE);
    const f = newFrame(20, 40);
    rasterize(f, l, codes, { k: 1, x: 0, y: 0 }, 1, pal);
    const counts = new Map<number, number>();
    for (const p of f.pixels) counts.set(p, (counts.get(p) ?? 0) + 1);
    expect(counts.get(pal.mark[Mark.UNINTERRUPTIBLE])).toBe(1);
    expect(counts.get(pal.fill[Fill.PATCHED])).toBeGreaterThan(100);
    expect(counts.get(pal.bg)).toBeGreaterThan(0);
  });

  it('paints big cells with the fill and the mark shape, and skips cells outside the view', () => {
    const l = layoutTasks([{ name: 'g', count: 2 }], 100, 60);
    const codes = Uint8Array.of(cellCode(Fill.PENDING, Mark.SLEEPING), cellCode(Fill.PATCHED, Mark.NONE));
    const f = newFrame(100, 60);
    rasterize(f, l, codes, { k: 1, x: 0, y: 0 }, 1, pal);
    const b = cellBox(l, 0);
    if (!b) throw new Error('no box');
    const at = (x: number, y: number) => f.pixels[Math.floor(y) * f.width + Math.floor(x)];
    expect(at(b.x + 1, b.y + 1)).toBe(pal.fill[Fill.PENDING]);
    expect(at(b.x + b.size / 2, b.y + b.size / 2)).toBe(pal.mark[Mark.SLEEPING]);
    // A stray cell (never-shipped universe) is framed in the stray colour around its fill.
    rasterize(f, l, Uint8Array.of(cellCode(Fill.PATCHED, Mark.NONE, 1), cellCode(Fill.PATCHED, Mark.NONE)), { k: 1, x: 0, y: 0 }, 1, pal);
    const b1 = cellBox(l, 1);
    if (!b1) throw new Error('no box');
    expect(at(b.x, b.y + b.size / 2)).toBe(pal.stray);
    expect(at(b.x + b.size / 2, b.y + b.size / 2)).toBe(pal.fill[Fill.PATCHED]);
    expect(at(b1.x, b1.y + b1.size / 2)).toBe(pal.fill[Fill.PATCHED]);
    // Panned so far right that no cell is visible: background only.
    rasterize(f, l, codes, { k: 1, x: 500, y: 0 }, 1, pal);
    expect(f.pixels.every((p) => p === pal.bg)).toBe(true);
  });
});

describe('task details', () => {
  it('explains the default scenario blocker: the kworker in D state in busymod_work_func', () => {
    const s = new Session(sessionSourceOf(defaultScenario()));
    s.seek(s.start + 10_000_000);
    const k = s.sim.kernel;
    const c = s.classify();
    let slot = -1;
    for (let i = 0; i < k.tasks.n; i++) if (c.reason[i] === Reason.UNINTERRUPTIBLE) slot = i;
    const d = describeTask(k, c, slot);
    expect(d.comm).toMatch(/^kworker\//);
    expect(d.kind).toBe('kernel thread');
    expect(d.sched).toBe('uninterruptible sleep');
    expect(d.patchState).toBe(0);
    expect(d.pending).toBe(true);
    const blocking = d.frames.filter((f) => f.blocking);
    expect(blocking.map((f) => f.name)).toEqual(['busymod_work_func']);
    expect(blocking[0].version).toBe('module test_klp_callbacks_busy (original)');
    expect(d.frames[d.frames.length - 1].name).toBe('ret_from_fork_asm');
    expect(d.why).toContain('busymod_work_func');
  });
});

describe('tasks model with a workload', () => {
  it('groups the workload class by its name beside the booted machine kinds', () => {
    const FUTEX = ['entry_SYSCALL_64_after_hwframe', 'do_syscall_64', '__x64_sys_futex', 'do_futex', 'futex_wait', 'futex_wait_queue', 'schedule'];
    const build = () => {
      const sim = new Simulation({ ...SELFTEST_CONFIG, dynamicDebug: [] });
      sim.workload = installWorkload(sim.kernel, {
        classes: [{ name: 'web servers', comm: 'nginx-%d', count: 50, kind: 'user', phases: [{ frames: FUTEX, weight: 1, dwellUs: 1_000_000, sched: 'interruptible' }], syscallRatePerS: 0, forkRatePerS: 0, exitRatePerS: 0, reliableStack: true }],
        fixed: [],
      });
      return sim;
    };
    const s = new Session({ title: 'workload', build, script: [] });
    const m = buildTasksModel(s);
    expect(m.groups.map((g) => g.name)).toEqual(['per-CPU idle tasks', 'kernel threads', 'user tasks', 'web servers']);
    expect(m.groups[3].slots.length).toBe(50);
    expect(s.sim.kernel.tasks.commOf(m.groups[3].slots[0])).toMatch(/^nginx-\d+$/);
    // Nothing added or died: the next model reuses the grouping.
    s.advanceTo(s.start + 1000);
    expect(buildTasksModel(s, m).groups).toBe(m.groups);
  });
});

describe('tasks model: tasks in a never-shipped universe', () => {
  it("outlines exactly the switched tasks during Petr's lp3 transition under hybrid-rfc-2025, and none after it", () => {
    const r = parseScenarioText(readFileSync(join(__dirname, '..', '..', '..', '..', 'public', 'scenarios', 'petr-hybrid.json'), 'utf8'));
    if (!r.ok) throw new Error(r.errors.join('\n'));
    const s = new Session(sessionSourceOf(r.scenario));
    const strayCells = () => {
      const m = buildTasksModel(s);
      const t = s.sim.kernel.tasks;
      const stray: number[] = [];
      m.codes.subarray(0, m.slotOfCell.length).forEach((c, i) => {
        if (strayOfCode(c)) stray.push(t.patchState[m.slotOfCell[i]]);
      });
      return { stray, total: m.counts.reduce((a, c) => a + c.stray, 0) };
    };
    s.seek(s.start + 4_500_000);
    expect(s.sim.kernel.klpTransitionPatch?.name).toBe('lp3');
    const during = strayCells();
    expect(during.stray.length).toBeGreaterThan(0);
    expect(during.total).toBe(during.stray.length);
    // Only the switched tasks (patch_state 1) run {funcA: original, funcB: lp3}.
    expect(new Set(during.stray)).toEqual(new Set([1]));
    s.seek(s.start + 30_000_000);
    expect(s.sim.kernel.klpTransitionPatch).toBeNull();
    expect(strayCells().total).toBe(0);
  });
});
