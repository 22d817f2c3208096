/** Errors of the retry module: what the shared policy, timeouts and runners throw themselves. */
export class RetryError extends Error {
  override name = 'RetryError';
}

/**
 * A call that stayed silent too long: no response headers within the first-byte timeout
 * (`phase: 'first_byte'`), or a stream with no data for the idle timeout (`phase: 'idle'`). The
 * call was aborted; another attempt may succeed.
 */
export class StreamTimeoutError extends RetryError {
  override name = 'StreamTimeoutError';
  readonly phase: 'first_byte' | 'idle';
  readonly timeoutMs: number;
  /** `FirstByteTimeout` or `StreamIdleTimeout`, as providers report it. */
  readonly code: string;

  constructor(phase: 'first_byte' | 'idle', timeoutMs: number, what: string) {
    super(phase === 'first_byte' ? `${what}: no response within ${timeoutMs} ms` : `${what}: no data for ${timeoutMs} ms`);
    this.phase = phase;
    this.timeoutMs = timeoutMs;
    this.code = phase === 'first_byte' ? 'FirstByteTimeout' : 'StreamIdleTimeout';
  }
}

/** A wait between attempts was cut short by the caller's signal; `cause` is the signal's reason. */
export class RetryAbortedError extends RetryError {
  override name = 'RetryAbortedError';
}
