import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { SQSEvent } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { invokeBundle, loadBuildScript, loadBundle } from '../../src/local/index.ts';
import { delay, metadata, startFakeBedrock, text, toolUse, type FakeBedrock, type Json } from '../support/fake-bedrock.ts';
import { setEnv, startLocalAws, type LocalAws } from '../support/fauxqs.ts';
import { openStream, parseSse } from '../support/lambda-stream.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');
const SAM_EVENTS = new URL('../fixtures/sam/events/powertools', import.meta.url).pathname;
const BUCKET = 'artifacts';

let aws: LocalAws;
let fake: FakeBedrock;
let outDir: string;
let tmpDir: string;
let workerBundle: string;
let progress: unknown;
let restoreEnv: () => void;

/** Per prompt, how long the model "thinks" before each turn (ms). */
function script(body: Json): Json[] {
  const messages = body.messages as { role: string; content: Json[] }[];
  const prompt = String(messages[0].content.find((c) => c.text)?.text ?? '');
  const wait = Number(/wait (\d+)/.exec(prompt)?.[1] ?? '0');
  const last = messages[messages.length - 1];
  if (!last.content.some((c) => c.toolResult)) {
    return [delay(wait), text('Writing.'), toolUse(`tu-${messages.length}`, 'write_file', { path: 'a.txt', content: 'a\n' }), metadata({ inputTokens: 100, outputTokens: 10 })];
  }
  return [delay(wait), text('Done.'), metadata({ inputTokens: 120, outputTokens: 5 })];
}

function sqsEvent(taskId: string, prompt: string): SQSEvent {
  return {
    Records: [
      {
        messageId: `m-${taskId}`,
        receiptHandle: 'rh',
        body: JSON.stringify({ taskId, prompt }),
        attributes: { ApproximateReceiveCount: '1', SentTimestamp: '0', SenderId: 'x', ApproximateFirstReceiveTimestamp: '0' },
        messageAttributes: {},
        md5OfBody: '',
        eventSource: 'aws:sqs',
        eventSourceARN: 'arn:aws:sqs:us-east-1:000000000000:tasks',
        awsRegion: 'us-east-1',
      },
    ],
  };
}

function runTask(taskId: string, prompt: string) {
  return invokeBundle({ bundlePath: workerBundle, event: sqsEvent(taskId, prompt), functionName: 'Worker', timeoutMs: 900_000, clock: Date.now });
}

/** A function-URL GET as Lambda delivers it (payload 2.0; header names lower-cased). */
function urlEvent(rawPath: string, opts: { query?: string; headers?: Record<string, string>; method?: string } = {}): Json {
  const base = JSON.parse(fs.readFileSync(path.join(ROOT, 'events/progress-url.json'), 'utf8'));
  return {
    ...base,
    rawPath,
    rawQueryString: opts.query ?? '',
    headers: { ...base.headers, ...(opts.headers ?? {}) },
    requestContext: { ...base.requestContext, http: { ...base.requestContext.http, method: opts.method ?? 'GET', path: rawPath } },
  };
}

beforeAll(async () => {
  outDir = path.join(ROOT, 'node_modules', '.cache', 'agent-runner-tests', `progress-${process.pid}`);
  const built = await (await loadBuildScript(ROOT)).buildFunctions({ root: ROOT, outDir, names: ['progress', 'worker'], log: () => undefined });
  workerBundle = built[1];
  aws = await startLocalAws({ buckets: [BUCKET] });
  fake = await startFakeBedrock({ script: (body) => script(body) });
  tmpDir = fs.mkdtempSync(path.join(os.tmpdir(), 'progress-it-'));
  restoreEnv = setEnv({
    ...aws.env,
    AWS_ENDPOINT_URL_BEDROCK_RUNTIME: fake.url,
    AWS_PROFILE: undefined,
    AWS_CONFIG_FILE: path.join(tmpDir, 'none'),
    AWS_SHARED_CREDENTIALS_FILE: path.join(tmpDir, 'none'),
    ARTIFACT_BUCKET: BUCKET,
    MODEL_ID: 'us.anthropic.claude-sonnet-4-5-20250929-v1:0',
    TMPDIR: tmpDir,
    PROGRESS_POLL_MS: '100',
    PROGRESS_HEARTBEAT_MS: '300',
    POWERTOOLS_LOG_LEVEL: 'ERROR',
    POWERTOOLS_METRICS_DISABLED: 'true',
  });
  progress = await loadBundle(built[0]);
}, 60_000);

