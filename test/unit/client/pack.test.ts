import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { list as listTar } from 'tar';
import { packWorkspace, largestFolders, formatBytes } from '../../../src/client/pack.ts';
import { UploadTooLargeError } from '../../../src/client/errors.ts';

let tmp: string;
beforeEach(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'pack-test-'));
});
afterEach(() => fs.rmSync(tmp, { recursive: true, force: true }));

function write(root: string, files: Record<string, string | Buffer>): void {
  for (const [rel, body] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
    fs.writeFileSync(path.join(root, rel), body);
    fs.chmodSync(path.join(root, rel), 0o644); // independent of the umask
  }
}

async function entries(file: string): Promise<{ path: string; mode: number; size: number }[]> {
  const out: { path: string; mode: number; size: number }[] = [];
  await listTar({ file, onReadEntry: (e) => out.push({ path: e.path, mode: (e.mode ?? 0) & 0o777, size: e.size ?? 0 }) });
  return out.sort((a, b) => (a.path < b.path ? -1 : 1));
}

describe('packWorkspace', () => {
  it('packs the files git would keep, relative to the root, without .git or ignored files', async () => {
    const root = path.join(tmp, 'ws');
    write(root, {
      '.gitignore': 'node_modules/\n*.log\n!keep.log\n',
      'README.md': '# hi\n',
      'src/a.ts': 'export const a = 1;\n',
      'src/nested/.gitignore': 'secret.txt\n',
      'src/nested/secret.txt': 'no\n',
      'src/nested/b.ts': 'b\n',
      'node_modules/x/index.js': 'x\n',
      'debug.log': 'log\n',
      'keep.log': 'kept\n',
      '.git/HEAD': 'ref: refs/heads/main\n',
      '.git/config': '[core]\n',
    });
    fs.writeFileSync(path.join(root, 'run.sh'), '#!/bin/sh\necho hi\n');
    fs.chmodSync(path.join(root, 'run.sh'), 0o755);
    const out = path.join(tmp, 'in.tar.gz');
    const res = await packWorkspace(root, { outFile: out, maxBytes: 10 * 1024 * 1024 });

    expect(await entries(out)).toEqual([
      { path: '.gitignore', mode: 0o644, size: 30 },
      { path: 'README.md', mode: 0o644, size: 5 },
      { path: 'keep.log', mode: 0o644, size: 5 },
      { path: 'run.sh', mode: 0o755, size: 18 },
      { path: 'src/a.ts', mode: 0o644, size: 20 },
      { path: 'src/nested/.gitignore', mode: 0o644, size: 11 },
      { path: 'src/nested/b.ts', mode: 0o644, size: 2 },
    ]);
    expect(res).toEqual({ file: out, bytes: fs.statSync(out).size, files: 7, rawBytes: 30 + 5 + 5 + 18 + 20 + 11 + 2 });
  });

  it('packs an empty working tree as an empty archive', async () => {
    const root = path.join(tmp, 'empty');
    fs.mkdirSync(root);
    const out = path.join(tmp, 'e.tar.gz');
    const res = await packWorkspace(root, { outFile: out, maxBytes: 1024 * 1024 });
    expect({ files: res.files, entries: await entries(out) }).toEqual({ files: 0, entries: [] });
  });

  it('refuses a tree whose archive passes the limit, naming the largest folders, and leaves no file', async () => {
    const root = path.join(tmp, 'big');
    write(root, {
      'data/raw/blob.bin': randomBytes(600 * 1024),
      'data/small.bin': randomBytes(100 * 1024),
      'assets/img.bin': randomBytes(200 * 1024),
      'src/index.ts': 'x\n',
      'top.bin': randomBytes(50 * 1024),
    });
    const out = path.join(tmp, 'big.tar.gz');
    const err = await packWorkspace(root, { outFile: out, maxBytes: 512 * 1024 }).catch((e) => e);
    expect(err).toBeInstanceOf(UploadTooLargeError);
    expect({ largest: err.largest, limit: err.limitBytes, usage: err.usage }).toEqual({
      largest: [
        { path: 'data', bytes: 700 * 1024 },
        { path: 'data/raw', bytes: 600 * 1024 },
        { path: 'assets', bytes: 200 * 1024 },
        { path: '(files at the root)', bytes: 50 * 1024 },
        { path: 'src', bytes: 2 },
      ],
      limit: 512 * 1024,
      usage: true,
    });
    expect(err.message).toBe(
      'the working tree is too large to upload: the archive passes the limit of 512.0 KB (950.0 KB of files); largest folders: data (700.0 KB), data/raw (600.0 KB), assets (200.0 KB), (files at the root) (50.0 KB), src (2 B); add them to .gitignore or raise --max-upload-mb',
    );
    expect(fs.existsSync(out)).toBe(false);
  });
});

describe('largestFolders and formatBytes', () => {
  it('sums sizes one and two levels deep and sorts by size', () => {
    expect(largestFolders(['a/b/c/d', 'a/x', 'z', 'q/r/s'], [10, 5, 1, 7], 3)).toEqual([
      { path: 'a', bytes: 15 },
      { path: 'a/b', bytes: 10 },
      { path: 'q', bytes: 7 },
    ]);
  });

  it('prints sizes in powers of 1024', () => {
    expect([0, 1023, 1536, 5 * 1024 * 1024, 3 * 1024 ** 3].map(formatBytes)).toEqual(['0 B', '1023 B', '1.5 KB', '5.0 MB', '3.00 GB']);
  });
});
