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

  it('reuses the entries of files unchanged since a previous snapshot, and reads again what changed or changed just before it', async () => {
    const dir = workspace();
    const first = await takeSnapshot(dir);
    const later = Date.now() + 60_000;
    writeFileSync(path.join(dir, 'src/main.ts'), 'export {}!\n'); // same size, new content
    chmodSync(path.join(dir, 'bin.dat'), 0o755);
    const second = await takeSnapshot(dir, { previous: { snapshot: first, takenAt: later } });
    expect(second.get('run.sh')).toBe(first.get('run.sh'));
    expect([second.get('src/main.ts')?.content.toString(), second.get('bin.dat')?.mode]).toEqual(['export {}!\n', '100755']);
    expect(diffSnapshots(first, second).stats).toEqual({ files: 2, additions: 1, deletions: 1 });
    // A previous snapshot taken right after the files were written may have missed a second change: read again.
    const racy = await takeSnapshot(dir, { previous: { snapshot: second, takenAt: Date.now() } });
    expect(racy.get('run.sh')).not.toBe(second.get('run.sh'));
    expect(racy).toEqual(second);
  });
});
