export { RetryError, RetryAbortedError, StreamTimeoutError } from './errors.ts';
export { Backoff, backoffDelay, DEFAULT_MAX_RETRY_AFTER_MS, DEFAULT_RETRY_POLICY, parseRetryAfter, retryDelay, sleepFor } from './policy.ts';
export type { RetryPolicy } from './policy.ts';
export { retry, retryStream } from './run.ts';
export type { RetryHooks, RetryInfo, RetryVerdict } from './run.ts';
export { transportFault } from './transport.ts';
export type { TransportFault } from './transport.ts';
export { idleTimeout, withinTimeout } from './timeouts.ts';
export type { StreamTimeouts } from './timeouts.ts';
