import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { extractTarball, normaliseEntryPath, SourceError } from '../../../src/sources/index.ts';
import { buildTar, chunks, sourceError, type RawEntry } from './tar-builder.ts';

let tmp: string;
let dest: string;

beforeEach(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'extract-test-'));
  dest = path.join(tmp, 'ws');
});
afterEach(() => fs.rmSync(tmp, { recursive: true, force: true }));

/** Every path under `root`, with its kind and content (files) or target (symlinks). */
function tree(root: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (rel: string): void => {
    for (const name of fs.readdirSync(path.join(root, rel)).sort()) {
      const r = rel ? `${rel}/${name}` : name;
      const st = fs.lstatSync(path.join(root, r));
      if (st.isDirectory()) {
        out[r + '/'] = 'dir';
        walk(r);
      } else if (st.isSymbolicLink()) out[r] = `-> ${fs.readlinkSync(path.join(root, r))}`;
      else out[r] = fs.readFileSync(path.join(root, r), 'utf8');
    }
  };
  walk('');
  return out;
}

function extractError(entries: RawEntry[], opts: Parameters<typeof extractTarball>[2] = {}): Promise<SourceError> {
  return sourceError(extractTarball(chunks(buildTar(entries)), dest, opts));
}

describe('extractTarball', () => {
  it('unpacks files, folders, symlinks and hard links inside the root', async () => {
    const stats = await extractTarball(
      chunks(
        buildTar([
          { path: './', type: 'Directory' },
          { path: './src/', type: 'Directory' },
          { path: './src/a.txt', type: 'File', body: 'alpha\n' },
          { path: './run.sh', type: 'File', body: '#!/bin/sh\n', mode: 0o755 },
          { path: './src/link', type: 'SymbolicLink', linkpath: '../run.sh' },
          { path: './same.txt', type: 'Link', linkpath: './src/a.txt' },
          { path: 'deep/er/file.txt', type: 'File', body: 'implicit parents' },
        ]),
      ),
      dest,
    );
    expect(tree(dest)).toEqual({
      'deep/': 'dir',
      'deep/er/': 'dir',
      'deep/er/file.txt': 'implicit parents',
      'run.sh': '#!/bin/sh\n',
      'same.txt': 'alpha\n',
      'src/': 'dir',
      'src/a.txt': 'alpha\n',
      'src/link': '-> ../run.sh',
    });
    expect(fs.statSync(path.join(dest, 'run.sh')).mode & 0o777).toBe(0o755);
    expect(fs.statSync(path.join(dest, 'src/a.txt')).mode & 0o777).toBe(0o644);
    // The hard link shares its content: counted once.
    expect(stats).toEqual({ files: 6, bytes: 6 + 10 + 16 });
  });

  it('accepts an uncompressed tar too', async () => {
    await extractTarball(chunks(buildTar([{ path: 'a.txt', type: 'File', body: 'x' }], { gzip: false })), dest);
    expect(tree(dest)).toEqual({ 'a.txt': 'x' });
  });

  it('strips leading components (GitHub tarballs) and skips the top folder itself', async () => {
    await extractTarball(
      chunks(
        buildTar([
          { path: 'pax_global_header', type: 'GlobalExtendedHeader', body: '52 comment=0123456789abcdef0123456789abcdef01234567\n' },
          { path: 'o-r-abc123/', type: 'Directory' },
          { path: 'o-r-abc123/README.md', type: 'File', body: '# r\n' },
          { path: 'o-r-abc123/lib/x.js', type: 'File', body: 'x' },
          { path: 'o-r-abc123/hard', type: 'Link', linkpath: 'o-r-abc123/README.md' },
        ]),
      ),
      dest,
      { strip: 1 },
    );
    expect(tree(dest)).toEqual({ 'README.md': '# r\n', hard: '# r\n', 'lib/': 'dir', 'lib/x.js': 'x' });
  });

  it('refuses an entry climbing out with ..', async () => {
    const err = await extractError([{ path: 'a/../../evil.txt', type: 'File', body: 'x' }]);
    expect({ code: err.code, retryable: err.retryable, message: err.message }).toEqual({
      code: 'unsafe_archive',
      retryable: false,
      message: 'entry "a/../../evil.txt" escapes the workspace',
    });
    expect(fs.existsSync(path.join(tmp, 'evil.txt'))).toBe(false);
  });

  it('refuses an entry whose path is too long for the file system at once, naming it, not as a retryable fault', async () => {
    // Names past ustar's 255 bytes travel in a pax header before the entry.
    const withPath = (p: string): RawEntry[] => {
      const rest = ` path=${p}\n`;
      let len = rest.length + 1;
      while (String(len).length + rest.length !== len) len = String(len).length + rest.length;
      return [{ path: 'PaxHeader', type: 'ExtendedHeader', body: `${len}${rest}` }, { path: 'placeholder', type: 'File', body: 'x' }];
    };
    const long = `${'d/'.repeat(3000)}f.txt`;
    const err = await extractError(withPath(long));
    expect({ code: err.code, retryable: err.retryable, message: err.message }).toEqual({
      code: 'unsafe_archive',
      retryable: false,
      message: `entry "${long.slice(0, 100)}…" (6005 bytes) has a path longer than 4000 bytes`,
    });
    const name = await extractError(withPath(`dir/${'n'.repeat(300)}`));
    expect([name.code, name.retryable, name.message]).toEqual(['unsafe_archive', false, `entry "dir/${'n'.repeat(96)}…" has a name longer than 255 bytes`]);
  });

  it('refuses absolute paths', async () => {
    const err = await extractError([{ path: '/etc/evil', type: 'File', body: 'x' }]);
    expect([err.code, err.message]).toEqual(['unsafe_archive', 'entry "/etc/evil" has an absolute path']);
  });

  it('refuses a symlink pointing outside, relative or absolute', async () => {
    const rel = await extractError([{ path: 'sub/l', type: 'SymbolicLink', linkpath: '../../outside' }]);
    expect([rel.code, rel.message]).toEqual(['unsafe_archive', 'symlink "sub/l" points to "../../outside", outside the workspace']);
    fs.rmSync(dest, { recursive: true, force: true });
    const abs = await extractError([{ path: 'l', type: 'SymbolicLink', linkpath: '/etc/passwd' }]);
    expect(abs.code).toBe('unsafe_archive');
  });

  it('refuses to write through a symlink planted by an earlier entry', async () => {
    // "a -> ." is inside the root, but "a/../x" through it would land outside.
    const err = await extractError([
      { path: 'a', type: 'SymbolicLink', linkpath: '.' },
      { path: 'a/x.txt', type: 'File', body: 'x' },
    ]);
    expect([err.code, err.message]).toEqual(['unsafe_archive', 'entry path "a" passes through the symlink "a"']);
  });

  it('refuses a hard link to a path outside the root or not yet extracted', async () => {
    const outside = await extractError([{ path: 'h', type: 'Link', linkpath: '../../etc/passwd' }]);
    expect(outside.code).toBe('unsafe_archive');
    fs.rmSync(dest, { recursive: true, force: true });
    const missing = await extractError([{ path: 'h', type: 'Link', linkpath: 'nope.txt' }]);
    expect([missing.code, missing.message]).toEqual([
      'unsafe_archive',
      'hard link "h" must point to a file extracted before it, not "nope.txt"',
    ]);
  });

  it('refuses device files and FIFOs', async () => {
    const dev = await extractError([{ path: 'null', type: 'CharacterDevice', devmaj: 1, devmin: 3 }]);
    expect([dev.code, dev.message]).toEqual(['unsafe_archive', 'entry "null" is a device file']);
    fs.rmSync(dest, { recursive: true, force: true });
    const fifo = await extractError([{ path: 'pipe', type: 'FIFO' }]);
    expect([fifo.code, fifo.message]).toEqual(['unsafe_archive', 'entry "pipe" is a FIFO']);
  });

  it('refuses archives over the byte limit, from the header before writing', async () => {
    const err = await extractError([{ path: 'big.bin', type: 'File', body: Buffer.alloc(10_000) }], { maxBytes: 4096 });
    expect([err.code, err.message]).toEqual(['archive_too_large', 'the archive unpacks to more than 4096 bytes']);
  });

  it('refuses a gzip bomb by the bytes it unpacks to', async () => {
    // 8 MiB of zeros compress to a few KiB; the limit stops it before it lands on disk.
    const tar = buildTar([{ path: 'zeros', type: 'File', body: Buffer.alloc(8 * 1024 * 1024) }], { gzip: false });
    const gz = zlib.gzipSync(tar, { level: 9 });
    const err = await sourceError(extractTarball(chunks(gz, 16 * 1024), dest, { maxBytes: 1024 * 1024 }));
    expect(err.code).toBe('archive_too_large');
    expect(fs.existsSync(path.join(dest, 'zeros'))).toBe(false);
  });

  it('refuses archives over the entry limit', async () => {
    const entries: RawEntry[] = Array.from({ length: 6 }, (_, i) => ({ path: `f${i}`, type: 'File' as const, body: 'x' }));
    const err = await extractError(entries, { maxFiles: 5 });
    expect([err.code, err.message]).toEqual(['archive_too_large', 'the archive holds more than 5 entries']);
  });

  it('refuses an entry that would replace a folder', async () => {
    const err = await extractError([
      { path: 'd/', type: 'Directory' },
      { path: 'd', type: 'File', body: 'x' },
    ]);
    expect(err.code).toBe('unsafe_archive');
  });

  it('reports garbage as an invalid archive', async () => {
    const err = await sourceError(extractTarball(chunks(Buffer.from('this is not a tarball at all'.repeat(50))), dest));
    expect(err.code).toBe('invalid_archive');
  });

  it('reports a truncated gzip archive as invalid', async () => {
    const gz = buildTar([{ path: 'a.txt', type: 'File', body: 'hello'.repeat(1000) }]);
    const err = await sourceError(extractTarball(chunks(gz.subarray(0, gz.length - 40)), dest));
    expect(err.code).toBe('invalid_archive');
  });
});

describe('normaliseEntryPath', () => {
  it('drops ./ and empty components and strips leading components', () => {
    expect([
      normaliseEntryPath('./a//b/./c', 0),
      normaliseEntryPath('top/a/b', 1),
      normaliseEntryPath('top/', 1),
    ]).toEqual(['a/b/c', 'a/b', undefined]);
  });

  it('throws on NUL bytes, drive letters and backslash roots', () => {
    for (const p of ['a\0b', 'C:/x', '\\\\server\\share']) {
      expect(() => normaliseEntryPath(p, 0)).toThrow(SourceError);
    }
  });
});
