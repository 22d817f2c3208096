import { describe, expect, it } from 'vitest';
import type { AgentEvent } from '../../../src/task/events.ts';
import { CancelledError } from '../../../src/agent/errors.ts';
import { CancelWatch, cancelMessage, requestCancel } from '../../../src/cancel/index.ts';
import { MemoryStore } from '../../support/memory-store.ts';

const toolCall = { seq: 5, time: '', taskId: 't1', type: 'tool_call', turn: 1, id: 'x', name: 'shell', input: {} } as AgentEvent;
const REQUEST = { taskId: 't1', requestedAt: '2026-03-01T00:00:00.000Z', by: '@octo (/agent stop on #3)', reason: 'wrong issue' };

function waitFor(cond: () => boolean, ms = 5_000): Promise<void> {
  return new Promise((resolve, reject) => {
    const t0 = Date.now();
    const tick = () => (cond() ? resolve() : Date.now() - t0 > ms ? reject(new Error('timed out')) : setTimeout(tick, 5));
    tick();
  });
}

describe('CancelWatch', () => {
  it('reads the request once per check and says who asked and why', async () => {
    const store = new MemoryStore();
    const watch = new CancelWatch(store, 't1');
    expect(await watch.check()).toBeUndefined();
    await store.put('t1', 'cancel.json', JSON.stringify(REQUEST));
    expect(await watch.check()).toBe('the task was cancelled by @octo (/agent stop on #3): wrong issue');
    // Once found it is remembered: no further reads.
    expect(await watch.check()).toBe('the task was cancelled by @octo (/agent stop on #3): wrong issue');
    expect(watch.requests).toBe(2);
  });

  it('polls only while tools run, and aborts its signal with a CancelledError when a request appears', async () => {
    const store = new MemoryStore();
    const watch = new CancelWatch(store, 't1', { pollMs: 10 });
    await new Promise((r) => setTimeout(r, 50));
    expect(watch.requests).toBe(0);
    watch.observe(toolCall);
    await waitFor(() => watch.requests >= 3);
    expect(watch.signal.aborted).toBe(false);
    await store.put('t1', 'cancel.json', '{}');
    await waitFor(() => watch.signal.aborted);
    expect(watch.signal.reason).toBeInstanceOf(CancelledError);
    expect((watch.signal.reason as CancelledError).message).toBe('the task was cancelled');
    await watch.close();
  });

  it('stops polling at the next check, so a run makes one read a turn plus one per poll period of tool time', async () => {
    const watch = new CancelWatch(new MemoryStore(), 't1', { pollMs: 10 });
    watch.observe(toolCall);
    await waitFor(() => watch.requests >= 2);
    await watch.check();
    const after = watch.requests;
    await new Promise((r) => setTimeout(r, 60));
    expect(watch.requests).toBe(after);
  });

  it('counts a failed read as no request, and reports it', async () => {
    const store = new MemoryStore();
    store.get = async () => {
      throw new Error('S3 is down');
    };
    const errors: unknown[] = [];
    const watch = new CancelWatch(store, 't1', { onError: (e) => errors.push(e) });
    expect(await watch.check()).toBeUndefined();
    expect(errors.map(String)).toEqual(['Error: S3 is down']);
  });
});

describe('requestCancel', () => {
  it('writes the first request of a task without a result, and says whether a worker started it', async () => {
    const store = new MemoryStore();
    expect(await requestCancel(store, REQUEST)).toEqual({ state: 'requested', started: false, already: false });
    await store.put('t1', 'task.json', '{}');
    expect(await requestCancel(store, { ...REQUEST, by: 'someone else' })).toEqual({ state: 'requested', started: true, already: true });
    expect(JSON.parse(store.artifacts.get('t1/cancel.json')!)).toEqual(REQUEST);
  });

  it('leaves a finished task alone', async () => {
    const store = new MemoryStore();
    const result = { taskId: 't1', status: 'succeeded' };
    await store.put('t1', 'result.json', JSON.stringify(result));
    expect(await requestCancel(store, REQUEST)).toEqual({ state: 'finished', result });
    expect(store.artifacts.has('t1/cancel.json')).toBe(false);
  });

  it('words an unreadable request as a plain cancel', () => {
    expect(cancelMessage('not json')).toBe('the task was cancelled');
  });
});