afterAll(async () => {
  restoreEnv?.();
  await fake?.close();
  await aws?.stop();
  fs.rmSync(tmpDir, { recursive: true, force: true });
  fs.rmSync(outDir, { recursive: true, force: true });
});

describe('the built progress bundle', () => {
  it('streams a task while it runs, with heartbeats while quiet, and ends after the result', async () => {
    const worker = runTask('live-1', 'write a.txt; wait 700');
    // The watcher may connect before the worker has written task.json: it then gets 404.
    let watch = openStream(progress, urlEvent('/tasks/live-1/events'));
    for (let i = 0; i < 50 && (await watch.prelude)?.statusCode === 404; i++) {
      await watch.done;
      await new Promise((r) => setTimeout(r, 50));
      watch = openStream(progress, urlEvent('/tasks/live-1/events'));
    }
    expect(await watch.prelude).toEqual({
      statusCode: 200,
      headers: { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache, no-store', 'x-accel-buffering': 'no' },
    });
    // task_started arrives while the model is still "thinking" (the worker has not finished).
    await watch.waitFor((b) => b.includes('event: task_started'));
    let workerDone = false;
    void worker.then(() => (workerDone = true));
    expect(workerDone).toBe(false);
    await watch.waitFor((b) => b.includes(': heartbeat'));
    expect(workerDone).toBe(false);

    const end = await watch.done;
    expect(end.streaming && end.wroteBeforeEnd).toBe(true);
    await worker;
    const sse = parseSse(watch.text());
    expect(sse.retry).toBe(1000);
    expect(sse.events.map((e) => Number(e.id))).toEqual(sse.events.map((_, i) => i + 1));
    expect(sse.events.every((e) => e.event === e.data.type && Number(e.id) === e.data.seq)).toBe(true);
    expect(sse.events.at(-1)?.data).toMatchObject({ type: 'result', taskId: 'live-1', status: 'succeeded' });
    expect(sse.comments).toContain('heartbeat');
    // Each event line is exactly `id`, `event`, `data`.
    expect(watch.text()).toMatch(/\nid: 1\nevent: task_started\ndata: \{"seq":1,/);
  });

  it('resumes after Last-Event-ID, or ?after= when there is no header, and ends after the result', async () => {
    await runTask('resume-1', 'write a.txt');
    const all = parseSse((await drain(urlEvent('/tasks/resume-1/events'))).body).events;
    expect(all.length).toBeGreaterThan(5);

    const byHeader = parseSse((await drain(urlEvent('/tasks/resume-1/events', { headers: { 'last-event-id': '3' }, query: 'after=1' }))).body).events;
    expect(byHeader).toEqual(all.slice(3));
    const byQuery = parseSse((await drain(urlEvent('/tasks/resume-1/events', { query: 'after=5' }))).body).events;
    expect(byQuery).toEqual(all.slice(5));
    // After the last event there is nothing to send, and the stream still ends.
    const after = await drain(urlEvent('/tasks/resume-1/events', { headers: { 'Last-Event-ID': String(all.length) } }));
    expect([after.statusCode, parseSse(after.body).events]).toEqual([200, []]);
  });

  it('answers 404 for an unknown task, through HttpResponseStream.from and a write', async () => {
    const { elapsedMs: _elapsed, ...res } = await drain(urlEvent('/tasks/no-such-task/events'));
    expect(res).toEqual({ statusCode: 404, headers: { 'content-type': 'application/json' }, body: '{"message":"unknown task no-such-task"}', wroteBeforeEnd: true });
  });

  it('answers 400 for a malformed id or seq and 404/405 for other paths and methods', async () => {
    const cases = await Promise.all([
      drain(urlEvent('/tasks/bad%20id/events')),
      drain(urlEvent('/tasks/resume-1/events', { headers: { 'last-event-id': 'abc' } })),
      drain(urlEvent('/tasks/resume-1/events', { query: 'after=-1' })),
      drain(urlEvent('/tasks/resume-1')),
      drain(urlEvent('/tasks/resume-1/events', { method: 'POST' })),
    ]);
    expect(cases.map((c) => [c.statusCode, c.wroteBeforeEnd])).toEqual([
      [400, true],
      [400, true],
      [400, true],
      [404, true],
      [405, true],
    ]);
  });

  it('answers the real-shaped function URL events of other projects', async () => {
    const files = ['lambda-url-base.json', 'lambda-url-get-request.json', 'lambda-url-iam-auth.json'];
    const res = await Promise.all(files.map((f) => drain(JSON.parse(fs.readFileSync(path.join(SAM_EVENTS, f), 'utf8')))));
    expect(res.map((r) => r.statusCode)).toEqual([404, 404, 404]);
  });

  it('serves the sample event of events/progress-url.json once its task exists', async () => {
    const event = JSON.parse(fs.readFileSync(path.join(ROOT, 'events/progress-url.json'), 'utf8'));
    expect((await drain(event)).statusCode).toBe(404);
    await runTask('example-task-1', 'write a.txt');
    const res = await drain(event);
    expect([res.statusCode, parseSse(res.body).events.at(-1)?.data.type]).toEqual([200, 'result']);
  });

  it('ends the stream before the function deadline so the client can resume', async () => {
    const worker = runTask('slow-1', 'write a.txt; wait 500');
    for (let i = 0; i < 100 && (await drain(urlEvent('/tasks/slow-1/events'), 5_400)).statusCode === 404; i++) await new Promise((r) => setTimeout(r, 50));
    // 5.4 s left: under the 5 s stop margin plus a poll, the stream ends almost at once.
    const res = await drain(urlEvent('/tasks/slow-1/events'), 5_400);
    const sse = parseSse(res.body);
    // Ended for the deadline, before the task's end: no result among the events.
    expect(res.statusCode).toBe(200);
    expect(sse.comments).toContain('the stream ends before the function deadline; reconnect to resume');
    expect(sse.events.some((e) => e.event === 'result')).toBe(false);
    await worker;
  });

  it('stops following when the client goes away', async () => {
    let finished = false;
    const worker = runTask('gone-1', 'write a.txt; wait 3000').then((r) => ((finished = true), r));
    let watch = openStream(progress, urlEvent('/tasks/gone-1/events'));
    for (let i = 0; i < 100 && (await watch.prelude)?.statusCode === 404; i++) {
      await watch.done;
      await new Promise((r) => setTimeout(r, 50));
      watch = openStream(progress, urlEvent('/tasks/gone-1/events'));
    }
    await watch.waitFor((b) => b.includes('event: task_started'));
    watch.disconnect();
    await watch.done;
    // The model is still "thinking": the handler noticed the disconnect, not the task's end.
    expect([finished, watch.text().includes('event: result')]).toEqual([false, false]);
    await worker;
  });
});

async function drain(event: Json, timeoutMs = 60_000) {
  const s = openStream(progress, event, { timeoutMs });
  const out = await s.done;
  if (!out.streaming) throw new Error('not a streaming handler');
  return { statusCode: out.prelude?.statusCode, headers: out.prelude?.headers, body: out.body.toString('utf8'), wroteBeforeEnd: out.wroteBeforeEnd, elapsedMs: out.elapsedMs } as {
    statusCode?: number;
    headers?: Record<string, string>;
    body: string;
    wroteBeforeEnd: boolean;
    elapsedMs?: number;
  };
}
