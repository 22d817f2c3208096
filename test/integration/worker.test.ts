import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand } from '@aws-sdk/client-s3';
import type { SQSEvent } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { invokeBundle, loadBuildScript } from '../../src/local/index.ts';
import { metadata, startFakeBedrock, text, toolUse, type FakeBedrock, type Json } from '../support/fake-bedrock.ts';
import { setEnv, startLocalAws, type LocalAws } from '../support/fauxqs.ts';
import { buildTar } from '../unit/sources/tar-builder.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');
const SAM_EVENTS = new URL('../fixtures/sam/events', import.meta.url).pathname;
const BUCKET = 'artifacts';
const MODEL = 'us.anthropic.claude-sonnet-4-5-20250929-v1:0';

let aws: LocalAws;
let fake: FakeBedrock;
let github: http.Server;
let bundle: string;
let outDir: string;
let tmpDir: string;
let restoreEnv: () => void;
let stdout: string[] = [];

/**
 * The fake model: the first turn of a task writes hello.txt (and reads README.md when the task has
 * one), the next one ends with a summary. It reacts to each request, so tasks may share it.
 */
function script(body: Json): Json[] {
  const messages = body.messages as { role: string; content: Json[] }[];
  const last = messages[messages.length - 1];
  const n = messages.length;
  if (!last.content.some((c) => c.toolResult)) {
    const prompt = String(last.content.find((c) => c.text)?.text ?? '');
    const calls = [toolUse(`tu-${n}-w`, 'write_file', { path: 'hello.txt', content: 'hello\n' })];
    if (prompt.includes('README')) calls.unshift(toolUse(`tu-${n}-r`, 'read_file', { path: 'README.md' }));
    return [text('Working on it.'), ...calls, metadata({ inputTokens: 1000, outputTokens: 50, cacheReadInputTokens: 10 })];
  }
  return [text('Done: wrote hello.txt.'), metadata({ inputTokens: 1200, outputTokens: 20 })];
}

function sqsEvent(...bodies: [string, string][]): SQSEvent {
  return {
    Records: bodies.map(([messageId, body]) => ({
      messageId,
      receiptHandle: `rh-${messageId}`,
      body,
      attributes: { ApproximateReceiveCount: '1', SentTimestamp: '1767225600000', SenderId: 'AIDA', ApproximateFirstReceiveTimestamp: '1767225600001' },
      messageAttributes: {},
      md5OfBody: '',
      eventSource: 'aws:sqs',
      eventSourceARN: 'arn:aws:sqs:us-east-1:000000000000:tasks',
      awsRegion: 'us-east-1',
    })),
  };
}

async function invokeWorker(event: unknown, timeoutMs = 900_000): Promise<unknown> {
  const out = await invokeBundle({ bundlePath: bundle, event, functionName: 'Worker', timeoutMs, clock: Date.now });
  expect(out.streaming).toBe(false);
  return out.streaming ? undefined : out.result;
}

async function getText(key: string): Promise<string | undefined> {
  try {
    const res = await aws.s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: key }));
    return await res.Body!.transformToString();
  } catch (err) {
    if ((err as { name?: string }).name === 'NoSuchKey') return undefined;
    throw err;
  }
}

async function keys(prefix: string): Promise<string[]> {
  const res = await aws.s3.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: prefix }));
  return (res.Contents ?? []).map((c) => c.Key!);
}

async function resultOf(taskId: string): Promise<any> {
  const t = await getText(`tasks/${taskId}/result.json`);
  return t === undefined ? undefined : JSON.parse(t);
}

