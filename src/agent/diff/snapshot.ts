/**
 * Workspace snapshots: every file and symlink outside `.git/` and git-ignored paths, within a
 * stated memory bound. A file's content is kept when it is at most `maxFileBytes` (4 MiB) and
 * the snapshot's kept contents stay within `maxTotalBytes` (128 MiB); any other file is read in
 * 1 MiB chunks for its git blob id and kept as size and id only (a LargeEntry). So a snapshot
 * holds at most 128 MiB of file contents whatever the workspace holds (a sparse 1.5 GiB file
 * costs one chunk), plus a small entry per file.
 */
import { createHash } from 'node:crypto';
import { lstat, open, readlink, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { walkWorkspace } from '../tools/walk.ts';
import { DiffError } from './errors.ts';
import type { FileMode, Snapshot, SnapshotEntry } from './types.ts';

const CONCURRENCY = 32;
/** Default largest file whose content a snapshot keeps. */
export const MAX_SNAPSHOT_FILE_BYTES = 4 * 1024 * 1024;
/** Default largest total of file contents one snapshot keeps. */
export const MAX_SNAPSHOT_TOTAL_BYTES = 128 * 1024 * 1024;
const HASH_CHUNK_BYTES = 1024 * 1024;

/** A snapshot taken earlier, and when (ms since the epoch, by the caller's clock) it was started. */
export interface PreviousSnapshot {
  snapshot: Snapshot;
  takenAt: number;
}

export interface SnapshotOptions {
  signal?: AbortSignal;
  previous?: PreviousSnapshot;
  /** Files larger than this are kept by size and blob id (default 4 MiB). */
  maxFileBytes?: number;
  /** Once kept contents reach this, further files are kept by size and blob id (default 128 MiB). */
  maxTotalBytes?: number;
}

// A file's stat as it was when its entry was read; an entry is reused only while it still matches.
const statKeys = new WeakMap<SnapshotEntry, string>();
// Timestamps are coarse (a clock tick): a file changed shortly before a snapshot could still show
// the same stat after a second change, so entries that recent are read again (git's "racy" rule).
const RACY_MS = 2000;

interface Budget {
  maxFileBytes: number;
  /** Bytes of content the snapshot may still keep. */
  left: number;
}

/** Reads a regular file: whole when it fits the budget, else in chunks for its blob id. */
async function readFileEntry(abs: string, mode: '100644' | '100755', size: number, budget: Budget): Promise<SnapshotEntry> {
  const fh = await open(abs, 'r');
  try {
    if (size <= budget.maxFileBytes && size <= budget.left) {
      budget.left -= size;
      // One byte more than the stat said: a file that grew since is kept by id instead.
      const buf = Buffer.allocUnsafe(size + 1);
      let got = 0;
      for (let n = -1; n !== 0 && got < buf.length; got += n) n = (await fh.read(buf, got, buf.length - got, got)).bytesRead;
      if (got <= size) return { mode, content: buf.subarray(0, got) };
      budget.left += size;
    }
    let hashed = await hashPrefix(fh, size);
    // A file that shrank while it was read: the id of what is left of it.
    if (hashed.bytes < size) hashed = await hashPrefix(fh, hashed.bytes);
    return { mode, size: hashed.bytes, oid: hashed.oid };
  } finally {
    await fh.close();
  }
}

/** The git blob id of a file's first `size` bytes, read in chunks (fewer when the file is shorter). */
async function hashPrefix(fh: FileHandle, size: number): Promise<{ oid: string; bytes: number }> {
  const hash = createHash('sha1').update(`blob ${size}\0`);
  const chunk = Buffer.allocUnsafe(Math.min(HASH_CHUNK_BYTES, Math.max(1, size)));
  let bytes = 0;
  while (bytes < size) {
    const { bytesRead } = await fh.read(chunk, 0, Math.min(chunk.length, size - bytes), bytes);
    if (bytesRead === 0) break;
    hash.update(chunk.subarray(0, bytesRead));
    bytes += bytesRead;
  }
  return { oid: hash.digest('hex'), bytes };
}

async function readEntry(root: string, rel: string, budget: Budget, previous?: { entry: SnapshotEntry; takenAt: number }): Promise<SnapshotEntry | undefined> {
  const abs = path.join(root, ...rel.split('/'));
  try {
    const st = await lstat(abs, { bigint: true });
    if (st.isSymbolicLink()) return { mode: '120000', content: Buffer.from(await readlink(abs), 'utf8') };
    if (!st.isFile()) return undefined;
    const key = `${st.dev}:${st.ino}:${st.size}:${st.mtimeNs}:${st.ctimeNs}:${st.mode}`;
    if (previous && statKeys.get(previous.entry) === key && Number(st.ctimeNs / 1_000_000n) < previous.takenAt - RACY_MS) {
      // Reused contents count against this snapshot's budget too (they stay in memory with it).
      if ('content' in previous.entry) budget.left -= previous.entry.content.length;
      return previous.entry;
    }
    // Git records only the owner's execute bit.
    const mode: FileMode = st.mode & 0o100n ? '100755' : '100644';
    const entry = await readFileEntry(abs, mode, Number(st.size), budget);
    statKeys.set(entry, key);
    return entry;
  } catch (err) {
    // A file removed between the walk and the read (a process still running) is simply absent.
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new DiffError(`cannot read ${rel} for the workspace diff: ${(err as Error).message}`, { cause: err });
  }
}

/**
 * Reads the workspace under `root`: regular files with mode 100644/100755, symlinks with mode
 * 120000 and their target as content, within the memory bound of the module's comment (files
 * past it become LargeEntry values). Skips `.git/` and git-ignored paths (the walker's rules).
 * With `previous`, a file whose stat has not changed since that snapshot read it (and not just
 * before it) keeps its entry unread, so a snapshot per turn costs the files that changed.
 * Throws when `signal` aborts, and DiffError (naming the path) when a file cannot be read.
 */
export async function takeSnapshot(root: string, opts: SnapshotOptions = {}): Promise<Snapshot> {
  const paths = await walkWorkspace(root, { signal: opts.signal });
  const budget: Budget = { maxFileBytes: opts.maxFileBytes ?? MAX_SNAPSHOT_FILE_BYTES, left: opts.maxTotalBytes ?? MAX_SNAPSHOT_TOTAL_BYTES };
  const snapshot: Snapshot = new Map();
  for (let i = 0; i < paths.length; i += CONCURRENCY) {
    opts.signal?.throwIfAborted();
    const batch = paths.slice(i, i + CONCURRENCY);
    const entries = await Promise.all(
      batch.map((rel: string) => {
        const entry = opts.previous?.snapshot.get(rel);
        return readEntry(root, rel, budget, entry && opts.previous ? { entry, takenAt: opts.previous.takenAt } : undefined);
      }),
    );
    batch.forEach((rel: string, j: number) => {
      const e = entries[j];
      if (e) snapshot.set(rel, e);
    });
  }
  return snapshot;
}
