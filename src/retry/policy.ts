import { setTimeout as timersSleep } from 'node:timers/promises';
import { RetryAbortedError } from './errors.ts';

/**
 * How a failed call is tried again, shared by every caller in the project (model providers, the
 * GitHub client, the progress follower): full-jitter exponential backoff, a server's
 * `retry-after` honoured up to a cap, at most `maxRetries` retries after the first attempt.
 */
export interface RetryPolicy {
  /** Retries after the first attempt. */
  maxRetries: number;
  /** The cap of the first wait; it doubles with each retry. */
  baseDelayMs: number;
  /** No wait is longer than this (retry-after aside). */
  maxDelayMs: number;
  /** A server's retry-after is honoured, but never beyond this (default 60 s). */
  maxRetryAfterMs?: number;
  /** In [0, 1); Math.random by default. */
  random?: () => number;
  /** Waits `ms`, rejecting once `signal` aborts (default `sleepFor`). */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
}

/** The model providers' policy (throttling, 5xx, transport faults). */
export const DEFAULT_RETRY_POLICY: Readonly<RetryPolicy> = { maxRetries: 6, baseDelayMs: 1000, maxDelayMs: 30_000 };
export const DEFAULT_MAX_RETRY_AFTER_MS = 60_000;

/** Full-jitter exponential backoff: random in [0, min(max, base * 2^(attempt-1))). */
export function backoffDelay(attempt: number, opts: { baseDelayMs: number; maxDelayMs: number; random?: () => number }): number {
  const cap = Math.min(opts.maxDelayMs, opts.baseDelayMs * 2 ** Math.max(0, attempt - 1));
  return Math.floor((opts.random ?? Math.random)() * cap);
}

/** The wait before retry number `attempt`: the server's retry-after (capped) when it gave one, else backoff. */
export function retryDelay(policy: RetryPolicy, attempt: number, retryAfterMs?: number): number {
  if (retryAfterMs !== undefined) return Math.min(Math.max(0, retryAfterMs), policy.maxRetryAfterMs ?? DEFAULT_MAX_RETRY_AFTER_MS);
  return backoffDelay(attempt, policy);
}

/**
 * A `retry-after` header in ms: delay-seconds, or an HTTP date when a clock is given.
 * Undefined when absent or unreadable.
 */
export function parseRetryAfter(value: string | undefined, now?: () => number): number | undefined {
  if (value === undefined) return undefined;
  const v = value.trim();
  if (/^\d+(\.\d+)?$/.test(v)) return Math.round(Number(v) * 1000);
  if (!now) return undefined;
  const at = Date.parse(v);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now());
}

/** Sleeps `ms`; rejects with a RetryAbortedError (the signal's reason as cause) as soon as `signal` aborts. */
export async function sleepFor(ms: number, signal?: AbortSignal): Promise<void> {
  if (signal?.aborted) throw new RetryAbortedError('the wait was aborted', { cause: signal.reason });
  try {
    await timersSleep(ms, undefined, signal ? { signal } : undefined);
  } catch (e) {
    if (signal?.aborted) throw new RetryAbortedError('the wait was aborted', { cause: signal.reason });
    throw e;
  }
}

/**
 * The policy's state across consecutive failures of one caller that has no single operation to
 * repeat (a reconnecting stream): `next` gives the wait before the next try, or undefined once
 * `maxRetries` waits have been given; `reset` starts over after a success.
 */
export class Backoff {
  private failures = 0;
  constructor(private readonly policy: RetryPolicy) {}

  /** Failures since the last reset. */
  get count(): number {
    return this.failures;
  }

  /** Counts a failure; the wait before trying again, or undefined when the retries are spent. */
  next(retryAfterMs?: number): number | undefined {
    this.failures++;
    if (this.failures > this.policy.maxRetries) return undefined;
    return retryDelay(this.policy, this.failures, retryAfterMs);
  }

  reset(): void {
    this.failures = 0;
  }
}
