import { describe, expect, it } from 'vitest';
import { highlightLine, languageOf } from '../../../../src/view/page/highlight.ts';

describe('languageOf', () => {
  it('knows languages by extension, file name and fence info', () => {
    expect(['src/a.ts', 'x/Y.PY', 'Dockerfile', 'Makefile', 'go', 'rust', 'conf.yaml', 'a.json', 'notes.txt', ''].map(languageOf)).toEqual([
      'js',
      'py',
      'sh',
      'sh',
      'go',
      'rs',
      'data',
      'json',
      undefined,
      undefined,
    ]);
  });
});

describe('highlightLine', () => {
  it('marks keywords, strings, numbers, literals and comments', () => {
    expect(highlightLine("const x = 'a\\'b' + 42; // note", 'js')).toEqual([
      { kind: 'keyword', text: 'const' },
      { kind: 'plain', text: ' x = ' },
      { kind: 'string', text: "'a\\'b'" },
      { kind: 'plain', text: ' + ' },
      { kind: 'number', text: '42' },
      { kind: 'plain', text: '; ' },
      { kind: 'comment', text: '// note' },
    ]);
    expect(highlightLine('if x is None: return 0x1F', 'py')).toEqual([
      { kind: 'keyword', text: 'if' },
      { kind: 'plain', text: ' x ' },
      { kind: 'keyword', text: 'is' },
      { kind: 'plain', text: ' ' },
      { kind: 'literal', text: 'None' },
      { kind: 'plain', text: ': ' },
      { kind: 'keyword', text: 'return' },
      { kind: 'plain', text: ' ' },
      { kind: 'number', text: '0x1F' },
    ]);
  });

  it('carries a block comment over lines', () => {
    const state = { inBlock: false };
    expect([highlightLine('a /* start', 'c', state), highlightLine('still */ int b;', 'c', state)]).toEqual([
      [
        { kind: 'plain', text: 'a ' },
        { kind: 'comment', text: '/* start' },
      ],
      [
        { kind: 'comment', text: 'still */' },
        { kind: 'plain', text: ' ' },
        { kind: 'keyword', text: 'int' },
        { kind: 'plain', text: ' b;' },
      ],
    ]);
  });

  it('treats # as a shell comment only where a word starts', () => {
    expect(highlightLine('echo a#b # c', 'sh').filter((t) => t.kind === 'comment')).toEqual([{ kind: 'comment', text: '# c' }]);
  });

  it('leaves unknown languages plain and never loses or reorders a character', () => {
    expect(highlightLine('<b>x</b>', undefined)).toEqual([{ kind: 'plain', text: '<b>x</b>' }]);
    const alphabet = 'ab1_$ "\'`/*#-\\\t.x9eE+';
    let seed = 7;
    const next = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    for (let n = 0; n < 500; n++) {
      const line = Array.from({ length: Math.floor(next() * 40) }, () => alphabet[Math.floor(next() * alphabet.length)]).join('');
      for (const lang of ['js', 'py', 'sh', 'c', 'sql', 'css', 'data']) expect(highlightLine(line, lang).map((t) => t.text).join('')).toBe(line);
    }
  });
});
