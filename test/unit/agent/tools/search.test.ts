import { promises as fs } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createSearchTool, searchTool } from '../../../../src/agent/tools/index.ts';
import { makeCtx, makeWorkspace, removeWorkspaces } from './helpers.ts';

afterEach(removeWorkspaces);

describe('search', () => {
  it('returns file:line:text for matching lines, in path order', async () => {
    const root = await makeWorkspace({ 'b.ts': 'const x = 1;\n// TODO: later\r\n', 'a/c.ts': 'todo\nTODO first\n', 'z.md': 'nothing' });
    expect(await searchTool.run({ pattern: 'TODO' }, makeCtx(root))).toEqual({ status: 'success', output: 'a/c.ts:2:TODO first\nb.ts:2:// TODO: later' });
  });

  it('supports (?i), path and glob', async () => {
    const root = await makeWorkspace({ 'src/a.ts': 'Foo\n', 'src/a.js': 'foo\n', 'test/a.ts': 'FOO\n' });
    expect((await searchTool.run({ pattern: '(?i)foo', glob: '*.ts' }, makeCtx(root))).output).toBe('src/a.ts:1:Foo\ntest/a.ts:1:FOO');
    expect((await searchTool.run({ pattern: '(?i)foo', path: 'src' }, makeCtx(root))).output).toBe('src/a.js:1:foo\nsrc/a.ts:1:Foo');
    expect((await searchTool.run({ pattern: 'foo', path: 'src/a.js' }, makeCtx(root))).output).toBe('src/a.js:1:foo');
  });

  it('skips binary, ignored, oversized and symlinked files', async () => {
    const outside = await makeWorkspace({ 'secret.txt': 'needle outside\n' });
    const root = await makeWorkspace({
      '.gitignore': 'ignored/\n',
      'ignored/x.txt': 'needle\n',
      'bin.dat': Buffer.concat([Buffer.from('needle\n'), Buffer.from([0])]),
      'big.txt': `needle\n${'x'.repeat(1024 * 1024)}`,
      'ok.txt': 'needle\n',
    });
    await fs.symlink(path.join(outside, 'secret.txt'), path.join(root, 'link.txt'));
    expect(await searchTool.run({ pattern: 'needle' }, makeCtx(root))).toEqual({ status: 'success', output: 'ok.txt:1:needle\n\n(1 file over 1 MiB not searched.)' });
  });

  it('cuts long lines around the match', async () => {
    const root = await makeWorkspace({ 'min.js': `${'a'.repeat(1000)}NEEDLE${'b'.repeat(1000)}\n` });
    const r = await searchTool.run({ pattern: 'NEEDLE' }, makeCtx(root));
    expect(r.output).toBe(`min.js:1:…${'a'.repeat(100)}NEEDLE${'b'.repeat(194)}…`);
  });

  it('caps at 500 matches with a note', async () => {
    const root = await makeWorkspace({ 'a.txt': 'hit\n'.repeat(300), 'b.txt': 'hit\n'.repeat(300) });
    const lines = (await searchTool.run({ pattern: 'hit' }, makeCtx(root))).output.split('\n');
    expect(lines.length).toBe(502);
    expect(lines[299]).toBe('a.txt:300:hit');
    expect(lines[499]).toBe('b.txt:200:hit');
    expect(lines[501]).toBe('(more than 500 matches; only the first 500 are shown. Narrow the pattern, path or glob.)');
  });

  it('keeps whole match lines within the output limit', async () => {
    const root = await makeWorkspace({ 'a.txt': `${'match this line\n'.repeat(200)}` });
    const r = await searchTool.run({ pattern: 'match' }, makeCtx(root, { maxOutputBytes: 1024 }));
    const lines = r.output.split('\n');
    expect(Buffer.byteLength(r.output)).toBeLessThanOrEqual(1024);
    const note = lines[lines.length - 1];
    const shown = Number(/only the first (\d+) fit/.exec(note)![1]);
    expect(note).toBe(`(200 matches; only the first ${shown} fit the output limit. Narrow the pattern, path or glob.)`);
    expect(lines.slice(0, shown)).toEqual(Array.from({ length: shown }, (_, i) => `a.txt:${i + 1}:match this line`));
  });

  it('says when nothing matches, and errors on an invalid regex or missing path', async () => {
    const root = await makeWorkspace({ 'a.txt': 'x\n' });
    expect(await searchTool.run({ pattern: 'zzz' }, makeCtx(root))).toEqual({ status: 'success', output: 'No matches for /zzz/ under . (1 files searched).' });
    const bad = await searchTool.run({ pattern: 'foo(' }, makeCtx(root));
    expect(bad.status).toBe('error');
    expect(bad.output).toMatch(/^Invalid regular expression "foo\(": .*escape \( \) \[ \] \{ \} \. \* \+ \? \| \\ with a backslash/);
    expect(await searchTool.run({ pattern: 'x', path: 'nope' }, makeCtx(root))).toEqual({ status: 'error', output: 'Path not found: nope. Use list_files to see what exists.' });
  });

  it('runs a backtracking pattern in linear time: (a+)+$ on a long line answers instead of freezing', async () => {
    // A backtracking engine needs about 2^n steps here (n = 5000): it would never return.
    const root = await makeWorkspace({ 'evil.txt': `${'a'.repeat(5000)}!\n`, 'ok.txt': 'aaa\n' });
    expect(await searchTool.run({ pattern: '(a+)+$' }, makeCtx(root))).toEqual({ status: 'success', output: 'ok.txt:1:aaa' });
  });

  it('stops when cancelled while it searches, between files', async () => {
    const files: Record<string, string> = {};
    for (let i = 0; i < 200; i++) files[`f${String(i).padStart(3, '0')}.txt`] = `${'a'.repeat(200_000)}!\n`;
    const root = await makeWorkspace(files);
    const controller = new AbortController();
    const run = searchTool.run({ pattern: '(a|aa)+$' }, makeCtx(root, { signal: controller.signal }));
    setTimeout(() => controller.abort(new Error('cancelled by the test')), 20);
    await expect(run).rejects.toThrow('cancelled by the test');
  });

  it('gives an error result with the matches so far when its time budget is spent', async () => {
    const root = await makeWorkspace({ 'a.txt': 'hit\n', 'b.txt': 'hit\n', 'c.txt': 'hit\n' });
    const r = await createSearchTool({ budgetMs: 0 }).run({ pattern: 'hit' }, makeCtx(root));
    expect(r).toEqual({
      status: 'error',
      output:
        'search stopped after its time budget of 0 s, having searched 1 of 3 files; narrow the path or glob, or simplify the pattern. Matches so far:\na.txt:1:hit',
    });
  });

  it('times its budget on the run\'s clock, not the machine\'s', async () => {
    const root = await makeWorkspace({ 'a.txt': 'hit\n', 'b.txt': 'hit\n', 'c.txt': 'hit\n' });
    // A minute passes on the run's clock while the first file is searched.
    let calls = 0;
    const clock = () => (calls++ < 3 ? 0 : 60_000);
    const r = await searchTool.run({ pattern: 'hit' }, makeCtx(root, { clock }));
    expect(r).toEqual({
      status: 'error',
      output:
        'search stopped after its time budget of 30 s, having searched 1 of 3 files; narrow the path or glob, or simplify the pattern. Matches so far:\na.txt:1:hit',
    });
  });

  it('takes JavaScript syntax (named groups, escaped slashes) and refuses lookarounds and backreferences with an actionable message', async () => {
    const root = await makeWorkspace({ 'a.ts': 'const url = "a/b";\nfoo(1)\n' });
    expect((await searchTool.run({ pattern: '(?<q>")a\\/b' }, makeCtx(root))).output).toBe('a.ts:1:const url = "a/b";');
    for (const pattern of ['foo(?=\\()', '(o)\\1']) {
      const r = await searchTool.run({ pattern }, makeCtx(root));
      expect(r.status).toBe('error');
      expect(r.output).toMatch(/^Invalid regular expression .*: .*\. Patterns use RE2 syntax \(JavaScript's, without lookahead, lookbehind or backreferences\)/);
    }
  });
});
