import { promises as fs } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { editFileTool, writeFileTool } from '../../../../src/agent/tools/index.ts';
import { exists, makeCtx, makeWorkspace, readText, removeWorkspaces } from './helpers.ts';

afterEach(removeWorkspaces);

describe('write_file', () => {
  it('creates a file with its folders and reports the bytes', async () => {
    const root = await makeWorkspace();
    expect(await writeFileTool.run({ path: 'a/b/c.txt', content: 'héllo\n' }, makeCtx(root))).toEqual({
      status: 'success',
      output: 'Wrote 7 bytes to a/b/c.txt (created).',
    });
    expect(await readText(root, 'a/b/c.txt')).toBe('héllo\n');
  });

  it('replaces an existing file', async () => {
    const root = await makeWorkspace({ 'x.txt': 'old content' });
    expect(await writeFileTool.run({ path: 'x.txt', content: 'new' }, makeCtx(root))).toEqual({ status: 'success', output: 'Wrote 3 bytes to x.txt (replaced).' });
    expect(await readText(root, 'x.txt')).toBe('new');
  });

  it('refuses folders, files in the folder path, and escapes', async () => {
    const root = await makeWorkspace({ 'dir/x': 'x', 'file.txt': 'f' });
    expect(await writeFileTool.run({ path: 'dir', content: '' }, makeCtx(root))).toEqual({ status: 'error', output: 'dir is a folder; give a file path.' });
    expect(await writeFileTool.run({ path: 'file.txt/sub.txt', content: '' }, makeCtx(root))).toEqual({
      status: 'error',
      output: 'Cannot write file.txt/sub.txt: a part of its folder path is an existing file.',
    });
    const r = await writeFileTool.run({ path: '../evil.txt', content: 'x' }, makeCtx(root));
    expect(r.status).toBe('error');
    expect(await exists(path.join(path.dirname(root), 'evil.txt'))).toBe(false);
  });

  it('does not write through a symlinked file that points outside, existing or not yet', async () => {
    const outside = await makeWorkspace({ 'victim.txt': 'safe\n' });
    const root = await makeWorkspace();
    await fs.symlink(path.join(outside, 'victim.txt'), path.join(root, 'link.txt'));
    await fs.symlink(path.join(outside, 'planted.txt'), path.join(root, 'dangling.txt'));
    const results = [await writeFileTool.run({ path: 'link.txt', content: 'pwned' }, makeCtx(root)), await writeFileTool.run({ path: 'dangling.txt', content: 'pwned' }, makeCtx(root))];
    expect(results.map((r) => [r.status, /symbolic link/.test(r.output)])).toEqual([
      ['error', true],
      ['error', true],
    ]);
    expect([await readText(outside, 'victim.txt'), await exists(path.join(outside, 'planted.txt'))]).toEqual(['safe\n', false]);
  });

  it('does not write through a symlinked folder that escapes', async () => {
    const outside = await makeWorkspace();
    const root = await makeWorkspace();
    await fs.symlink(outside, path.join(root, 'out'));
    const r = await writeFileTool.run({ path: 'out/pwned.txt', content: 'x' }, makeCtx(root));
    expect(r.status).toBe('error');
    expect(await exists(path.join(outside, 'pwned.txt'))).toBe(false);
  });
});

