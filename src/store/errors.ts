/** Errors of the artifact stores. Store faults are host faults: the worker retries the message. */
export class StoreError extends Error {
  override name = 'StoreError';
  readonly retryable: boolean;

  constructor(message: string, options?: { cause?: unknown; retryable?: boolean }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.retryable = options?.retryable ?? true;
  }
}

/** A task id or artifact name that cannot name a folder or key safely. */
export class InvalidKeyError extends StoreError {
  override name = 'InvalidKeyError';

  constructor(message: string) {
    super(message, { retryable: false });
  }
}

/** Events given to appendEvents that are not consecutive (a caller bug). */
export class EventOrderError extends StoreError {
  override name = 'EventOrderError';

  constructor(message: string) {
    super(message, { retryable: false });
  }
}