beforeAll(async () => {
  outDir = path.join(ROOT, 'node_modules', '.cache', 'agent-runner-tests', `worker-${process.pid}`);
  [bundle] = await (await loadBuildScript(ROOT)).buildFunctions({ root: ROOT, outDir, names: ['worker'], log: () => undefined });
  aws = await startLocalAws({ buckets: [BUCKET] });
  fake = await startFakeBedrock({ script: (body) => script(body) });
  github = http.createServer((req, res) => res.writeHead(503).end('unavailable'));
  await new Promise<void>((r) => github.listen(0, '127.0.0.1', r));
  tmpDir = fs.mkdtempSync(path.join(os.tmpdir(), 'worker-it-'));
  restoreEnv = setEnv({
    ...aws.env,
    AWS_ENDPOINT_URL_BEDROCK_RUNTIME: fake.url,
    AWS_PROFILE: undefined,
    AWS_CONFIG_FILE: path.join(tmpDir, 'no-config'),
    AWS_SHARED_CREDENTIALS_FILE: path.join(tmpDir, 'no-credentials'),
    ARTIFACT_BUCKET: BUCKET,
    TASK_QUEUE_URL: `${aws.endpoint}/000000000000/tasks`,
    MODEL_ID: MODEL,
    GITHUB_API_URL: `http://127.0.0.1:${(github.address() as AddressInfo).port}`,
    // The bundle's os.tmpdir(): a folder of this test file's own.
    TMPDIR: tmpDir,
    POWERTOOLS_LOG_LEVEL: 'ERROR',
  });
  // Powertools writes EMF and logs to stdout: keep them for the metric checks (and off the report).
  const write = process.stdout.write.bind(process.stdout);
  process.stdout.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
    const s = String(chunk);
    if (s.startsWith('{')) {
      stdout.push(s);
      const cb = rest.find((r) => typeof r === 'function') as (() => void) | undefined;
      cb?.();
      return true;
    }
    return write(chunk as string, ...(rest as []));
  }) as typeof process.stdout.write;
  (process.stdout as { restoreWrite?: () => void }).restoreWrite = () => (process.stdout.write = write);
}, 60_000);

afterAll(async () => {
  (process.stdout as { restoreWrite?: () => void }).restoreWrite?.();
  restoreEnv?.();
  await fake?.close();
  await aws?.stop();
  github?.closeAllConnections();
  await new Promise((r) => github?.close(r));
  fs.rmSync(tmpDir, { recursive: true, force: true });
  fs.rmSync(outDir, { recursive: true, force: true });
});

