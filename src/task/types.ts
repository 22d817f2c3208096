/** The task message (contract section 7), as accepted with defaults filled in. */

export type TaskSource =
  | { s3: { bucket: string; key: string } }
  | { git: { url: string; ref?: string } }
  | { github: { owner: string; repo: string; ref?: string } }
  /** Local runs only (`agent-runner run`): never accepted from a queue. */
  | { local: { path: string } };

export interface TaskLimits {
  maxTurns?: number;
  maxCostUsd?: number;
  timeoutSeconds?: number;
  maxTokens?: number;
}

export interface Task {
  taskId: string;
  prompt: string;
  source?: TaskSource;
  model?: string;
  profile?: string;
  limits: TaskLimits;
  reply?: unknown;
}

/**
 * What the worker adds to a task it queues again to go on in another invocation: the hop count
 * of its SQS -> Lambda -> SQS chain. Only a lower bound to the worker (its checkpoint counts too),
 * so a message that claims fewer hops cannot lengthen the chain.
 */
export interface ContinuationInfo {
  /** Continuations of the task so far, this one included (1 for the first). */
  hop: number;
}
