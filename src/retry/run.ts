import { retryDelay, sleepFor, type RetryPolicy } from './policy.ts';

/** One retry about to happen: the attempt that failed (1-based), the wait, and why. */
export interface RetryInfo {
  attempt: number;
  waitMs: number;
  error: unknown;
}

/** Whether a failure is worth another attempt, and the wait the server asked for. */
export interface RetryVerdict {
  retryable: boolean;
  retryAfterMs?: number;
}

export interface RetryHooks {
  /** Judges a failure; a failure judged not retryable is thrown at once. */
  classify(err: unknown): RetryVerdict;
  signal?: AbortSignal;
  /** What to throw once `signal` has aborted (default: the signal's reason). */
  aborted?(signal: AbortSignal): unknown;
  /** The error to throw for a final failure after `attempts` calls (default: the failure as is). */
  final?(err: unknown, attempts: number): unknown;
}

/**
 * Calls `op` until it resolves, retrying failures `hooks.classify` calls retryable, at most
 * `policy.maxRetries` times, waiting `retryDelay` between attempts (`onRetry` is told first).
 * Aborting `hooks.signal` stops at once with `hooks.aborted(signal)`.
 */
export async function retry<T>(op: (attempt: number) => Promise<T>, policy: RetryPolicy, hooks: RetryHooks & { onRetry?(info: RetryInfo): void }): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    checkAborted(hooks);
    try {
      return await op(attempt);
    } catch (err) {
      const waitMs = nextWait(err, attempt, policy, hooks);
      hooks.onRetry?.({ attempt, waitMs, error: err });
      await pause(waitMs, policy, hooks);
    }
  }
}

/**
 * The streaming form of `retry`: yields what each attempt of `op` yields; when an attempt fails
 * with a retryable fault, yields `announce(info)` (consumers drop what the failed attempt gave),
 * waits and starts again. The last failure is thrown when the retries are spent.
 */
export async function* retryStream<T>(op: (attempt: number) => AsyncIterable<T>, policy: RetryPolicy, hooks: RetryHooks & { announce(info: RetryInfo): T }): AsyncGenerator<T> {
  for (let attempt = 1; ; attempt++) {
    checkAborted(hooks);
    try {
      yield* op(attempt);
      return;
    } catch (err) {
      const waitMs = nextWait(err, attempt, policy, hooks);
      yield hooks.announce({ attempt, waitMs, error: err });
      await pause(waitMs, policy, hooks);
    }
  }
}

function checkAborted(hooks: RetryHooks): void {
  if (hooks.signal?.aborted) throw hooks.aborted ? hooks.aborted(hooks.signal) : hooks.signal.reason;
}

/** The wait before the next attempt, or throws when `err` is final (aborted, not retryable, retries spent). */
function nextWait(err: unknown, attempt: number, policy: RetryPolicy, hooks: RetryHooks): number {
  checkAborted(hooks);
  const verdict = hooks.classify(err);
  if (!verdict.retryable || attempt > policy.maxRetries) throw hooks.final ? hooks.final(err, attempt) : err;
  return retryDelay(policy, attempt, verdict.retryAfterMs);
}

async function pause(ms: number, policy: RetryPolicy, hooks: RetryHooks): Promise<void> {
  try {
    await (policy.sleep ?? sleepFor)(ms, hooks.signal);
  } catch (err) {
    checkAborted(hooks);
    throw err;
  }
  checkAborted(hooks);
}
