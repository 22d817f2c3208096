/** Workspace snapshots: every file and symlink outside `.git/` and git-ignored paths. */
import { lstat, readFile, readlink } from 'node:fs/promises';
import path from 'node:path';
import { walkWorkspace } from '../tools/walk.ts';
import { DiffError } from './errors.ts';
import type { FileMode, Snapshot, SnapshotEntry } from './types.ts';

const CONCURRENCY = 32;

/** A snapshot taken earlier, and when (ms since the epoch, by the caller's clock) it was started. */
export interface PreviousSnapshot {
  snapshot: Snapshot;
  takenAt: number;
}

// A file's stat as it was when its entry was read; an entry is reused only while it still matches.
const statKeys = new WeakMap<SnapshotEntry, string>();
// Timestamps are coarse (a clock tick): a file changed shortly before a snapshot could still show
// the same stat after a second change, so entries that recent are read again (git's "racy" rule).
const RACY_MS = 2000;

async function readEntry(root: string, rel: string, previous?: { entry: SnapshotEntry; takenAt: number }): Promise<SnapshotEntry | undefined> {
  const abs = path.join(root, ...rel.split('/'));
  try {
    const st = await lstat(abs, { bigint: true });
    if (st.isSymbolicLink()) return { mode: '120000', content: Buffer.from(await readlink(abs), 'utf8') };
    if (!st.isFile()) return undefined;
    const key = `${st.dev}:${st.ino}:${st.size}:${st.mtimeNs}:${st.ctimeNs}:${st.mode}`;
    if (previous && statKeys.get(previous.entry) === key && Number(st.ctimeNs / 1_000_000n) < previous.takenAt - RACY_MS) return previous.entry;
    // Git records only the owner's execute bit.
    const mode: FileMode = st.mode & 0o100n ? '100755' : '100644';
    const entry: SnapshotEntry = { mode, content: await readFile(abs) };
    statKeys.set(entry, key);
    return entry;
  } catch (err) {
    // A file removed between the walk and the read (a process still running) is simply absent.
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new DiffError(`cannot read ${rel} for the workspace diff: ${(err as Error).message}`, { cause: err });
  }
}

/**
 * Reads the workspace under `root` into memory: regular files with mode 100644/100755, symlinks
 * with mode 120000 and their target as content. Skips `.git/` and git-ignored paths (the walker's
 * rules). With `previous`, a file whose stat has not changed since that snapshot read it (and not
 * just before it) keeps its entry unread, so a snapshot per turn costs the files that changed.
 * Throws when `signal` aborts, and DiffError (naming the path) when a file cannot be read.
 */
export async function takeSnapshot(root: string, opts: { signal?: AbortSignal; previous?: PreviousSnapshot } = {}): Promise<Snapshot> {
  const paths = await walkWorkspace(root, { signal: opts.signal });
  const snapshot: Snapshot = new Map();
  for (let i = 0; i < paths.length; i += CONCURRENCY) {
    opts.signal?.throwIfAborted();
    const batch = paths.slice(i, i + CONCURRENCY);
    const entries = await Promise.all(
      batch.map((rel: string) => {
        const entry = opts.previous?.snapshot.get(rel);
        return readEntry(root, rel, entry && opts.previous ? { entry, takenAt: opts.previous.takenAt } : undefined);
      }),
    );
    batch.forEach((rel: string, j: number) => {
      const e = entries[j];
      if (e) snapshot.set(rel, e);
    });
  }
  return snapshot;
}
