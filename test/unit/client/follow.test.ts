import { afterEach, describe, expect, it } from 'vitest';
import type { AgentEvent } from '../../../src/task/events.ts';
import { followTaskEvents, eventsUrl, type FollowOptions } from '../../../src/client/follow.ts';
import { createSigV4Signer } from '../../../src/client/sign.ts';
import { ProgressStreamError, TaskNotFoundError } from '../../../src/client/errors.ts';
import { sampleEvents, sampleResult, startSseServer, type ConnectionPlan, type SseServer } from './support/sse-server.ts';

const TASK = 'task-1';
const sign = createSigV4Signer({ region: 'us-east-1', credentials: async () => ({ accessKeyId: 'AKIDTEST', secretAccessKey: 'secret' }) });
let server: SseServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function follow(events: AgentEvent[], plan: (i: number) => ConnectionPlan, extra: Partial<FollowOptions> = {}) {
  await server?.close();
  server = await startSseServer(TASK, events, plan);
  const seen: AgentEvent[] = [];
  const reconnects: { afterSeq: number; reason: string }[] = [];
  const run = followTaskEvents({
    progressUrl: server.url,
    taskId: TASK,
    sign,
    backoffBaseMs: 1,
    backoffMaxMs: 5,
    notFoundPollMs: 1,
    // Long enough that a busy machine never trips it; the idle test sets its own.
    idleTimeoutMs: 10_000,
    onReconnect: ({ afterSeq, reason }) => reconnects.push({ afterSeq, reason }),
    ...extra,
  });
  for (;;) {
    const next = await run.next();
    if (next.done) return { seen, result: next.value, reconnects, requests: server.requests };
    seen.push(next.value);
  }
}

