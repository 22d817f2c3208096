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
