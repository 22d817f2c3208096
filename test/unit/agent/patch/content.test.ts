import { describe, expect, it } from 'vitest';
import { applyChunks, seekSequence, type UpdateChunk } from '../../../../src/agent/patch/index.ts';

const chunk = (oldLines: string[], newLines: string[], extra: Partial<UpdateChunk> = {}): UpdateChunk => ({ contexts: [], oldLines, newLines, endOfFile: false, ...extra });

describe('seekSequence', () => {
  it('matches exactly, then ignoring trailing, then surrounding whitespace, then typographic punctuation', () => {
    expect(seekSequence(['foo', 'bar', 'baz'], ['bar', 'baz'], 0, false)).toBe(1);
    expect(seekSequence(['foo   ', 'bar\t'], ['foo', 'bar'], 0, false)).toBe(0);
    expect(seekSequence(['    foo   ', '   bar\t'], ['foo', 'bar'], 0, false)).toBe(0);
    expect(seekSequence(['x = \u201Chi\u201D \u2014 it\u2019s'], ['x = "hi" - it\'s'], 0, false)).toBe(0);
    expect(seekSequence(['a'], ['a', 'b', 'c'], 0, false)).toBeUndefined();
    expect(seekSequence(['a', 'b'], [], 1, false)).toBe(1);
  });

  it('prefers the end of the file for end-of-file chunks, and respects the start', () => {
    expect(seekSequence(['x', 'y', 'x'], ['x'], 0, true)).toBe(2);
    expect(seekSequence(['x', 'y', 'x', 'z'], ['x'], 0, true)).toBe(0);
    expect(seekSequence(['x', 'y', 'x'], ['x'], 1, false)).toBe(2);
  });
});

describe('applyChunks', () => {
  it('keeps CRLF endings and gives new lines the file\'s ending', () => {
    expect(applyChunks('a\r\nb\r\nc\r\n', [chunk(['b'], ['B', 'B2'])], 'f')).toBe('a\r\nB\r\nB2\r\nc\r\n');
  });

  it('adds the missing final newline', () => {
    expect(applyChunks('a\nb', [chunk(['a'], ['A'])], 'f')).toBe('A\nb\n');
  });

  it('puts a pure addition at the end, or right below its @@ context', () => {
    expect(applyChunks('a\nb\n', [chunk([], ['c'])], 'f')).toBe('a\nb\nc\n');
    expect(applyChunks('class A:\n  x = 1\n', [chunk([], ['  y = 2'], { contexts: ['class A:'] })], 'f')).toBe('class A:\n  y = 2\n  x = 1\n');
  });

  it('uses @@ contexts to pick among repeated lines', () => {
    const text = 'def f():\n    return 1\ndef g():\n    return 1\n';
    expect(applyChunks(text, [chunk(['    return 1'], ['    return 2'], { contexts: ['def g():'] })], 'f')).toBe('def f():\n    return 1\ndef g():\n    return 2\n');
  });

  it('retries without a trailing empty line that stands for the final newline', () => {
    expect(applyChunks('a\nb\n', [chunk(['b', ''], ['c', ''])], 'f')).toBe('a\nc\n');
  });

  it('throws an actionable error when lines or a context are missing', () => {
    expect(() => applyChunks('a\n', [chunk(['zzz'], ['y'])], 'src/f.txt')).toThrow('Failed to find expected lines in src/f.txt:\nzzz');
    expect(() => applyChunks('a\n', [chunk(['a'], ['y'], { contexts: ['class Q'] })], 'f')).toThrow("Failed to find context 'class Q' in f.");
  });
});
