import { describe, expect, it } from 'vitest';
import { idleTimeout, StreamTimeoutError, withinTimeout } from '../../../src/retry/index.ts';

const never = <T>() => new Promise<T>(() => undefined);

describe('withinTimeout', () => {
  it('settles like the work when it is in time, and rejects with a StreamTimeoutError (the work aborted) when it is not', async () => {
    const aborted: string[] = [];
    const ok = await withinTimeout(Promise.resolve('fast'), 1000, 'first_byte', 'call', () => aborted.push('fast'));
    const err = await withinTimeout(never<string>(), 20, 'first_byte', 'POST /x', (e) => aborted.push(e.message)).catch((e) => e);
    expect({ ok, err: [err instanceof StreamTimeoutError, err.phase, err.code, err.message], aborted }).toEqual({
      ok: 'fast',
      err: [true, 'first_byte', 'FirstByteTimeout', 'POST /x: no response within 20 ms'],
      aborted: ['POST /x: no response within 20 ms'],
    });
  });
});

describe('idleTimeout', () => {
  it("counts only the source's silence: a slow consumer does not time out, a silent source does", async () => {
    let release: () => void = () => undefined;
    async function* source() {
      yield 1;
      yield 2;
      await new Promise<void>((r) => (release = r));
      yield 3;
    }
    const got: number[] = [];
    const aborts: string[] = [];
    const err = await (async () => {
      for await (const x of idleTimeout(source(), 30, 'stream', (e) => aborts.push(e.code))) {
        got.push(x);
        // The consumer takes longer than the timeout over its first item.
        if (x === 1) await new Promise((r) => setTimeout(r, 60));
      }
    })().catch((e) => e);
    release();
    expect({ got, aborts, err: [err instanceof StreamTimeoutError, err.phase, err.message] }).toEqual({
      got: [1, 2],
      aborts: ['StreamIdleTimeout'],
      err: [true, 'idle', 'stream: no data for 30 ms'],
    });
  });
});
