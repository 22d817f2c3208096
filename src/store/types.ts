import type { AgentEvent } from '../agent/events.ts';

/** Whole artifacts of a task (contract section 5); events go through appendEvents. */
export type ArtifactName = 'task.json' | 'transcript.json' | 'diff.patch' | 'result.json' | 'checkpoint.json' | 'lease.json';

/**
 * Where a task's artifacts live: a local folder (`OUT/<taskId>/`) or S3 (`tasks/<taskId>/`).
 * Events are appended as new segments, never by rewriting a growing object.
 */
export interface ArtifactStore {
  put(taskId: string, name: ArtifactName, body: string): Promise<void>;
  /** The artifact's text, or undefined when it does not exist. */
  get(taskId: string, name: ArtifactName): Promise<string | undefined>;
  /** Appends consecutive events (seq ascending, no gaps) as one new segment. */
  appendEvents(taskId: string, events: AgentEvent[]): Promise<void>;
  /** Events with seq greater than `afterSeq`, in seq order. */
  readEvents(taskId: string, afterSeq?: number): Promise<AgentEvent[]>;
}
