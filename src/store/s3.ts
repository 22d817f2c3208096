import {
  DeleteObjectsCommand,
  GetObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import type { AgentEvent } from '../task/events.ts';
import type { ArtifactName, ArtifactStore, ConditionalStore, Versioned } from './types.ts';
import { StoreError } from './errors.ts';
import {
  artifactContentType,
  assertArtifactName,
  assertConsecutive,
  assertTaskId,
  parseNdjson,
  segmentFirstSeq,
  segmentName,
  toNdjson,
} from './keys.ts';
import { isNotFound, s3Failure } from './s3-errors.ts';
import { conditionalPut, type ConditionalPut } from './s3-put.ts';

export interface S3ArtifactStoreOptions {
  client: S3Client;
  bucket: string;
  /** Key prefix of all tasks (default `tasks/`). */
  prefix?: string;
  /** How many segments are fetched at once when reading events (default 8). */
  readConcurrency?: number;
  /** Keys a listing page asks for (default: S3's 1000). */
  listPageSize?: number;
}

interface Segment {
  key: string;
  first: number;
}

// Tasks whose segment boundaries this instance remembers (a progress poller follows one task).
const MAX_TRACKED_TASKS = 64;

/**
 * The S3 adapter (contract section 5): artifacts at `<prefix><taskId>/<name>`, events as NDJSON
 * segment objects `<prefix><taskId>/events/<seq of first event, 8 digits>.ndjson`, each written
 * once. Reading lists segments with `StartAfter`, so a poller that reads on from the last event it
 * saw lists and fetches only the new segments. Conditional writes are S3's own (`If-None-Match: *`,
 * `If-Match`); the version tag is the ETag exactly as S3 gives it, quotes included.
 */
export class S3ArtifactStore implements ArtifactStore, ConditionalStore {
  readonly bucket: string;
  readonly prefix: string;
  private readonly client: S3Client;
  private readonly readConcurrency: number;
  private readonly listPageSize: number | undefined;
  /** Per task, seqs known to be the last event of a segment. */
  private readonly boundaries = new Map<string, Set<number>>();

  constructor(opts: S3ArtifactStoreOptions) {
    this.client = opts.client;
    this.bucket = opts.bucket;
    this.prefix = opts.prefix ?? 'tasks/';
    this.readConcurrency = opts.readConcurrency ?? 8;
    this.listPageSize = opts.listPageSize;
  }

  /** The key of a task's artifact (`<prefix><taskId>/<name>`); throws InvalidKeyError for unsafe names. */
  key(taskId: string, name: ArtifactName): string {
    assertArtifactName(name);
    return this.taskKey(taskId, name);
  }

  private taskKey(taskId: string, rest: string): string {
    assertTaskId(taskId);
    return `${this.prefix}${taskId}/${rest}`;
  }

  private eventsPrefix(taskId: string): string {
    return this.taskKey(taskId, 'events/');
  }

  async put(taskId: string, name: ArtifactName, body: string): Promise<void> {
    await this.write(this.key(taskId, name), body, artifactContentType(name));
  }

  async get(taskId: string, name: ArtifactName): Promise<string | undefined> {
    return (await this.getObject(this.key(taskId, name)))?.body;
  }

  async getVersioned(taskId: string, name: ArtifactName): Promise<Versioned | undefined> {
    const key = this.key(taskId, name);
    const got = await this.getObject(key);
    if (got === undefined) return undefined;
    if (!got.etag) throw new StoreError(`s3://${this.bucket}/${key} came without an ETag`, { retryable: false });
    return { body: got.body, etag: got.etag };
  }

  async putIfAbsent(taskId: string, name: ArtifactName, body: string): Promise<string | undefined> {
    return this.conditionalWrite(this.key(taskId, name), body, artifactContentType(name), { IfNoneMatch: '*' });
  }

  async putIfMatch(taskId: string, name: ArtifactName, body: string, etag: string): Promise<string | undefined> {
    return this.conditionalWrite(this.key(taskId, name), body, artifactContentType(name), { IfMatch: etag });
  }

  private async conditionalWrite(key: string, body: string, contentType: string, condition: ConditionalPut['condition']): Promise<string | undefined> {
    let etag: string | undefined;
    try {
      etag = await conditionalPut(this.client, { bucket: this.bucket, key, body, contentType, condition });
    } catch (err) {
      throw s3Failure(`write s3://${this.bucket}/${key}`, err);
    }
    if (etag === '') throw new StoreError(`s3://${this.bucket}/${key} was written without an ETag`, { retryable: false });
    return etag;
  }

  private async write(key: string, body: string, contentType: string): Promise<void> {
    await this.send(`write s3://${this.bucket}/${key}`, () => this.putObject(key, body, contentType));
  }

  private async putObject(key: string, body: string, contentType: string): Promise<void> {
    await this.client.send(
      // The length given, an empty body is not taken for a stream of unknown length (an SDK warning).
      new PutObjectCommand({ Bucket: this.bucket, Key: key, Body: body, ContentLength: Buffer.byteLength(body), ContentType: contentType }),
    );
  }

  async appendEvents(taskId: string, events: AgentEvent[]): Promise<void> {
    assertConsecutive(taskId, events);
    const key = this.eventsPrefix(taskId) + segmentName(events[0].seq);
    await this.send(`write s3://${this.bucket}/${key}`, () => this.putObject(key, toNdjson(events), 'application/x-ndjson'));
    this.noteBoundary(taskId, events[events.length - 1].seq);
  }

  async readEvents(taskId: string, afterSeq = 0): Promise<AgentEvent[]> {
    const prefix = this.eventsPrefix(taskId);
    let segments = await this.listSegments(prefix, afterSeq > 0 ? prefix + segmentName(afterSeq) : undefined);
    const continuesExactly = segments.length > 0 && segments[0].first === afterSeq + 1;
    if (afterSeq > 0 && !continuesExactly && !this.boundaries.get(taskId)?.has(afterSeq)) {
      // Resuming inside a segment (e.g. a Last-Event-ID mid-segment): the events right after
      // afterSeq may sit in a segment that starts at or before it. One full listing finds it.
      const all = await this.listSegments(prefix, undefined);
      let from = 0;
      for (let i = 0; i < all.length; i++) if (all[i].first <= afterSeq) from = i;
      segments = all.slice(from);
    }
    const bodies = await mapLimit(segments, this.readConcurrency, async (s) => (await this.getObject(s.key))?.body);
    const out: AgentEvent[] = [];
    for (const body of bodies) {
      if (body === undefined) continue;
      const events = parseNdjson(body);
      if (events.length > 0) this.noteBoundary(taskId, events[events.length - 1].seq);
      for (const e of events) if (e.seq > afterSeq) out.push(e);
    }
    return out.sort((a, b) => a.seq - b.seq);
  }

  /**
   * Deletes a task's event segments: used only before re-running a task whose earlier attempt
   * died without a result, so the new run's seq 1.. segments are written fresh.
   */
  async clearEvents(taskId: string): Promise<void> {
    const prefix = this.eventsPrefix(taskId);
    const segments = await this.listSegments(prefix, undefined);
    for (let i = 0; i < segments.length; i += 1000) {
      const batch = segments.slice(i, i + 1000);
      await this.send(`delete events of ${taskId}`, () =>
        this.client.send(
          new DeleteObjectsCommand({ Bucket: this.bucket, Delete: { Objects: batch.map((s) => ({ Key: s.key })), Quiet: true } }),
        ),
      );
    }
    this.boundaries.delete(taskId);
  }

  private async listSegments(prefix: string, startAfter: string | undefined): Promise<Segment[]> {
    const out: Segment[] = [];
    let token: string | undefined;
    do {
      const res = await this.send(`list s3://${this.bucket}/${prefix}`, () =>
        this.client.send(
          new ListObjectsV2Command({
            Bucket: this.bucket,
            Prefix: prefix,
            StartAfter: token ? undefined : startAfter,
            ContinuationToken: token,
            MaxKeys: this.listPageSize,
          }),
        ),
      );
      for (const obj of res.Contents ?? []) {
        const first = obj.Key ? segmentFirstSeq(obj.Key.slice(prefix.length)) : undefined;
        if (obj.Key && first !== undefined) out.push({ key: obj.Key, first });
      }
      token = res.IsTruncated ? res.NextContinuationToken : undefined;
    } while (token);
    return out.sort((a, b) => a.first - b.first);
  }

  private async getObject(key: string): Promise<{ body: string; etag: string | undefined } | undefined> {
    try {
      const res = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: key }));
      return { body: res.Body ? await res.Body.transformToString('utf-8') : '', etag: res.ETag };
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw s3Failure(`read s3://${this.bucket}/${key}`, err);
    }
  }

  private async send<T>(what: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      throw s3Failure(what, err);
    }
  }

  private noteBoundary(taskId: string, seq: number): void {
    let set = this.boundaries.get(taskId);
    if (!set) {
      if (this.boundaries.size >= MAX_TRACKED_TASKS) {
        const oldest = this.boundaries.keys().next().value;
        if (oldest !== undefined) this.boundaries.delete(oldest);
      }
      set = new Set();
      this.boundaries.set(taskId, set);
    }
    set.add(seq);
  }
}

async function mapLimit<T, R>(items: T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}
