/**
 * The timer port. Code deep in src/ that must act after a delay (the run's time limit, the
 * worker's deadline) takes its timers from its dependencies, as it takes the clock, so tests run
 * them on a fake clock instead of waiting.
 */

/** Schedules and cancels callbacks. */
export interface Timers {
  /** Calls `fn` once `ms` has passed; the handle goes to clearTimeout. */
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

/** Node's timers; a pending one does not keep the process alive (like AbortSignal.timeout's). */
export const systemTimers: Timers = {
  setTimeout(fn, ms) {
    const t = setTimeout(fn, ms);
    t.unref();
    return t;
  },
  clearTimeout(handle) {
    clearTimeout(handle as ReturnType<typeof setTimeout>);
  },
};

/** A signal that aborts once `ms` has passed on `timers`, and `clear` to drop the timer. */
export interface TimeoutSignal {
  signal: AbortSignal;
  clear(): void;
}

/**
 * AbortSignal.timeout on the given timers: the signal aborts after `ms` with `reason` (default
 * AbortSignal.timeout's, a DOMException named TimeoutError). `clear` cancels the timer; the
 * signal then never aborts.
 */
export function timeoutSignal(ms: number, timers: Timers = systemTimers, reason?: unknown): TimeoutSignal {
  const controller = new AbortController();
  const handle = timers.setTimeout(() => controller.abort(reason ?? new DOMException('The operation was aborted due to timeout', 'TimeoutError')), ms);
  return { signal: controller.signal, clear: () => timers.clearTimeout(handle) };
}
