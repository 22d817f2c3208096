import { describe, expect, it } from 'vitest';
import { Backoff, backoffDelay, parseRetryAfter, retryDelay, sleepFor, RetryAbortedError } from '../../../src/retry/index.ts';

describe('backoffDelay', () => {
  it('draws full jitter below an exponentially growing cap', () => {
    const opts = (r: number) => ({ baseDelayMs: 100, maxDelayMs: 1000, random: () => r });
    expect([1, 2, 3, 4, 5, 9].map((a) => backoffDelay(a, opts(0.999999)))).toEqual([99, 199, 399, 799, 999, 999]);
    expect(backoffDelay(3, opts(0))).toBe(0);
  });
});

describe('retryDelay', () => {
  it("takes the server's retry-after over backoff, capped at maxRetryAfterMs (60 s by default)", () => {
    const policy = { maxRetries: 3, baseDelayMs: 100, maxDelayMs: 1000, random: () => 0.5 };
    expect([retryDelay(policy, 2), retryDelay(policy, 2, 2500), retryDelay(policy, 2, 600_000), retryDelay({ ...policy, maxRetryAfterMs: 5000 }, 2, 600_000), retryDelay(policy, 1, -5)]).toEqual([
      100, 2500, 60_000, 5000, 0,
    ]);
  });
});

describe('parseRetryAfter', () => {
  it('reads delay-seconds, and HTTP dates only with a clock', () => {
    const now = () => Date.parse('Mon, 01 Jan 2026 00:00:00 GMT');
    expect([parseRetryAfter('2'), parseRetryAfter('0.5'), parseRetryAfter(undefined), parseRetryAfter('Mon, 01 Jan 2026 00:00:07 GMT'), parseRetryAfter('Mon, 01 Jan 2026 00:00:07 GMT', now), parseRetryAfter('soon', now)]).toEqual([
      2000, 500, undefined, undefined, 7000, undefined,
    ]);
  });
});

describe('Backoff', () => {
  it('gives maxRetries waits for consecutive failures, then none, and starts over after a reset', () => {
    const b = new Backoff({ maxRetries: 3, baseDelayMs: 100, maxDelayMs: 250, random: () => 0.999999 });
    const first = [b.next(), b.next(), b.next(), b.next()];
    const count = b.count;
    b.reset();
    expect({ first, count, afterReset: b.next(), serverAsked: b.next(40) }).toEqual({ first: [99, 199, 249, undefined], count: 4, afterReset: 99, serverAsked: 40 });
  });
});

describe('sleepFor', () => {
  it("rejects with a RetryAbortedError carrying the signal's reason (a minute-long sleep would outlast the test)", async () => {
    const ac = new AbortController();
    setTimeout(() => ac.abort(new Error('stop')), 10);
    const err = await sleepFor(60_000, ac.signal).catch((e) => e);
    expect([err instanceof RetryAbortedError, (err.cause as Error).message]).toEqual([true, 'stop']);
  });
});
