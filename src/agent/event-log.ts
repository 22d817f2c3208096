import type { ArtifactStore } from '../store/types.ts';
import type { Redactor } from '../security/index.ts';
import type { AgentEvent, EventBody } from '../task/events.ts';

/**
 * Numbers events (`seq` from `firstSeq`, no gaps), stamps them with the injected clock and
 * buffers them until `flush()`, which appends them to the store as one segment. The loop
 * flushes at turn boundaries, so the bytes written per turn do not grow with the run. With a
 * `redactor`, every string of an event's body is redacted before the event is returned or
 * stored, so watchers and the stored log never see a secret a tool printed.
 */
export class EventLog {
  private nextSeq: number;
  private pending: AgentEvent[] = [];

  constructor(
    private readonly taskId: string,
    private readonly store: ArtifactStore,
    private readonly clock: () => number,
    firstSeq = 1,
    private readonly redactor?: Redactor,
  ) {
    this.nextSeq = firstSeq;
  }

  /** The seq the next event will get. */
  get seq(): number {
    return this.nextSeq;
  }

  /** Creates the next event and queues it for the store. */
  emit(body: EventBody): AgentEvent {
    const content = this.redactor ? this.redactor.json(body) : body;
    const event = { seq: this.nextSeq++, time: new Date(this.clock()).toISOString(), taskId: this.taskId, ...content } as AgentEvent;
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