describe('followTaskEvents', () => {
  it('yields every event of one signed connection and returns the result', async () => {
    const events = sampleEvents(TASK, 2);
    const { seen, result, reconnects, requests } = await follow(events, () => ({}));
    expect({ seen, result, reconnects }).toEqual({ seen: events, result: sampleResult(TASK, 2), reconnects: [] });
    expect(requests).toHaveLength(1);
    expect(requests[0].path).toBe('/tasks/task-1/events');
    expect(requests[0].lastEventId).toBeUndefined();
    expect(requests[0].authorization).toMatch(/^AWS4-HMAC-SHA256 Credential=AKIDTEST\/\d{8}\/us-east-1\/lambda\/aws4_request, SignedHeaders=[a-z0-9;-]*host[a-z0-9;-]*, Signature=[0-9a-f]{64}$/);
  });

  it('resumes dropped connections with Last-Event-ID and loses or repeats no event', async () => {
    const events = sampleEvents(TASK, 4);
    const { seen, result, reconnects, requests } = await follow(events, (i) => (i === 0 ? { cutAfter: 3 } : i === 1 ? { cutAfter: 2 } : {}));
    expect(seen.map((e) => e.seq)).toEqual(events.map((e) => e.seq));
    expect(seen).toEqual(events);
    expect(result.status).toBe('succeeded');
    expect(requests.map((r) => r.lastEventId)).toEqual([undefined, '3', '5']);
    expect(reconnects.map((r) => r.afterSeq)).toEqual([3, 5]);
    expect(reconnects[0].reason).toMatch(/^connection dropped: /);
  });

  it('resumes a stream that ended before the result', async () => {
    const events = sampleEvents(TASK, 1);
    const { seen, reconnects } = await follow(events, (i) => (i === 0 ? { endAfter: 2 } : {}));
    expect({ seqs: seen.map((e) => e.seq), reconnects }).toEqual({ seqs: [1, 2, 3, 4], reconnects: [{ afterSeq: 2, reason: 'the stream ended before the result' }] });
  });

  it('skips events a server sends again', async () => {
    const events = sampleEvents(TASK, 2);
    const { seen } = await follow(events, (i) => (i === 0 ? { cutAfter: 4 } : { ignoreLastEventId: true }));
    expect(seen).toEqual(events);
  });

  it('goes back for events missing from the stream', async () => {
    const events = sampleEvents(TASK, 2);
    const { seen, requests, reconnects } = await follow(events, (i) => (i === 0 ? { omit: [3] } : {}));
    expect({ seen, ids: requests.map((r) => r.lastEventId), reasons: reconnects.map((r) => r.reason) }).toEqual({
      seen: events,
      ids: [undefined, '2'],
      reasons: ['events 3..3 missing'],
    });
  });

  it('drops a silent connection after the idle timeout and resumes', async () => {
    const events = sampleEvents(TASK, 1);
    const { seen, reconnects } = await follow(events, (i) => (i === 0 ? { endAfter: 2, stall: true } : {}), { idleTimeoutMs: 150 });
    expect({ seen, reconnects }).toEqual({ seen: events, reconnects: [{ afterSeq: 2, reason: 'no data for 150 ms' }] });
  });

  it('does not count connections that stayed up a while without events as failures', async () => {
    const events = sampleEvents(TASK, 1);
    let clock = 0;
    const quiet = (i: number) => (i < 5 ? { endAfter: 0 } : {});
    const { seen } = await follow(events, quiet, { maxFailures: 2, now: () => (clock += 6000) });
    expect(seen).toEqual(events);
    const err = await follow(events, quiet, { maxFailures: 2, now: () => 0 }).catch((e) => e);
    expect(err.message).toBe('lost the progress stream of task task-1 after 3 attempts: the stream ended before the result');
  });

  it('waits for a task that is not known yet (404) and then follows it', async () => {
    const events = sampleEvents(TASK, 1);
    const { seen, requests } = await follow(events, (i) => (i < 3 ? { status: 404 } : {}));
    expect({ seen, n: requests.length, ids: requests.map((r) => r.lastEventId) }).toEqual({ seen: events, n: 4, ids: [undefined, undefined, undefined, undefined] });
  });

  it('gives up on an unknown task after the start timeout', async () => {
    let clock = 0;
    const err = await follow([], () => ({ status: 404 }), {
      startTimeoutMs: 10_000,
      notFoundPollMs: 2000,
      now: () => clock,
      sleep: async (ms) => {
        clock += ms;
      },
    }).catch((e) => e);
    expect({ type: err.constructor, message: err.message, usage: err.usage, requests: server?.requests.length }).toEqual({
      type: TaskNotFoundError,
      message: 'task task-1 is not known to the stack (no tasks/task-1/task.json after 10 s): check the task id and that the worker is consuming the queue',
      usage: true,
      requests: 6,
    });
  });

  it('returns the result.json of a task rejected before it started', async () => {
    const rejected = { ...sampleResult(TASK, 0), status: 'rejected' as const, error: { code: 'invalid_task', message: 'prompt: required' } };
    const { seen, result } = await follow([], () => ({ status: 404 }), { checkResult: async () => rejected });
    expect({ seen, result }).toEqual({ seen: [], result: rejected });
  });

  it('reports refused credentials (403) as a usage error at once', async () => {
    const err = await follow(sampleEvents(TASK, 1), () => ({ status: 403, body: '{"Message":"Forbidden"}' })).catch((e) => e);
    expect({ type: err.constructor, message: err.message, usage: err.usage, status: err.statusCode, requests: server?.requests.length }).toEqual({
      type: ProgressStreamError,
      message: 'the progress URL refused the request (HTTP 403: {"Message":"Forbidden"}): the caller\'s credentials need lambda:InvokeFunctionUrl on the progress function',
      usage: true,
      status: 403,
      requests: 1,
    });
  });

  it('retries server errors with backoff, then gives up', async () => {
    const waits: number[] = [];
    const err = await follow(sampleEvents(TASK, 1), () => ({ status: 503 }), {
      maxFailures: 3,
      backoffBaseMs: 100,
      backoffMaxMs: 250,
      random: () => 1,
      sleep: async (ms) => void waits.push(ms),
    }).catch((e) => e);
    expect({ message: err.message, usage: err.usage, waits, requests: server?.requests.length }).toEqual({
      message: 'lost the progress stream of task task-1 after 4 attempts: HTTP 503',
      usage: false,
      waits: [100, 200, 250],
      requests: 4,
    });
  });

  it('recovers from server errors between events', async () => {
    const events = sampleEvents(TASK, 2);
    const { seen, requests } = await follow(events, (i) => (i === 0 ? { cutAfter: 2 } : i < 3 ? { status: 502 } : {}));
    expect({ seen, ids: requests.map((r) => r.lastEventId) }).toEqual({ seen: events, ids: [undefined, '2', '2', '2'] });
  });

  it('stops with the abort reason when the caller aborts', async () => {
    const controller = new AbortController();
    const reason = new Error('interrupted');
    const events = sampleEvents(TASK, 1);
    server = await startSseServer(TASK, events, () => ({ endAfter: 1, stall: true }));
    const run = followTaskEvents({ progressUrl: server.url, taskId: TASK, sign, signal: controller.signal });
    expect((await run.next()).value).toEqual(events[0]);
    const pending = run.next();
    setTimeout(() => controller.abort(reason), 20);
    await expect(pending).rejects.toBe(reason);
  });
});

describe('eventsUrl', () => {
  it('keeps the function URL path and escapes the task id', () => {
    expect([eventsUrl('https://x.lambda-url.eu-west-1.on.aws', 'a').href, eventsUrl('http://127.0.0.1:9/base', 'a b').href]).toEqual([
      'https://x.lambda-url.eu-west-1.on.aws/tasks/a/events',
      'http://127.0.0.1:9/base/tasks/a%20b/events',
    ]);
  });
});
