import { describe, expect, it } from 'vitest';
import { consoleItems, historyStep } from '../../../../src/ui/views/consoleModel';

const entries = ['load_mod a', 'at 5us: cat /x', 'at 7us: sleep 9', 'at 9us: lsmod'];
const runs = [
  { index: 0, start: 1, end: 2, result: { out: ['ok'], err: [], status: 0 } },
  { index: 1, start: 5, end: 6, result: { out: [], err: ['cat: /x: No such file or directory'], status: 1 } },
  { index: 2, start: 7 },
];

describe('consoleItems: the transcript of this timeline', () => {
  it('lists each command with its output, running and waiting ones marked', () => {
    const items = consoleItems(entries, runs, [], 1, 1000);
    expect(items.map((i) => [i.command, i.typed, i.status, i.exit])).toEqual([
      ['load_mod a', false, 'done', 0],
      ['cat /x', true, 'done', 1],
      ['sleep 9', true, 'running', undefined],
      ['lsmod', true, 'waiting', undefined],
    ]);
    expect(items[1].err).toEqual(['cat: /x: No such file or directory']);
    expect(items[0].out).toEqual(['ok']);
    expect(items[3].time).toBe(1009);
  });

  it('shows a typed line without its `at T:` prefix, a script line as written', () => {
    const items = consoleItems(['at 2s: load_mod a', 'at 3s: lsmod'], [], [], 1, 0);
    expect(items.map((i) => [i.command, i.typed, i.time])).toEqual([
      ['at 2s: load_mod a', false, 2_000_000],
      ['lsmod', true, 3_000_000],
    ]);
  });

  it('places a rejected line and a fork notice where they were typed', () => {
    const items = consoleItems(entries, runs, [
      { time: 6, after: 2, text: 'frobnicate', kind: 'rejected', message: "unknown command 'frobnicate'" },
      { time: 9, after: 3, text: 'lsmod', kind: 'forked', message: 'Timeline forked' },
    ], 1, 0);
    expect(items.map((i) => `${i.status}:${i.command}`)).toEqual(['done:load_mod a', 'done:cat /x', 'rejected:frobnicate', 'running:sleep 9', 'forked:lsmod', 'waiting:lsmod']);
    expect(items[2].err).toEqual(["unknown command 'frobnicate'"]);
  });

  it('drops notes typed in a future a fork has dropped', () => {
    const items = consoleItems(entries.slice(0, 2), runs.slice(0, 2), [{ time: 9, after: 3, text: 'frobnicate', kind: 'rejected', message: 'unknown' }], 1, 0);
    expect(items.map((i) => i.command)).toEqual(['load_mod a', 'cat /x']);
  });
});

describe('historyStep: arrow keys over the history', () => {
  it('goes back from the draft and stops at the oldest line', () => {
    expect(historyStep(3, 3, 'ArrowUp')).toBe(2);
    expect(historyStep(3, 0, 'ArrowUp')).toBe(0);
  });
  it('comes forward to the draft and no further', () => {
    expect(historyStep(3, 2, 'ArrowDown')).toBe(3);
    expect(historyStep(3, 3, 'ArrowDown')).toBe(3);
  });
});
