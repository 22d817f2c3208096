import { promises as fs } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { applyPatchTool } from '../../../../src/agent/tools/index.ts';
import { exists, makeCtx, makeWorkspace, readText, removeWorkspaces } from '../tools/helpers.ts';

afterEach(removeWorkspaces);

const wrap = (body: string) => `*** Begin Patch\n${body}\n*** End Patch\n`;

describe('apply_patch tool', () => {
  it('lists the changed files like Codex: added, modified, deleted', async () => {
    const root = await makeWorkspace({ 'keep.txt': 'a\nb\n', 'gone.txt': 'x\n', 'old/name.txt': 'n\n' });
    const patch = wrap(
      [
        '*** Delete File: gone.txt',
        '*** Update File: keep.txt',
        '@@',
        ' a',
        '-b',
        '+B',
        '*** Add File: new/file.txt',
        '+hello',
        '*** Update File: old/name.txt',
        '*** Move to: moved/name.txt',
        '@@',
        '-n',
        '+N',
      ].join('\n'),
    );
    expect(await applyPatchTool.run({ patch }, makeCtx(root))).toEqual({
      status: 'success',
      output: 'Success. Updated the following files:\nA new/file.txt\nM keep.txt\nM moved/name.txt\nD gone.txt',
    });
    expect(await readText(root, 'keep.txt')).toBe('a\nB\n');
    expect(await readText(root, 'new/file.txt')).toBe('hello\n');
    expect(await readText(root, 'moved/name.txt')).toBe('N\n');
    expect(await exists(path.join(root, 'gone.txt'))).toBe(false);
    expect(await exists(path.join(root, 'old/name.txt'))).toBe(false);
  });

  it('sees the changes of earlier hunks in later ones', async () => {
    const root = await makeWorkspace();
    const patch = wrap('*** Add File: a.txt\n+one\n*** Update File: a.txt\n@@\n-one\n+two');
    expect((await applyPatchTool.run({ patch }, makeCtx(root))).status).toBe('success');
    expect(await readText(root, 'a.txt')).toBe('two\n');
  });

  it('stops at a failing hunk, keeps the earlier ones and says which were applied', async () => {
    const root = await makeWorkspace({ 'a.txt': 'a\n', 'b.txt': 'b\n' });
    const patch = wrap('*** Update File: a.txt\n@@\n-a\n+A\n*** Update File: b.txt\n@@\n-zzz\n+y\n*** Delete File: a.txt');
    expect(await applyPatchTool.run({ patch }, makeCtx(root))).toEqual({
      status: 'error',
      output:
        'apply_patch failed: *** Update File: b.txt: Failed to find expected lines in b.txt:\nzzz\n(read the file again and copy the lines exactly; context lines start with a space)\n' +
        'The hunks before it were applied and remain on disk:\nM a.txt',
    });
    expect(await readText(root, 'a.txt')).toBe('A\n');
    expect(await readText(root, 'b.txt')).toBe('b\n');
  });

  it('refuses paths outside the workspace before changing anything', async () => {
    const outside = await makeWorkspace({ 'victim.txt': 'safe\n' });
    const root = await makeWorkspace();
    await fs.symlink(outside, path.join(root, 'link'));
    for (const target of ['../evil.txt', path.join(outside, 'victim.txt'), 'link/victim.txt']) {
      const patch = wrap(`*** Add File: first.txt\n+x\n*** Add File: ${target}\n+pwned`);
      const r = await applyPatchTool.run({ patch }, makeCtx(root));
      expect(r.status).toBe('error');
      expect(r.output).toMatch(/outside the workspace/);
      expect(r.output.endsWith('No files were changed.')).toBe(true);
      expect(await exists(path.join(root, 'first.txt'))).toBe(false);
    }
    expect(await readText(outside, 'victim.txt')).toBe('safe\n');
    expect(await exists(path.join(path.dirname(root), 'evil.txt'))).toBe(false);
  });

  it('does not update, or add over, a symlinked file that points outside', async () => {
    const outside = await makeWorkspace({ 'victim.txt': 'safe\n' });
    const root = await makeWorkspace();
    await fs.symlink(path.join(outside, 'victim.txt'), path.join(root, 'link.txt'));
    await fs.symlink(path.join(outside, 'planted.txt'), path.join(root, 'dangling.txt'));
    const update = await applyPatchTool.run({ patch: wrap('*** Update File: link.txt\n@@\n-safe\n+pwned') }, makeCtx(root));
    const add = await applyPatchTool.run({ patch: wrap('*** Add File: dangling.txt\n+pwned') }, makeCtx(root));
    expect([update.status, add.status]).toEqual(['error', 'error']);
    expect([update.output, add.output].every((o) => /outside the workspace/.test(o))).toBe(true);
    expect([await readText(outside, 'victim.txt'), await exists(path.join(outside, 'planted.txt'))]).toEqual(['safe\n', false]);
  });

  it('deletes a symlink itself, not its target', async () => {
    const root = await makeWorkspace({ 'target.txt': 't\n' });
    await fs.symlink('target.txt', path.join(root, 'link.txt'));
    expect((await applyPatchTool.run({ patch: wrap('*** Delete File: link.txt') }, makeCtx(root))).status).toBe('success');
    expect(await exists(path.join(root, 'link.txt'))).toBe(false);
    expect(await readText(root, 'target.txt')).toBe('t\n');
  });

  it('reports parse errors with the line and changes nothing', async () => {
    const root = await makeWorkspace({ 'a.txt': 'a\n' });
    const r = await applyPatchTool.run({ patch: '*** Begin Patch\n*** Update File: a.txt\n@@\nnot a diff line\n*** End Patch' }, makeCtx(root));
    expect(r).toEqual({
      status: 'error',
      output:
        "Invalid patch hunk on line 4: Unexpected line found in update hunk: 'not a diff line'. Every line should start with ' ' (context line), '+' (added line), or '-' (removed line).\nNo files were changed.",
    });
  });

  it('refuses binary files and folders as update targets', async () => {
    const root = await makeWorkspace({ 'bin.dat': Buffer.from([1, 0, 2]), 'dir/x': 'x' });
    const bin = await applyPatchTool.run({ patch: wrap('*** Update File: bin.dat\n@@\n-a\n+b') }, makeCtx(root));
    expect(bin).toEqual({ status: 'error', output: 'apply_patch failed: *** Update File: bin.dat: Failed to update bin.dat: it is a binary file.\nNo files were changed.' });
    const dir = await applyPatchTool.run({ patch: wrap('*** Add File: dir\n+x') }, makeCtx(root));
    expect(dir).toEqual({ status: 'error', output: 'apply_patch failed: *** Add File: dir: Cannot add file dir: a folder of that name exists.\nNo files were changed.' });
  });
});
