import { describe, expect, it } from 'vitest';
import { exportFileName, transcriptText, visibleLines } from '../../src/ui/export';

describe('export helpers', () => {
  it('names a file after the view and the virtual time', () => {
    expect(exportFileName('funcs', 12_345_678, 'png')).toBe('livepatch-funcs-12_345678s.png');
  });
  it('writes the transcript one dmesg line per line', () => {
    expect(transcriptText(['[    1.000000] a', '[    2.000000] b'])).toBe('[    1.000000] a\n[    2.000000] b\n');
    expect(transcriptText([])).toBe('');
  });
  it('keeps the text lines a DOM view shows, without blank lines or trailing blanks', () => {
    expect(visibleLines('a  \n\n  b\n \n')).toEqual(['a', '  b']);
  });
});
