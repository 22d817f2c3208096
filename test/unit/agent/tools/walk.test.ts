import { promises as fs } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { walkWorkspace } from '../../../../src/agent/tools/index.ts';
import { makeWorkspace, removeWorkspaces } from './helpers.ts';

afterEach(removeWorkspaces);

describe('walkWorkspace', () => {
  it('lists files sorted as posix paths, leaving out .git', async () => {
    const root = await makeWorkspace({ 'b.txt': '', 'a/z.txt': '', 'a/b/c.txt': '', '.git/HEAD': 'ref', '.github/ci.yml': '', 'sub/.git': 'gitdir: x' });
    expect(await walkWorkspace(root)).toEqual(['.github/ci.yml', 'a/b/c.txt', 'a/z.txt', 'b.txt']);
  });

  it('honours root and nested .gitignore files, negations and .git/info/exclude', async () => {
    const root = await makeWorkspace({
      '.gitignore': '*.log\n!keep.log\nbuild/\n/rooted.txt\n',
      '.git/info/exclude': 'secret.env\n',
      'app.log': '',
      'keep.log': '',
      'rooted.txt': '',
      'deep/rooted.txt': '',
      'build/out.js': '',
      'src/build/ignored-too.js': '',
      'secret.env': '',
      'src/.gitignore': 'gen/\n!important.log\n*.tmp\n',
      'src/important.log': '',
      'src/other.log': '',
      'src/gen/x.ts': '',
      'src/a.tmp': '',
      'src/a.ts': '',
      'lib/a.tmp': '',
    });
    expect(await walkWorkspace(root)).toEqual([
      '.gitignore',
      'deep/rooted.txt',
      'keep.log',
      'lib/a.tmp',
      'src/.gitignore',
      'src/a.ts',
      'src/important.log',
    ]);
  });

  it('does not descend into folders ignored with dir/ patterns, so files inside cannot be re-included', async () => {
    const root = await makeWorkspace({ '.gitignore': 'node_modules/\n!node_modules/keep.js\n', 'node_modules/keep.js': '', 'index.js': '' });
    expect(await walkWorkspace(root)).toEqual(['.gitignore', 'index.js']);
  });

  it('lists symlinks without following them', async () => {
    const outside = await makeWorkspace({ 'o1.txt': '', 'o2.txt': '' });
    const root = await makeWorkspace({ 'real/f.txt': '' });
    await fs.symlink(outside, path.join(root, 'outlink'));
    await fs.symlink('real/f.txt', path.join(root, 'flink'));
    expect(await walkWorkspace(root)).toEqual(['flink', 'outlink', 'real/f.txt']);
  });

  it('walks only under a folder, with the rules of its ancestors', async () => {
    const root = await makeWorkspace({ '.gitignore': '*.o\n', 'src/.gitignore': 'tmp/\n', 'src/a/x.c': '', 'src/a/x.o': '', 'src/a/tmp/t': '', 'other/y.c': '' });
    expect(await walkWorkspace(root, { under: 'src/a' })).toEqual(['src/a/x.c']);
    expect(await walkWorkspace(root, { under: './src/a/' })).toEqual(['src/a/x.c']);
    expect(await walkWorkspace(root, { under: 'src/a/tmp' })).toEqual([]);
    expect(await walkWorkspace(root, { under: 'src/a/x.c' })).toEqual(['src/a/x.c']);
    expect(await walkWorkspace(root, { under: 'src/a/x.o' })).toEqual([]);
    expect(await walkWorkspace(root, { under: 'missing' })).toEqual([]);
  });

  it('throws when the signal is aborted', async () => {
    const root = await makeWorkspace({ 'a.txt': '' });
    await expect(walkWorkspace(root, { signal: AbortSignal.abort(new Error('stop')) })).rejects.toThrow('stop');
  });
});
