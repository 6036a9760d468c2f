import { describe, expect, it } from 'vitest';
import { exportFileName, policyCaption, transcriptText, visibleLines } from '../../../src/ui/export';

describe('export helpers', () => {
  it('names a file after the view and the virtual time', () => {
    expect(exportFileName('funcs', 12_345_678, 'png')).toBe('livepatch-funcs-12_345678s.png');
  });
  it('writes the transcript one dmesg line per line under a header naming the policy', () => {
    const up = { name: 'upstream', proposal: false };
    expect(transcriptText(['[    1.000000] a', '[    2.000000] b'], up)).toBe('# policy: upstream\n[    1.000000] a\n[    2.000000] b\n');
    expect(transcriptText([], up)).toBe('# policy: upstream\n');
  });
  it('marks a proposal as not merged wherever the policy is named', () => {
    expect(policyCaption({ name: 'hybrid-rfc-2025', proposal: true })).toBe('policy: hybrid-rfc-2025 (proposal, not merged)');
    expect(policyCaption({ name: 'upstream', proposal: false })).toBe('policy: upstream');
  });
  it('keeps the text lines a DOM view shows, without blank lines or trailing blanks', () => {
    expect(visibleLines('a  \n\n  b\n \n')).toEqual(['a', '  b']);
  });
});
