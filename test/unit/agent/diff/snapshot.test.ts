import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, renameSync, rmSync, symlinkSync, unlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { blobOid, diffSnapshots, makeSnapshot, takeSnapshot, type SnapshotEntry } from '../../../../src/agent/diff/index.ts';
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
    expect([second.get('src/main.ts'), second.get('bin.dat')?.mode]).toEqual([{ mode: '100644', content: Buffer.from('export {}!\n') }, '100755']);
    expect(diffSnapshots(first, second).stats).toEqual({ files: 2, additions: 1, deletions: 1 });
    // A previous snapshot taken right after the files were written may have missed a second change: read again.
    const racy = await takeSnapshot(dir, { previous: { snapshot: second, takenAt: Date.now() } });
    expect(racy.get('run.sh')).not.toBe(second.get('run.sh'));
    expect(racy).toEqual(second);
  });

  it('keeps a file past the size limit by size and blob id, read in chunks, and writes it as a binary change', async () => {
    const dir = workspace();
    const before = await takeSnapshot(dir, { maxFileBytes: 1024 });
    const big = Buffer.alloc(5000, 'x');
    writeFileSync(path.join(dir, 'big.txt'), big);
    const after = await takeSnapshot(dir, { maxFileBytes: 1024 });
    expect(after.get('big.txt')).toEqual({ mode: '100644', size: 5000, oid: blobOid(big) } satisfies SnapshotEntry);
    const { patch, stats } = diffSnapshots(before, after);
    expect(patch).toBe(`diff --git a/big.txt b/big.txt\nnew file mode 100644\nindex ${'0'.repeat(40)}..${blobOid(big)}\nBinary files /dev/null and b/big.txt differ\n`);
    expect(stats).toEqual({ files: 1, additions: 0, deletions: 0 });
    // Compared by blob id: the same bytes again is no change, one byte more is.
    writeFileSync(path.join(dir, 'big.txt'), big);
    expect(diffSnapshots(after, await takeSnapshot(dir, { maxFileBytes: 1024 })).patch).toBe('');
    writeFileSync(path.join(dir, 'big.txt'), Buffer.concat([big, Buffer.from('y')]));
    expect(diffSnapshots(after, await takeSnapshot(dir, { maxFileBytes: 1024 })).patch).toContain('Binary files a/big.txt and b/big.txt differ\n');
  });

  it('moves a large file as an exact rename, which git applies', async () => {
    const dir = workspace();
    writeFileSync(path.join(dir, 'big.txt'), 'y'.repeat(5000));
    const before = await takeSnapshot(dir, { maxFileBytes: 1024 });
    const fullBefore = await takeSnapshot(dir);
    renameSync(path.join(dir, 'big.txt'), path.join(dir, 'moved.txt'));
    const after = await takeSnapshot(dir, { maxFileBytes: 1024 });
    const { patch } = diffSnapshots(before, after);
    expect(patch).toBe('diff --git a/big.txt b/moved.txt\nsimilarity index 100%\nrename from big.txt\nrename to moved.txt\n');
    expect(plain(gitApply(fullBefore, patch).tree)).toEqual(plain(await takeSnapshot(dir)));
  });

  it('holds at most its content budget in memory: files past it are kept by size and blob id', async () => {
    const dir = tempDir('budget-');
    dirs.push(dir);
    for (let i = 0; i < 100; i++) writeFileSync(path.join(dir, `f${String(i).padStart(3, '0')}.txt`), `${i}`.repeat(60 * 1024).slice(0, 60 * 1024));
    const snapshot = await takeSnapshot(dir, { maxFileBytes: 64 * 1024, maxTotalBytes: 1024 * 1024 });
    const kept = [...snapshot.values()].reduce((n, e) => n + ('content' in e ? e.content.length : 0), 0);
    const large = [...snapshot.values()].filter((e) => !('content' in e)).length;
    expect([kept <= 1024 * 1024, kept > 900 * 1024, large, snapshot.size]).toEqual([true, true, 83, 100]);
  });

  it('snapshots and diffs a 1.5 GiB sparse file within its memory bound (RSS grows by less than 128 MiB)', () => {
    const dir = tempDir('sparse-');
    dirs.push(dir);
    const child = spawnSync(process.execPath, ['--import', 'tsx', path.join(import.meta.dirname, 'support', 'snapshot-rss-child.ts'), dir, '1536'], { encoding: 'utf8' });
    expect(child.stderr).toBe('');
    const out = JSON.parse(child.stdout) as { growth: number; stats: unknown; sparse: string };
    expect([out.growth < 128 * 1024 * 1024, out.stats, out.sparse.split('\n').slice(0, 4)]).toEqual([
      true,
      { files: 51, additions: 5000, deletions: 0 },
      ['diff --git a/sparse.bin b/sparse.bin', 'new file mode 100644', expect.stringMatching(/^index 0{40}\.\.[0-9a-f]{40}$/), 'Binary files /dev/null and b/sparse.bin differ'],
    ]);
  }, 120_000);
});

