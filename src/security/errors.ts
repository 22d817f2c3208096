/** Errors of the security module. */
export class SecurityError extends Error {
  override name = 'SecurityError';
}

/** A configured redaction pattern that is not a valid or not a linear-time-safe regular expression. */
export class UnsafePatternError extends SecurityError {
  override name = 'UnsafePatternError';
  /** The pattern as configured. */
  readonly pattern: string;
  /** Index in the configured list. */
  readonly index: number;

  constructor(pattern: string, index: number, reason: string, options?: { cause?: unknown }) {
    super(`redact pattern ${index} (${JSON.stringify(pattern)}) ${reason}`, options);
    this.pattern = pattern;
    this.index = index;
  }
}
