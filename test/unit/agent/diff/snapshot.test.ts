import { chmodSync, mkdirSync, renameSync, rmSync, symlinkSync, unlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { diffSnapshots, makeSnapshot, takeSnapshot } from '../../../../src/agent/diff/index.ts';
import { gitApply, plain, tempDir } from './helpers.ts';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function workspace(): string {
  const dir = tempDir('snapshot-');
  dirs.push(dir);
  const w = (rel: string, content: string | Buffer): void => {
    mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    writeFileSync(path.join(dir, rel), content);
  };
  w('.gitignore', 'node_modules/\n*.log\n');
  w('src/main.ts', 'export {};\n');
  w('run.sh', '#!/bin/sh\n');
  chmodSync(path.join(dir, 'run.sh'), 0o755);
  w('node_modules/x/index.js', 'ignored\n');
  w('debug.log', 'ignored\n');
  w('.git/HEAD', 'ref: refs/heads/main\n');
  w('bin.dat', Buffer.from([0, 1, 2]));
  symlinkSync('src/main.ts', path.join(dir, 'link'));
  return dir;
}

describe('takeSnapshot', () => {
  it('reads files with modes and symlinks with targets, leaving out .git and ignored paths', async () => {
    const dir = workspace();
    expect(plain(await takeSnapshot(dir))).toEqual(plain(makeSnapshot({
      '.gitignore': 'node_modules/\n*.log\n',
      'bin.dat': Buffer.from([0, 1, 2]),
      'link': { content: 'src/main.ts', mode: '120000' },
      'run.sh': { content: '#!/bin/sh\n', mode: '100755' },
      'src/main.ts': 'export {};\n',
    })));
  });

  it('throws when the signal is already aborted', async () => {
    const dir = workspace();
    const ac = new AbortController();
    ac.abort(new Error('deadline'));
    await expect(takeSnapshot(dir, { signal: ac.signal })).rejects.toThrow('deadline');
  });

  it('a diff between two snapshots of a changing folder reproduces it with git apply', async () => {
    const dir = workspace();
    const before = await takeSnapshot(dir);
    writeFileSync(path.join(dir, 'src/main.ts'), 'export const x = 1;\n');
    renameSync(path.join(dir, 'run.sh'), path.join(dir, 'start.sh'));
    unlinkSync(path.join(dir, 'link'));
    symlinkSync('start.sh', path.join(dir, 'link'));
    writeFileSync(path.join(dir, 'more.log'), 'ignored, not in the diff\n');
    mkdirSync(path.join(dir, 'docs'));
    writeFileSync(path.join(dir, 'docs/new.md'), '# new\n');
    const after = await takeSnapshot(dir);
    const { patch, stats } = diffSnapshots(before, after);
    expect(patch).not.toContain('more.log');
    expect(patch).toContain('rename from run.sh\nrename to start.sh\n');
    const applied = gitApply(before, patch);
    expect(plain(applied.tree)).toEqual(plain(after));
    expect(stats).toEqual(applied.numstat);
  });
});
