import fs from 'node:fs/promises';
import path from 'node:path';
import type { AgentEvent } from '../task/events.ts';
import type { ArtifactName, ArtifactStore, ConditionalStore, Versioned } from './types.ts';
import { StoreError } from './errors.ts';
import { contentEtag, createExclusive, tempName, withFileLock } from './fs-cas.ts';
import { assertArtifactName, assertConsecutive, assertTaskId, parseNdjson, toNdjson } from './keys.ts';

const EVENTS_FILE = 'events.ndjson';

/**
 * The local adapter (`agent-runner run`): artifacts in `OUT/<taskId>/`, events appended to
 * `OUT/<taskId>/events.ndjson`, one event a line. Whole artifacts are written to a temporary file
 * and renamed, so a reader never sees half an artifact; `checkpoint/<part>` names live in a
 * `checkpoint/` subfolder. Conditional writes hold across processes: creation links a complete
 * temporary file into place, and a compare-and-swap runs under an exclusive lock file (see
 * fs-cas.ts). The version tag is the quoted SHA-256 hex of the content.
 */
export class FsArtifactStore implements ArtifactStore, ConditionalStore {
  readonly outDir: string;

  constructor(outDir: string) {
    this.outDir = path.resolve(outDir);
  }

  /** The folder of a task's artifacts. */
  taskDir(taskId: string): string {
    assertTaskId(taskId);
    return path.join(this.outDir, taskId);
  }

  /** The file of a task's artifact; throws InvalidKeyError for unsafe task ids or names. */
  artifactPath(taskId: string, name: ArtifactName): string {
    assertArtifactName(name);
    return path.join(this.taskDir(taskId), name);
  }

  async put(taskId: string, name: ArtifactName, body: string): Promise<void> {
    const file = this.artifactPath(taskId, name);
    await this.guard(`write ${file}`, () => inFolder(file, () => writeAtomic(file, body)));
  }

  async get(taskId: string, name: ArtifactName): Promise<string | undefined> {
    return (await this.read(this.artifactPath(taskId, name)))?.toString('utf8');
  }

  async getVersioned(taskId: string, name: ArtifactName): Promise<Versioned | undefined> {
    const bytes = await this.read(this.artifactPath(taskId, name));
    return bytes === undefined ? undefined : { body: bytes.toString('utf8'), etag: contentEtag(bytes) };
  }

  async putIfAbsent(taskId: string, name: ArtifactName, body: string): Promise<string | undefined> {
    const file = this.artifactPath(taskId, name);
    return this.guard(`create ${file}`, async () => ((await inFolder(file, () => createExclusive(file, body))) ? contentEtag(body) : undefined));
  }

  async putIfMatch(taskId: string, name: ArtifactName, body: string, etag: string): Promise<string | undefined> {
    const file = this.artifactPath(taskId, name);
    return this.guard(`replace ${file}`, async () => {
      // Checked first without the lock too, so that writers holding a stale ETag (or none that
      // exists) lose at once instead of queueing for the lock.
      const seen = await this.read(file);
      if (seen === undefined || contentEtag(seen) !== etag) return undefined;
      const locked = await withFileLock(file, async () => {
        const current = await this.read(file);
        if (current === undefined || contentEtag(current) !== etag) return undefined;
        await writeAtomic(file, body);
        return contentEtag(body);
      });
      return locked.held ? locked.value : undefined;
    });
  }

  private async read(file: string): Promise<Buffer | undefined> {
    try {
      return await fs.readFile(file);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw new StoreError(`cannot read ${file}: ${(err as Error).message}`, { cause: err });
    }
  }

  private async guard<T>(what: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      if (err instanceof StoreError) throw err;
      throw new StoreError(`cannot ${what}: ${(err as Error).message}`, { cause: err });
    }
  }

  async appendEvents(taskId: string, events: AgentEvent[]): Promise<void> {
    assertConsecutive(taskId, events);
    const file = path.join(this.taskDir(taskId), EVENTS_FILE);
    try {
      await inFolder(file, () => fs.appendFile(file, toNdjson(events), 'utf8'));
    } catch (err) {
      throw new StoreError(`cannot append events of ${taskId}: ${(err as Error).message}`, { cause: err });
    }
  }

  async readEvents(taskId: string, afterSeq = 0): Promise<AgentEvent[]> {
    const file = path.join(this.taskDir(taskId), EVENTS_FILE);
    let text: string;
    try {
      text = await fs.readFile(file, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw new StoreError(`cannot read ${file}: ${(err as Error).message}`, { cause: err });
    }
    // A writer may be mid-line; only complete lines count.
    const complete = text.slice(0, text.lastIndexOf('\n') + 1);
    return parseNdjson(complete).filter((e) => e.seq > afterSeq);
  }

  /** Removes the task's events (before re-running a task whose earlier attempt left no result). */
  async clearEvents(taskId: string): Promise<void> {
    await fs.rm(path.join(this.taskDir(taskId), EVENTS_FILE), { force: true });
  }
}

/**
 * Runs a write of `file`, making its folder first only when the write finds it missing: the folder
 * exists for every write but the first, and a write per turn then costs one file operation, not two.
 */
async function inFolder<T>(file: string, write: () => Promise<T>): Promise<T> {
  try {
    return await write();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    await fs.mkdir(path.dirname(file), { recursive: true });
    return write();
  }
}

/** Writes `file` through a temporary sibling and a rename, so readers see the old or the new text. */
async function writeAtomic(file: string, body: string): Promise<void> {
  const tmp = tempName(file);
  try {
    await fs.writeFile(tmp, body, 'utf8');
    await fs.rename(tmp, file);
  } catch (err) {
    await fs.rm(tmp, { force: true }).catch(() => undefined);
    throw err;
  }
}
