/** Errors of the remote client (enqueue, watch, result). */
export class ClientError extends Error {
  override name = 'ClientError';
  /** The user can fix it (flag, stack, credentials, queue): one line and exit 2. */
  readonly usage: boolean;

  constructor(message: string, options?: { cause?: unknown; usage?: boolean }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.usage = options?.usage ?? false;
  }
}

/** Configuration the user can fix: bad stack name, no credentials, missing queue or bucket. */
export class ClientConfigError extends ClientError {
  override name = 'ClientConfigError';

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, { ...options, usage: true });
  }
}

/** A folder (or the files at the root) and its size in bytes, for the size refusal. */
export interface FolderSize {
  path: string;
  bytes: number;
}

/** The packed working tree is larger than the upload limit. */
export class UploadTooLargeError extends ClientConfigError {
  override name = 'UploadTooLargeError';
  readonly limitBytes: number;
  readonly largest: FolderSize[];

  constructor(message: string, limitBytes: number, largest: FolderSize[]) {
    super(message);
    this.limitBytes = limitBytes;
    this.largest = largest;
  }
}

/** The progress stream failed for good (after retries) or answered something unusable. */
export class ProgressStreamError extends ClientError {
  override name = 'ProgressStreamError';
  readonly statusCode?: number;
  readonly retryable: boolean;

  constructor(message: string, options?: { cause?: unknown; statusCode?: number; retryable?: boolean; usage?: boolean }) {
    super(message, { cause: options?.cause, usage: options?.usage });
    this.statusCode = options?.statusCode;
    this.retryable = options?.retryable ?? false;
  }
}

/** The task is not known to the stack (no `task.json`), after waiting for it to start. */
export class TaskNotFoundError extends ClientError {
  override name = 'TaskNotFoundError';
  readonly taskId: string;

  constructor(taskId: string, message: string) {
    super(message, { usage: true });
    this.taskId = taskId;
  }
}
