/** Workspace snapshots: every file and symlink outside `.git/` and git-ignored paths. */
import { lstat, readFile, readlink } from 'node:fs/promises';
import path from 'node:path';
import { walkWorkspace } from '../tools/walk.ts';
import { DiffError } from './errors.ts';
import type { FileMode, Snapshot, SnapshotEntry } from './types.ts';

const CONCURRENCY = 32;

async function readEntry(root: string, rel: string): Promise<SnapshotEntry | undefined> {
  const abs = path.join(root, ...rel.split('/'));
  try {
    const st = await lstat(abs);
    if (st.isSymbolicLink()) return { mode: '120000', content: Buffer.from(await readlink(abs), 'utf8') };
    if (!st.isFile()) return undefined;
    // Git records only the owner's execute bit.
    const mode: FileMode = st.mode & 0o100 ? '100755' : '100644';
    return { mode, content: await readFile(abs) };
  } catch (err) {
    // A file removed between the walk and the read (a process still running) is simply absent.
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new DiffError(`cannot read ${rel} for the workspace diff: ${(err as Error).message}`, { cause: err });
  }
}

/**
 * Reads the workspace under `root` into memory: regular files with mode 100644/100755, symlinks
 * with mode 120000 and their target as content. Skips `.git/` and git-ignored paths (the walker's
 * rules). Throws when `signal` aborts, and DiffError (naming the path) when a file cannot be read.
 */
export async function takeSnapshot(root: string, opts: { signal?: AbortSignal } = {}): Promise<Snapshot> {
  const paths = await walkWorkspace(root, { signal: opts.signal });
  const snapshot: Snapshot = new Map();
  for (let i = 0; i < paths.length; i += CONCURRENCY) {
    opts.signal?.throwIfAborted();
    const batch = paths.slice(i, i + CONCURRENCY);
    const entries = await Promise.all(batch.map((rel: string) => readEntry(root, rel)));
    batch.forEach((rel: string, j: number) => {
      const e = entries[j];
      if (e) snapshot.set(rel, e);
    });
  }
  return snapshot;
}
