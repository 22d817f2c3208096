import type { AgentEvent } from '../../src/task/events.ts';
import { assertArtifactName, assertTaskId } from '../../src/store/keys.ts';
import type { ArtifactName, ArtifactStore, ConditionalStore, Versioned } from '../../src/store/types.ts';

/** The map key of an artifact, refusing what the real stores refuse (InvalidKeyError). */
function key(taskId: string, name: ArtifactName): string {
  assertTaskId(taskId);
  assertArtifactName(name);
  return `${taskId}/${name}`;
}

/**
 * An in-memory ArtifactStore that records every write (for loop tests), with real compare-and-swap:
 * every successful write, conditional or not, gives the artifact a new ETag (`"v<n>"`), so a stale
 * ETag never matches again even when the content is the same. A test that changes `artifacts`
 * directly gives the artifact a new ETag too (when the text differs).
 */
export class MemoryStore implements ArtifactStore, ConditionalStore {
  readonly artifacts = new Map<string, string>();
  readonly segments: { taskId: string; events: AgentEvent[] }[] = [];
  readonly writes: string[] = [];
  private readonly versions = new Map<string, { etag: string; body: string }>();
  private version = 0;

  async put(taskId: string, name: ArtifactName, body: string): Promise<void> {
    this.store(taskId, name, body);
  }

  async get(taskId: string, name: ArtifactName): Promise<string | undefined> {
    return this.artifacts.get(key(taskId, name));
  }

  async getVersioned(taskId: string, name: ArtifactName): Promise<Versioned | undefined> {
    const k = key(taskId, name);
    const body = this.artifacts.get(k);
    return body === undefined ? undefined : { body, etag: this.etagOf(k)! };
  }

  async putIfAbsent(taskId: string, name: ArtifactName, body: string): Promise<string | undefined> {
    return this.artifacts.has(key(taskId, name)) ? undefined : this.store(taskId, name, body);
  }

  async putIfMatch(taskId: string, name: ArtifactName, body: string, etag: string): Promise<string | undefined> {
    return this.etagOf(key(taskId, name)) === etag ? this.store(taskId, name, body) : undefined;
  }

  async appendEvents(taskId: string, events: AgentEvent[]): Promise<void> {
    this.writes.push(`${taskId}/events/${events[0]?.seq}`);
    this.segments.push({ taskId, events: [...events] });
  }

  async readEvents(taskId: string, afterSeq = 0): Promise<AgentEvent[]> {
    return this.segments.filter((s) => s.taskId === taskId).flatMap((s) => s.events).filter((e) => e.seq > afterSeq);
  }

  events(taskId: string): AgentEvent[] {
    return this.segments.filter((s) => s.taskId === taskId).flatMap((s) => s.events);
  }

  json(taskId: string, name: ArtifactName): any {
    const t = this.artifacts.get(key(taskId, name));
    return t === undefined ? undefined : JSON.parse(t);
  }

  // Synchronous from check to write, so that concurrent callers see compare-and-swap as atomic.
  private store(taskId: string, name: ArtifactName, body: string): string {
    const k = key(taskId, name);
    this.writes.push(k);
    this.artifacts.set(k, body);
    const etag = `"v${++this.version}"`;
    this.versions.set(k, { etag, body });
    return etag;
  }

  private etagOf(k: string): string | undefined {
    const body = this.artifacts.get(k);
    if (body === undefined) return undefined;
    const known = this.versions.get(k);
    if (known?.body === body) return known.etag;
    const etag = `"v${++this.version}"`;
    this.versions.set(k, { etag, body });
    return etag;
  }
}
