/** Errors of the worker module. */
export class WorkerError extends Error {
  override name = 'WorkerError';
}

/**
 * A task the queue delivered in good form but the runner cannot accept (unknown model, unknown
 * profile): recorded as `rejected`, never retried. `field` names the offending task field.
 */
export class TaskSettingsError extends WorkerError {
  override name = 'TaskSettingsError';
  readonly field: string;

  constructor(field: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.field = field;
  }
}

/** A fault of the host (S3, the network, the disk): the message is reported failed and retried. */
export class HostFaultError extends WorkerError {
  override name = 'HostFaultError';
  readonly retryable = true;
}

/**
 * The task's lease is no longer this invocation's: another one took it over (it had expired) or it
 * was released. The holder must stop working on the task; nothing of its own is retried.
 */
export class LeaseLostError extends WorkerError {
  override name = 'LeaseLostError';
  readonly taskId: string;
  readonly owner: string;
  /** Who holds the lease now, when it could be read. */
  readonly holder: { owner: string; expiresAt: number } | undefined;

  constructor(taskId: string, owner: string, holder: { owner: string; expiresAt: number } | undefined) {
    super(
      holder
        ? `the lease of task ${taskId} passed from ${owner} to ${holder.owner}`
        : `the lease of task ${taskId} held by ${owner} is gone`,
    );
    this.taskId = taskId;
    this.owner = owner;
    this.holder = holder;
  }
}
