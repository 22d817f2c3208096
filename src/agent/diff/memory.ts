/** Snapshots built in memory (tests, files fetched from elsewhere). */
import type { FileMode, FileTree } from './types.ts';

/**
 * Builds a snapshot from plain values: a string or Buffer is a regular file (100644), or give
 * `{content, mode}`. For tests and callers holding files in memory.
 */
export function makeSnapshot(files: Record<string, string | Buffer | { content: string | Buffer; mode?: FileMode }>): FileTree {
  const snapshot: FileTree = new Map();
  for (const [p, v] of Object.entries(files)) {
    if (typeof v === 'string' || Buffer.isBuffer(v)) snapshot.set(p, { mode: '100644', content: Buffer.from(v) });
    else snapshot.set(p, { mode: v.mode ?? '100644', content: Buffer.from(v.content) });
  }
  return snapshot;
}
