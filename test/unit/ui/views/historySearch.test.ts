// The console's Ctrl-R: bash's reverse incremental history search.

import { describe, expect, it } from 'vitest';
import { searchFor, searchLine, searchOlder, searchPrompt, startSearch } from '../../../../src/ui/views/historySearch';

const HISTORY = ['cat /sys/kernel/livepatch/p/enabled', 'dmesg | tail -5', 'ps -e', 'cat /sys/kernel/livepatch/p/transition'];

describe('reverse-i-search', () => {
  it('finds the newest line containing the query, as the prompt shows it', () => {
    let s = startSearch('draft');
    expect(searchPrompt(s, HISTORY)).toBe("(reverse-i-search)`': ");
    s = searchFor(s, HISTORY, 'c');
    s = searchFor(s, HISTORY, 'cat');
    expect(searchLine(s, HISTORY)).toBe('cat /sys/kernel/livepatch/p/transition');
    expect(searchPrompt(s, HISTORY)).toBe("(reverse-i-search)`cat': cat /sys/kernel/livepatch/p/transition");
  });

  it('Ctrl-R again goes to an older match; past the oldest it says failed and keeps the match', () => {
    let s = searchFor(startSearch(''), HISTORY, 'cat');
    s = searchOlder(s, HISTORY);
    expect(searchLine(s, HISTORY)).toBe('cat /sys/kernel/livepatch/p/enabled');
    s = searchOlder(s, HISTORY);
    expect(s.failed).toBe(true);
    expect(searchPrompt(s, HISTORY)).toBe("(failed reverse-i-search)`cat': cat /sys/kernel/livepatch/p/enabled");
  });

  it('typing more searches on from the current match; no match keeps the line, nothing matched keeps the original', () => {
    let s = searchFor(startSearch('half typed'), HISTORY, 'tail');
    expect(searchLine(s, HISTORY)).toBe('dmesg | tail -5');
    s = searchFor(s, HISTORY, 'tailx');
    expect(s.failed).toBe(true);
    expect(searchLine(s, HISTORY)).toBe('dmesg | tail -5');
    expect(searchLine(searchFor(startSearch('half typed'), HISTORY, 'nothing'), HISTORY)).toBe('half typed');
  });
});
