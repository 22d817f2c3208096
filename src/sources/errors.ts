/** Why a task's source could not become a workspace. */
export type SourceErrorCode =
  | 'unsafe_archive'
  | 'archive_too_large'
  | 'invalid_archive'
  | 'source_not_found'
  | 'source_unavailable'
  | 'unsupported_source';

/**
 * A source that could not be materialised. `retryable` faults (network, 5xx, throttling) are host
 * faults the queue should retry; the others end the task `failed`.
 */
export class SourceError extends Error {
  override name = 'SourceError';
  readonly code: SourceErrorCode;
  readonly retryable: boolean;
  readonly statusCode?: number;

  constructor(code: SourceErrorCode, message: string, options: { cause?: unknown; retryable?: boolean; statusCode?: number } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.retryable = options.retryable ?? false;
    if (options.statusCode !== undefined) this.statusCode = options.statusCode;
  }
}
