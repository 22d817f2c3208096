import type { AgentEvent } from '../../src/task/events.ts';
import { toNdjson } from '../../src/store/index.ts';
import type { ArtifactName, ArtifactStore, ConditionalStore, Versioned } from '../../src/store/types.ts';

/** One call the store received: what kind (`put checkpoint/<n>.json`, `appendEvents`, ...), bytes sent, the turn it belongs to. */
export interface StoreCall {
  kind: string;
  /** Bytes sent to the store (bodies and event segments); 0 for reads. */
  bytes: number;
  turn: number;
}

/** What a span of turns cost the store: calls by kind, and bytes sent. */
export interface StoreUsage {
  calls: Record<string, number>;
  bytes: number;
}

type Inner = ArtifactStore & Partial<ConditionalStore> & { clearEvents?(taskId: string): Promise<void> };

// Turn numbers and seqs in names (`checkpoint/00000012.json`) would make every turn's kind differ.
const kindOf = (op: string, name?: string) => (name === undefined ? op : `${op} ${name.replace(/\d{8,}/g, '<n>')}`);

/**
 * An ArtifactStore (and ConditionalStore, when the inner store is one) that forwards every call
 * and records it, attributed to a turn: a call belongs to the turn of the last `turn_started`
 * event appended before it or with it (turn 0 before the first). Every store call is one S3
 * request in the S3 adapter (a segment is one PutObject), so these counts are the requests a
 * task makes.
 */
export class CountingStore implements ArtifactStore, ConditionalStore {
  readonly calls: StoreCall[] = [];
  private turn = 0;

  constructor(private readonly inner: Inner) {}

  /** Calls and bytes of turns `from..to` (inclusive), summed. */
  usage(from: number, to: number): StoreUsage {
    const out: StoreUsage = { calls: {}, bytes: 0 };
    for (const c of this.calls) {
      if (c.turn < from || c.turn > to) continue;
      out.calls[c.kind] = (out.calls[c.kind] ?? 0) + 1;
      out.bytes += c.bytes;
    }
    return out;
  }

  private record(op: string, name: string | undefined, bytes: number): void {
    this.calls.push({ kind: kindOf(op, name), bytes, turn: this.turn });
  }

  async put(taskId: string, name: ArtifactName, body: string): Promise<void> {
    this.record('put', name, Buffer.byteLength(body));
    return this.inner.put(taskId, name, body);
  }

  async get(taskId: string, name: ArtifactName): Promise<string | undefined> {
    this.record('get', name, 0);
    return this.inner.get(taskId, name);
  }

  async appendEvents(taskId: string, events: AgentEvent[]): Promise<void> {
    for (const e of events) if (e.type === 'turn_started') this.turn = e.turn;
    this.record('appendEvents', undefined, Buffer.byteLength(toNdjson(events)));
    return this.inner.appendEvents(taskId, events);
  }

  async readEvents(taskId: string, afterSeq?: number): Promise<AgentEvent[]> {
    this.record('readEvents', undefined, 0);
    return this.inner.readEvents(taskId, afterSeq);
  }

  async getVersioned(taskId: string, name: ArtifactName): Promise<Versioned | undefined> {
    this.record('getVersioned', name, 0);
    return this.conditional().getVersioned(taskId, name);
  }

  async putIfAbsent(taskId: string, name: ArtifactName, body: string): Promise<string | undefined> {
    this.record('putIfAbsent', name, Buffer.byteLength(body));
    return this.conditional().putIfAbsent(taskId, name, body);
  }

  async putIfMatch(taskId: string, name: ArtifactName, body: string, etag: string): Promise<string | undefined> {
    this.record('putIfMatch', name, Buffer.byteLength(body));
    return this.conditional().putIfMatch(taskId, name, body, etag);
  }

  async clearEvents(taskId: string): Promise<void> {
    this.record('clearEvents', undefined, 0);
    await this.inner.clearEvents?.(taskId);
  }

  private conditional(): ConditionalStore {
    const { getVersioned, putIfAbsent, putIfMatch } = this.inner;
    if (!getVersioned || !putIfAbsent || !putIfMatch) throw new Error('CountingStore: the inner store has no conditional writes');
    return this.inner as ConditionalStore;
  }
}
