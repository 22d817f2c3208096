import { describe, expect, it } from 'vitest';
import { mcpToolName } from '../../../src/mcp/index.ts';

const VALID = /^[A-Za-z0-9_-]{1,64}$/;

describe('mcpToolName', () => {
  it('is mcp__<server>__<tool> when that fits Bedrock’s rules', () => {
    expect(mcpToolName('everything', 'get-sum', new Set())).toBe('mcp__everything__get-sum');
  });

  it('replaces characters Bedrock refuses with "_"', () => {
    expect(mcpToolName('fs', 'files.read/text file', new Set())).toBe('mcp__fs__files_read_text_file');
  });

  it('gives tools that differ only in refused characters distinct names, the first keeping the plain one', () => {
    const taken = new Set<string>();
    const names = ['a.b', 'a/b', 'a b', 'a_b'].map((t) => mcpToolName('s', t, taken));
    expect(names[0]).toBe('mcp__s__a_b');
    expect(new Set(names).size).toBe(4);
    for (const n of names) expect(n).toMatch(VALID);
  });

  it('cuts long names to 64 characters with a hash, distinct for tools sharing a long prefix', () => {
    const taken = new Set<string>();
    const long = 'x'.repeat(80);
    const a = mcpToolName('server', `${long}-one`, taken);
    const b = mcpToolName('server', `${long}-two`, taken);
    expect([a.length, b.length, a === b, a.startsWith('mcp__server__xxx'), a]).toEqual([64, 64, false, true, expect.stringMatching(/_[0-9a-f]{8}$/)]);
    // The same tool always gets the same name (a resumed run sees the names of its transcript).
    expect(mcpToolName('server', `${long}-one`, new Set())).toBe(a);
  });
});
