import { createHash, randomUUID } from 'node:crypto';
import fs from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';

/**
 * A file's version tag: the SHA-256 of its bytes, hex, in double quotes (the shape of S3's ETag).
 * Like S3's ETag of a single-part upload it depends on the content only, so writing the same text
 * again gives the same tag; callers that need every write to differ put something unique in it.
 */
export function contentEtag(bytes: string | Buffer): string {
  return `"${createHash('sha256').update(bytes).digest('hex')}"`;
}

/** A unique temporary sibling of `file`, on the same file system so that rename and link are atomic. */
export function tempName(file: string): string {
  return `${file}.${process.pid}.${randomUUID()}.tmp`;
}

/**
 * Creates `file` holding `body` only when no file of that name exists. The body goes to a temporary
 * file that is then hard-linked into place: link fails with EEXIST when the name is taken, so of
 * concurrent creators (processes included) exactly one wins, and a reader never sees half a file.
 * Returns false when the file existed.
 */
export async function createExclusive(file: string, body: string): Promise<boolean> {
  const tmp = tempName(file);
  try {
    await fs.writeFile(tmp, body, 'utf8');
    await fs.link(tmp, file);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw err;
  } finally {
    await fs.rm(tmp, { force: true });
  }
}

export interface LockOptions {
  /** How many times a held lock is looked at again before giving up (default 100). */
  attempts?: number;
  /** Milliseconds between looks (default 2). */
  waitMs?: number;
}

/**
 * Runs `fn` holding `<file>.lock`, created exclusively, so that read-compare-write sequences on
 * `file` by several processes never interleave. Resolves `{ held: false }` when another writer
 * keeps the lock for all the attempts: the caller treats that as a lost race, as S3's 409
 * ConditionalRequestConflict. The lock records its holder's pid; a lock whose process no longer
 * exists (it died mid-write) is moved aside and taken.
 */
export async function withFileLock<T>(file: string, fn: () => Promise<T>, opts: LockOptions = {}): Promise<{ held: true; value: T } | { held: false }> {
  const lock = `${file}.lock`;
  const token = `${process.pid}:${randomUUID()}`;
  const attempts = opts.attempts ?? 100;
  for (let i = 0; i < attempts; i++) {
    if (await createExclusive(lock, token)) {
      try {
        return { held: true, value: await fn() };
      } finally {
        await fs.rm(lock, { force: true });
      }
    }
    if (!(await breakIfOrphaned(lock))) await sleep(opts.waitMs ?? 2);
  }
  return { held: false };
}

/**
 * Moves `lock` aside when the process that holds it is gone; true when it did. The lock is renamed
 * (atomic: of two breakers one gets it) and checked to be the orphan that was read; a lock
 * re-created in between is put back.
 */
async function breakIfOrphaned(lock: string): Promise<boolean> {
  let holder: string;
  try {
    holder = await fs.readFile(lock, 'utf8');
  } catch {
    return true; // gone already: try to take it at once
  }
  if (processExists(Number(holder.split(':')[0]))) return false;
  const aside = tempName(lock);
  try {
    await fs.rename(lock, aside);
  } catch {
    return true;
  }
  const moved = await fs.readFile(aside, 'utf8').catch(() => '');
  if (moved !== holder) await fs.link(aside, lock).catch(() => undefined);
  await fs.rm(aside, { force: true });
  return true;
}

function processExists(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: it exists but belongs to someone else.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
