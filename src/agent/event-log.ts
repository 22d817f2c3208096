import type { ArtifactStore } from '../store/types.ts';
import type { AgentEvent, EventBody } from './events.ts';

/**
 * Numbers events (`seq` from `firstSeq`, no gaps), stamps them with the injected clock and
 * buffers them until `flush()`, which appends them to the store as one segment. The loop
 * flushes at turn boundaries, so the bytes written per turn do not grow with the run.
 */
export class EventLog {
  private nextSeq: number;
  private pending: AgentEvent[] = [];

  constructor(
    private readonly taskId: string,
    private readonly store: ArtifactStore,
    private readonly clock: () => number,
    firstSeq = 1,
  ) {
    this.nextSeq = firstSeq;
  }

  /** The seq the next event will get. */
  get seq(): number {
    return this.nextSeq;
  }

  /** Creates the next event and queues it for the store. */
  emit(body: EventBody): AgentEvent {
    const event = { seq: this.nextSeq++, time: new Date(this.clock()).toISOString(), taskId: this.taskId, ...body } as AgentEvent;
    this.pending.push(event);
    return event;
  }

  /** Writes the queued events as one segment (nothing when none are queued). */
  async flush(): Promise<void> {
    if (this.pending.length === 0) return;
    const batch = this.pending;
    this.pending = [];
    try {
      await this.store.appendEvents(this.taskId, batch);
    } catch (err) {
      // Keep them, so a retried flush writes them in order and no seq is lost.
      this.pending = [...batch, ...this.pending];
      throw err;
    }
  }
}
