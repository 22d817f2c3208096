import { describe, expect, it } from 'vitest';
import { retry, retryStream, type RetryPolicy } from '../../../src/retry/index.ts';

class Flaky extends Error {
  constructor(readonly retryable: boolean, readonly retryAfterMs?: number) {
    super(retryable ? 'try again' : 'final');
  }
}

const classify = (err: unknown) => (err instanceof Flaky ? { retryable: err.retryable, retryAfterMs: err.retryAfterMs } : { retryable: false });

function policy(maxRetries = 3): RetryPolicy & { waits: number[] } {
  const waits: number[] = [];
  return { maxRetries, baseDelayMs: 100, maxDelayMs: 1000, random: () => 0.5, sleep: async (ms) => void waits.push(ms), waits };
}

describe('retry', () => {
  it('retries retryable failures with backoff (or the wait asked for) until one succeeds, telling each retry', async () => {
    const p = policy();
    const faults = [new Flaky(true), new Flaky(true, 700)];
    const told: [number, number][] = [];
    const out = await retry(
      async (attempt) => {
        const f = faults.shift();
        if (f) throw f;
        return `done on attempt ${attempt}`;
      },
      p,
      { classify, onRetry: ({ attempt, waitMs }) => told.push([attempt, waitMs]) },
    );
    expect({ out, told, waits: p.waits }).toEqual({ out: 'done on attempt 3', told: [[1, 50], [2, 700]], waits: [50, 700] });
  });

  it('throws a final failure at once, and the last one once the retries are spent, through `final`', async () => {
    const p = policy(2);
    let calls = 0;
    const final = (err: unknown, attempts: number) => new Error(`${(err as Error).message} after ${attempts}`);
    await expect(retry(async () => (calls++, Promise.reject(new Flaky(false))), p, { classify, final })).rejects.toThrow('final after 1');
    calls = 0;
    await expect(retry(async () => (calls++, Promise.reject(new Flaky(true))), p, { classify, final })).rejects.toThrow('try again after 3');
    expect([calls, p.waits]).toEqual([3, [50, 100]]);
  });

  it('stops with the abort error when the signal aborts during a wait', async () => {
    const ac = new AbortController();
    const p: RetryPolicy = { ...policy(), sleep: async () => ac.abort(new Error('cancelled')) };
    const err = await retry(() => Promise.reject(new Flaky(true)), p, { classify, signal: ac.signal, aborted: (s) => new Error(`aborted: ${(s.reason as Error).message}`) }).catch((e) => e);
    expect(err.message).toBe('aborted: cancelled');
  });
});

describe('retryStream', () => {
  it("yields each attempt's items, an announcement before each retry, and ends with the attempt that finished", async () => {
    const p = policy();
    let n = 0;
    const out: string[] = [];
    const stream = retryStream(
      async function* (attempt) {
        n++;
        yield `a${attempt}:start`;
        if (n < 3) throw new Flaky(true);
        yield `a${attempt}:end`;
      },
      p,
      { classify, announce: ({ attempt, waitMs }) => `retry ${attempt} after ${waitMs}` },
    );
    for await (const x of stream) out.push(x);
    expect(out).toEqual(['a1:start', 'retry 1 after 50', 'a2:start', 'retry 2 after 100', 'a3:start', 'a3:end']);
  });
});
