/** Errors of the task module: a message that cannot become a task. */
export class TaskError extends Error {
  override name = 'TaskError';
}

/** The message body breaks the task schema (contract section 7); never retried. */
export class InvalidTaskError extends TaskError {
  override name = 'InvalidTaskError';
  readonly code: 'invalid_task' | 'invalid_json';
  /** Dotted path of the offending field, `''` for the body as a whole. */
  readonly field: string;

  constructor(code: 'invalid_task' | 'invalid_json', field: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.field = field;
  }
}
