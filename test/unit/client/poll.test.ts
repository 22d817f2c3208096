import { describe, expect, it } from 'vitest';
import type { AgentEvent } from '../../../src/task/events.ts';
import { pollTaskEvents } from '../../../src/client/poll.ts';
import { TaskNotFoundError } from '../../../src/client/errors.ts';
import { MemoryStore } from '../../support/memory-store.ts';
import { sampleEvents, sampleResult } from './support/sse-server.ts';

const TASK = 't-poll';

async function drain(gen: AsyncGenerator<AgentEvent, unknown>) {
  const seen: AgentEvent[] = [];
  for (;;) {
    const n = await gen.next();
    if (n.done) return { seen, result: n.value };
    seen.push(n.value);
  }
}

describe('pollTaskEvents', () => {
  it('yields segments as the worker writes them, in order, and returns the result', async () => {
    const store = new MemoryStore();
    const events = sampleEvents(TASK, 3);
    await store.put(TASK, 'task.json', '{}');
    // The worker writes a segment between two polls.
    const segments = [events.slice(0, 2), events.slice(2, 5), events.slice(5)];
    let polls = 0;
    const sleep = async () => {
      const seg = segments[polls++];
      if (seg) await store.appendEvents(TASK, seg);
    };
    const { seen, result } = await drain(pollTaskEvents({ store, taskId: TASK, sleep }));
    expect({ seen, result }).toEqual({ seen: events, result: sampleResult(TASK, 3) });
  });

  it('starts after afterSeq', async () => {
    const store = new MemoryStore();
    const events = sampleEvents(TASK, 1);
    await store.appendEvents(TASK, events);
    const { seen } = await drain(pollTaskEvents({ store, taskId: TASK, afterSeq: 2, sleep: async () => undefined }));
    expect(seen).toEqual(events.slice(2));
  });

  it('returns result.json for a task that has no events (rejected)', async () => {
    const store = new MemoryStore();
    const rejected = { ...sampleResult(TASK, 0), status: 'rejected', error: { code: 'invalid_task', message: 'x' } };
    await store.put(TASK, 'result.json', JSON.stringify(rejected));
    expect(await drain(pollTaskEvents({ store, taskId: TASK, sleep: async () => undefined }))).toEqual({ seen: [], result: rejected });
  });

  it('gives up on a task that never appears', async () => {
    let clock = 0;
    const err = await drain(
      pollTaskEvents({ store: new MemoryStore(), taskId: TASK, startTimeoutMs: 5000, intervalMs: 1000, now: () => clock, sleep: async (ms) => void (clock += ms) }),
    ).catch((e) => e);
    expect({ type: err.constructor, message: err.message }).toEqual({
      type: TaskNotFoundError,
      message: 'task t-poll is not known to the stack (no tasks/t-poll/task.json after 5 s): check the task id and that the worker is consuming the queue',
    });
  });
});
