import { StreamTimeoutError } from './errors.ts';

/** First-byte and idle timeouts of one streamed call (0 or absent: none). */
export interface StreamTimeouts {
  /** No response headers this long after the request: the call is aborted and may be retried. */
  firstByteMs?: number;
  /** No data this long while the answer streams: the call is aborted and may be retried. */
  idleMs?: number;
}

/**
 * Settles like `work`, unless it takes longer than `ms`: then `abort` is called (to cancel the
 * work and free its connection) and the promise rejects with a StreamTimeoutError of `phase`.
 * `what` names the call in the message.
 */
export async function withinTimeout<T>(work: Promise<T>, ms: number | undefined, phase: 'first_byte' | 'idle', what: string, abort: (reason: StreamTimeoutError) => void): Promise<T> {
  if (!ms) return work;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      const err = new StreamTimeoutError(phase, ms, what);
      abort(err);
      reject(err);
    }, ms);
  });
  try {
    return await Promise.race([work, expired]);
  } finally {
    clearTimeout(timer);
    // The work settles later (cancelled): nobody waits for it any more.
    work.catch(() => undefined);
  }
}

/**
 * Yields what `source` yields, failing with a StreamTimeoutError (`idle`) when the next item
 * takes longer than `ms` to come. Only the source's silence counts: the clock stops while the
 * consumer handles an item. On a timeout `abort` is called and the source is closed.
 */
export async function* idleTimeout<T>(source: AsyncIterable<T> | Iterable<T>, ms: number | undefined, what: string, abort: (reason: StreamTimeoutError) => void): AsyncGenerator<T> {
  if (!ms || !(Symbol.asyncIterator in source)) {
    yield* source;
    return;
  }
  const it = source[Symbol.asyncIterator]();
  let done = false;
  try {
    for (;;) {
      const next = await withinTimeout(it.next(), ms, 'idle', what, abort);
      if (next.done) {
        done = true;
        return;
      }
      yield next.value;
    }
  } finally {
    // A source left mid-way (timeout, consumer stopped, failure) is closed without waiting on it.
    if (!done) void Promise.resolve(it.return?.()).catch(() => undefined);
  }
}
