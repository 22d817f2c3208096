import type { AgentEvent } from '../task/events.ts';

/**
 * Whole artifacts of a task (contract section 5); events go through appendEvents.
 * `checkpoint/…` names hold the parts of a checkpoint (see src/agent/checkpoint.ts).
 */
export type ArtifactName =
  | 'task.json'
  | 'transcript.json'
  | 'diff.patch'
  | 'result.json'
  | 'checkpoint.json'
  | 'lease.json'
  /** A request to stop the task (`agent-runner cancel`, `/agent stop`), read by the worker. */
  | 'cancel.json'
  /** The month a finished task's cost is counted in (src/budget), written before the ledger. */
  | 'spend.json'
  | `checkpoint/${string}`;

/** An artifact's text with the version tag a conditional write compares against (S3's ETag). */
export interface Versioned {
  body: string;
  etag: string;
}

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

/**
 * Compare-and-swap on single artifacts (S3 conditional writes: `If-None-Match: *` and `If-Match`).
 * Both writes return the new version tag, or undefined when the condition did not hold (S3's 412,
 * or a concurrent create's 409); any other failure throws.
 */
export interface ConditionalStore {
  getVersioned(taskId: string, name: ArtifactName): Promise<Versioned | undefined>;
  /** Creates the artifact only when it does not exist. */
  putIfAbsent(taskId: string, name: ArtifactName, body: string): Promise<string | undefined>;
  /** Replaces the artifact only when its current version tag is `etag`. */
  putIfMatch(taskId: string, name: ArtifactName, body: string, etag: string): Promise<string | undefined>;
}