describe('edit_file', () => {
  it('replaces the single occurrence and shows the edited lines', async () => {
    const root = await makeWorkspace({ 'a.ts': 'const a = 1;\nconst b = 2;\nconst c = 3;\n' });
    expect(await editFileTool.run({ path: 'a.ts', old_string: 'const b = 2;', new_string: 'const b = 20;' }, makeCtx(root))).toEqual({
      status: 'success',
      output: 'Replaced 1 occurrence in a.ts.\n     1\tconst a = 1;\n     2\tconst b = 20;\n     3\tconst c = 3;',
    });
    expect(await readText(root, 'a.ts')).toBe('const a = 1;\nconst b = 20;\nconst c = 3;\n');
  });

  it('inserts replacement text literally ($& and $1 included)', async () => {
    const root = await makeWorkspace({ 'a.txt': 'price: X\n' });
    await editFileTool.run({ path: 'a.txt', old_string: 'X', new_string: '$& $1 $$' }, makeCtx(root));
    expect(await readText(root, 'a.txt')).toBe('price: $& $1 $$\n');
  });

  it('refuses an ambiguous old_string, saying how many times it occurs', async () => {
    const root = await makeWorkspace({ 'a.txt': 'x = 1\nx = 1\nx = 1\n' });
    expect(await editFileTool.run({ path: 'a.txt', old_string: 'x = 1', new_string: 'x = 2' }, makeCtx(root))).toEqual({
      status: 'error',
      output: 'old_string occurs 3 times in a.txt; include more surrounding lines so it matches exactly once, or set replace_all to true to replace all 3.',
    });
    expect(await readText(root, 'a.txt')).toBe('x = 1\nx = 1\nx = 1\n');
  });

  it('replaces every occurrence with replace_all', async () => {
    const root = await makeWorkspace({ 'a.txt': 'x = 1\ny\nx = 1\n' });
    const r = await editFileTool.run({ path: 'a.txt', old_string: 'x = 1', new_string: 'x = 2', replace_all: true }, makeCtx(root));
    expect(r.status).toBe('success');
    expect(r.output.startsWith('Replaced 2 occurrences in a.txt.')).toBe(true);
    expect(await readText(root, 'a.txt')).toBe('x = 2\ny\nx = 2\n');
  });

  it('says when old_string is missing, hinting at whitespace differences', async () => {
    const root = await makeWorkspace({ 'a.py': 'def f():\n    return 1\n' });
    expect(await editFileTool.run({ path: 'a.py', old_string: 'return 2', new_string: 'return 3' }, makeCtx(root))).toEqual({
      status: 'error',
      output: 'old_string was not found in a.py. Read the file again with read_file and copy the exact text, whitespace and indentation included.',
    });
    const ws = await editFileTool.run({ path: 'a.py', old_string: 'def f():\n  return 1', new_string: 'x' }, makeCtx(root));
    expect(ws.output).toContain('A match that differs only in whitespace or indentation exists');
  });

  it('refuses an empty old_string, identical strings and missing files', async () => {
    const root = await makeWorkspace({ 'a.txt': 'a' });
    expect(await editFileTool.run({ path: 'a.txt', old_string: '', new_string: 'x' }, makeCtx(root))).toEqual({
      status: 'error',
      output: 'old_string must not be empty; to create a file or replace all of it, use write_file.',
    });
    expect((await editFileTool.run({ path: 'a.txt', old_string: 'a', new_string: 'a' }, makeCtx(root))).status).toBe('error');
    expect(await editFileTool.run({ path: 'b.txt', old_string: 'a', new_string: 'b' }, makeCtx(root))).toEqual({
      status: 'error',
      output: 'File not found: b.txt. Check the path with list_files, or create the file with write_file.',
    });
  });

  it('matches an old_string written with CRLF in an LF file', async () => {
    const root = await makeWorkspace({ 'u.txt': 'one\ntwo\n' });
    expect((await editFileTool.run({ path: 'u.txt', old_string: 'one\r\ntwo', new_string: 'one\n2' }, makeCtx(root))).status).toBe('success');
    expect(await readText(root, 'u.txt')).toBe('one\n2\n');
  });

  it('keeps CRLF line endings', async () => {
    const root = await makeWorkspace({ 'w.txt': 'one\r\ntwo\r\nthree\r\n' });
    const r = await editFileTool.run({ path: 'w.txt', old_string: 'one\ntwo', new_string: 'one\nTWO\nand a half' }, makeCtx(root));
    expect(r.status).toBe('success');
    expect(await readText(root, 'w.txt')).toBe('one\r\nTWO\r\nand a half\r\nthree\r\n');
  });
});