describe('the built worker bundle', () => {
  it('runs a task from an S3 tarball and leaves every artifact in the bucket', async () => {
    const tarball = buildTar([
      { path: 'README.md', type: 'File', body: '# demo\n' },
      { path: 'src/old.txt', type: 'File', body: 'old\n' },
    ]);
    await aws.s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'inputs/s3-task.tar.gz', Body: tarball }));
    const before = fake.modelRequests.length;
    stdout = [];
    const body = { taskId: 's3-task', prompt: 'Read README.md, then write hello.txt', source: { s3: { bucket: BUCKET, key: 'inputs/s3-task.tar.gz' } } };

    expect(await invokeWorker(sqsEvent(['m-s3', JSON.stringify(body)]))).toEqual({ batchItemFailures: [] });

    const artifacts = await keys('tasks/s3-task/');
    expect(artifacts.filter((k) => !k.includes('/events/')).sort()).toEqual([
      // The worker can queue continuations (TASK_QUEUE_URL), so it checkpoints every turn.
      'tasks/s3-task/checkpoint.json',
      'tasks/s3-task/checkpoint/00000001.json',
      'tasks/s3-task/checkpoint/ws-00000001.patch',
      'tasks/s3-task/diff.patch',
      'tasks/s3-task/lease.json',
      'tasks/s3-task/result.json',
      // The month its cost is counted in (budget/<YYYY-MM>.json), pinned before the ledger is updated.
      'tasks/s3-task/spend.json',
      'tasks/s3-task/task.json',
      'tasks/s3-task/transcript.json',
    ]);
    // Defaults filled in; the time limit is the task's own, counted across invocations.
    const task = JSON.parse((await getText('tasks/s3-task/task.json'))!);
    expect(task).toEqual({ ...body, model: MODEL, limits: { maxTurns: 50, maxCostUsd: 5, timeoutSeconds: 3600 } });

    // Events: NDJSON segments named by the seq of their first event, seqs 1..N without gaps.
    const segments = artifacts.filter((k) => k.includes('/events/'));
    const events: any[] = [];
    for (const key of segments) {
      const lines = (await getText(key))!.split('\n').filter(Boolean).map((l) => JSON.parse(l));
      expect(path.basename(key)).toBe(`${String(lines[0].seq).padStart(8, '0')}.ndjson`);
      events.push(...lines);
    }
    expect(segments.length).toBeGreaterThan(1);
    expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1));
    expect(events[0]).toMatchObject({ type: 'task_started', taskId: 's3-task' });

    const result = await resultOf('s3-task');
    const usage = fake.modelRequests.slice(before).reduce(
      (t, r) => {
        const u = r.response?.usage as Record<string, number>;
        return { inputTokens: t.inputTokens + u.inputTokens, outputTokens: t.outputTokens + u.outputTokens, cacheReadInputTokens: t.cacheReadInputTokens + (u.cacheReadInputTokens ?? 0), cacheWriteInputTokens: 0 };
      },
      { inputTokens: 0, outputTokens: 0, cacheReadInputTokens: 0, cacheWriteInputTokens: 0 },
    );
    expect(result).toEqual({
      taskId: 's3-task',
      status: 'succeeded',
      stopReason: 'end_turn',
      turns: 2,
      model: MODEL,
      usage,
      costUsd: expect.any(Number),
      diff: { files: 1, additions: 1, deletions: 0 },
      summary: 'Done: wrote hello.txt.',
    });
    expect(events.at(-1)).toEqual({ seq: events.length, time: expect.any(String), taskId: 's3-task', type: 'result', ...Object.fromEntries(Object.entries(result).filter(([k]) => k !== 'taskId')) });

    // The model saw README.md, read from the workspace the tarball became.
    const toolResult = JSON.stringify(fake.modelRequests.at(-1)?.body);
    expect(toolResult).toContain('# demo');

    // diff.patch applies with git to a pristine copy and gives the final tree.
    const pristine = path.join(tmpDir, 'pristine');
    fs.mkdirSync(path.join(pristine, 'src'), { recursive: true });
    fs.writeFileSync(path.join(pristine, 'README.md'), '# demo\n');
    fs.writeFileSync(path.join(pristine, 'src/old.txt'), 'old\n');
    fs.writeFileSync(path.join(tmpDir, 'diff.patch'), (await getText('tasks/s3-task/diff.patch'))!);
    execFileSync('git', ['apply', path.join(tmpDir, 'diff.patch')], { cwd: pristine });
    expect(fs.readFileSync(path.join(pristine, 'hello.txt'), 'utf8')).toBe('hello\n');

    const transcript = JSON.parse((await getText('tasks/s3-task/transcript.json'))!);
    expect(Object.keys(transcript).sort()).toEqual(['messages', 'system', 'toolConfig']);

    // The workspace is gone; the work folder is empty.
    expect(fs.readdirSync(path.join(tmpDir, 'agent-runner-work'))).toEqual([]);

    // One EMF record for the task, with the outcome as a dimension.
    const emf = stdout
      .flatMap((s) => s.split('\n'))
      .filter((l) => l.includes('"_aws"'))
      .map((l) => JSON.parse(l));
    expect(emf).toEqual([
      expect.objectContaining({
        outcome: 'succeeded',
        Tasks: 1,
        Turns: 2,
        InputTokens: usage.inputTokens,
        OutputTokens: usage.outputTokens,
        CostUsd: result.costUsd,
        model: MODEL,
        _aws: expect.objectContaining({ CloudWatchMetrics: [expect.objectContaining({ Namespace: 'AgentRunner', Dimensions: [['service', 'outcome']] })] }),
      }),
    ]);
  });

  it('rejects a bad message in a batch of three without failing the other two', async () => {
    const event = sqsEvent(
      ['m-a', JSON.stringify({ taskId: 'batch-a', prompt: 'write hello.txt' })],
      ['m-b', JSON.stringify({ taskId: 'batch-b', prompt: 'x', limits: { maxTurns: -1 } })],
      ['m-c', JSON.stringify({ taskId: 'batch-c', prompt: 'write hello.txt' })],
    );
    expect(await invokeWorker(event)).toEqual({ batchItemFailures: [] });
    const [a, b, c] = await Promise.all(['batch-a', 'batch-b', 'batch-c'].map(resultOf));
    expect([a.status, c.status]).toEqual(['succeeded', 'succeeded']);
    expect(b).toEqual({
      taskId: 'batch-b',
      status: 'rejected',
      stopReason: 'rejected',
      turns: 0,
      model: MODEL,
      usage: { inputTokens: 0, outputTokens: 0, cacheReadInputTokens: 0, cacheWriteInputTokens: 0 },
      costUsd: 0,
      diff: { files: 0, additions: 0, deletions: 0 },
      error: { code: 'invalid_task', message: 'limits.maxTurns: Too small: expected number to be >0' },
    });
    expect(await keys('tasks/batch-b/')).toEqual(['tasks/batch-b/events/00000001.ndjson', 'tasks/batch-b/result.json', 'tasks/batch-b/task.json']);
  });

  it('acknowledges a message whose task already has a result: no model call, no new event, artifacts unchanged', async () => {
    const event = sqsEvent(['m-dup', JSON.stringify({ taskId: 'dup-task', prompt: 'write hello.txt' })]);
    expect(await invokeWorker(event)).toEqual({ batchItemFailures: [] });
    const snapshot = async () => Promise.all((await keys('tasks/dup-task/')).map(async (k) => [k, await getText(k)]));
    const before = await snapshot();
    const calls = fake.modelRequests.length;
    expect(await invokeWorker(event)).toEqual({ batchItemFailures: [] });
    expect(fake.modelRequests.length).toBe(calls);
    expect(await snapshot()).toEqual(before);
  });

  it('reports only the message whose source is unreachable, and still runs the others', async () => {
    const event = sqsEvent(
      ['m-gh', JSON.stringify({ taskId: 'gh-task', prompt: 'p', source: { github: { owner: 'o', repo: 'r', ref: 'main' } } })],
      ['m-ok', JSON.stringify({ taskId: 'ok-task', prompt: 'write hello.txt' })],
    );
    expect(await invokeWorker(event)).toEqual({ batchItemFailures: [{ itemIdentifier: 'm-gh' }] });
    expect([await resultOf('gh-task'), (await resultOf('ok-task')).status]).toEqual([undefined, 'succeeded']);
  });

  it('reports every message when S3 itself is unreachable', async () => {
    const restore = setEnv({ AWS_ENDPOINT_URL_S3: 'http://127.0.0.1:9' });
    try {
      const event = sqsEvent(['m-x', JSON.stringify({ taskId: 'x-task', prompt: 'p' })], ['m-y', 'not json']);
      expect(await invokeWorker(event)).toEqual({ batchItemFailures: [{ itemIdentifier: 'm-x' }, { itemIdentifier: 'm-y' }] });
    } finally {
      restore();
    }
  });

  it('completes the sample event of events/worker-sqs.json', async () => {
    const event = JSON.parse(fs.readFileSync(path.join(ROOT, 'events/worker-sqs.json'), 'utf8'));
    const taskId = JSON.parse(event.Records[0].body).taskId;
    expect(await invokeWorker(event)).toEqual({ batchItemFailures: [] });
    expect((await resultOf(taskId)).status).toBe('succeeded');
  });

  it('rejects the real-shaped SQS events of other projects without failing the batch', async () => {
    const files = ['powertools/sqs-base.json', 'powertools/batch-sampleSQSEvent.json', 'samcli/Sqs.json'];
    for (const file of files) {
      const event = JSON.parse(fs.readFileSync(path.join(SAM_EVENTS, file), 'utf8')) as SQSEvent;
      expect(await invokeWorker(event)).toEqual({ batchItemFailures: [] });
      for (const r of event.Records) {
        const result = await resultOf(r.messageId);
        expect([file, result?.status, result?.error?.code]).toEqual([file, 'rejected', expect.stringMatching(/^invalid_(json|task)$/)]);
      }
    }
  });
});
