// The glossary is written once (src/ui/glossary/glossary.ts); docs/glossary.md is rendered from it.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { GLOSSARY, glossaryEntry, glossaryMarkdown, splitTerms, TERM_FORMS } from '../../../../src/ui/glossary/glossary';

const ROOT = join(__dirname, '..', '..', '..', '..');

describe('glossary', () => {
  it('docs/glossary.md is the glossary the app shows (npm run --silent glossary > docs/glossary.md)', () => {
    expect(readFileSync(join(ROOT, 'docs/glossary.md'), 'utf8')).toBe(glossaryMarkdown());
  });

  it('has the terms issue 9 names, each id and written form once', () => {
    for (const t of ['TIF_PATCH_PENDING', 'func_stack', 'nop', 'stack_order', 'unhashed', 'fake signal', 'patch_state']) {
      expect(GLOSSARY.some((e) => e.term === t), t).toBe(true);
    }
    expect(new Set(GLOSSARY.map((e) => e.id)).size).toBe(GLOSSARY.length);
    expect(new Set(TERM_FORMS.map((f) => f.form)).size).toBe(TERM_FORMS.length);
    expect(glossaryEntry('func-stack')?.term).toBe('func_stack');
    expect(glossaryEntry('constructor')).toBeUndefined();
  });

  it('every docs file an entry cites exists', () => {
    for (const e of GLOSSARY) {
      const file = e.see?.split(' ')[0];
      if (file) expect(() => readFileSync(join(ROOT, file)), `${e.id}: ${file}`).not.toThrow();
    }
  });

  it('links the first occurrence of each term in prose, whole words only, and keeps every character', () => {
    const text = 'A nop on the func_stack; another nop. The nops go, `stack_order` stays, nothing unhashedly, klp_ops.func_stack.';
    const pieces = splitTerms(text);
    expect(pieces.map((p) => p.text).join('')).toBe(text.replace(/`/g, ''));
    expect(pieces.filter((p) => p.term).map((p) => [p.text, p.term])).toEqual([
      ['nop', 'nop'],
      ['func_stack', 'func-stack'],
      ['stack_order', 'stack-order'],
    ]);
    expect(pieces.find((p) => p.text === 'stack_order')?.code).toBe(true);
    expect(splitTerms('no terms here')).toEqual([{ text: 'no terms here' }]);
  });
});
