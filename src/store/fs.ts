import fs from 'node:fs/promises';
import path from 'node:path';
import type { AgentEvent } from '../agent/events.ts';
import type { ArtifactName, ArtifactStore } from './types.ts';
import { StoreError } from './errors.ts';
import { assertConsecutive, assertTaskId, parseNdjson, toNdjson } from './keys.ts';

const EVENTS_FILE = 'events.ndjson';

/**
 * The local adapter (`agent-runner run`): artifacts in `OUT/<taskId>/`, events appended to
 * `OUT/<taskId>/events.ndjson`, one event a line. Whole artifacts are written to a temporary file
 * and renamed, so a reader never sees half an artifact.
 */
export class FsArtifactStore implements ArtifactStore {
  readonly outDir: string;

  constructor(outDir: string) {
    this.outDir = path.resolve(outDir);
  }

  /** The folder of a task's artifacts. */
  taskDir(taskId: string): string {
    assertTaskId(taskId);
    return path.join(this.outDir, taskId);
  }

  async put(taskId: string, name: ArtifactName, body: string): Promise<void> {
    const dir = this.taskDir(taskId);
    const file = path.join(dir, name);
    const tmp = `${file}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
    try {
      await fs.mkdir(dir, { recursive: true });
      await fs.writeFile(tmp, body, 'utf8');
      await fs.rename(tmp, file);
    } catch (err) {
      await fs.rm(tmp, { force: true }).catch(() => undefined);
      throw new StoreError(`cannot write ${file}: ${(err as Error).message}`, { cause: err });
    }
  }

  async get(taskId: string, name: ArtifactName): Promise<string | undefined> {
    const file = path.join(this.taskDir(taskId), name);
    try {
      return await fs.readFile(file, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw new StoreError(`cannot read ${file}: ${(err as Error).message}`, { cause: err });
    }
  }

  async appendEvents(taskId: string, events: AgentEvent[]): Promise<void> {
    assertConsecutive(taskId, events);
    const dir = this.taskDir(taskId);
    try {
      await fs.mkdir(dir, { recursive: true });
      await fs.appendFile(path.join(dir, EVENTS_FILE), toNdjson(events), 'utf8');
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
