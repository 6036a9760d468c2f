import { describe, expect, it } from 'vitest';
import { mergeLeaving, type Shown } from '../../../../src/ui/views/useLeaving';

const id = (s: string) => s;
const view = (list: Shown<string>[]) => list.map((s) => (s.leavingUntil === undefined ? s.key : `-${s.key}@${s.leavingUntil}`));

describe('mergeLeaving: removed items fade out in place', () => {
  it('keeps a removed item at its old place, marked until the fade ends', () => {
    const prev = mergeLeaving([], ['a', 'b', 'c'], id, 0, 100);
    expect(view(mergeLeaving(prev, ['a', 'c'], id, 10, 110))).toEqual(['a', '-b@110', 'c']);
  });
  it('keeps the first deadline across renders and drops the item once it passed', () => {
    const prev = mergeLeaving(mergeLeaving([], ['a', 'b'], id, 0, 100), ['a'], id, 10, 110);
    expect(view(mergeLeaving(prev, ['a'], id, 50, 150))).toEqual(['a', '-b@110']);
    expect(view(mergeLeaving(prev, ['a'], id, 110, 210))).toEqual(['a']);
  });
  it('an item pushed at the head enters first; one that comes back stops leaving', () => {
    const prev = mergeLeaving(mergeLeaving([], ['a', 'b'], id, 0, 100), ['b'], id, 10, 110);
    expect(view(prev)).toEqual(['-a@110', 'b']);
    expect(view(mergeLeaving(prev, ['n', 'a', 'b'], id, 20, 120))).toEqual(['n', 'a', 'b']);
  });
});
