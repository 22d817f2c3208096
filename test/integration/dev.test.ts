import { spawn } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { GetObjectCommand } from '@aws-sdk/client-s3';
import { GetQueueAttributesCommand, ReceiveMessageCommand, SendMessageCommand, SetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { functionConfig, loadBuildScript, startDevStack, type DevStack } from '../../src/local/index.ts';
import { silentLog } from '../../src/observability/index.ts';
import { metadata, startFakeBedrock, text, toolUse, type FakeBedrock, type Json } from '../support/fake-bedrock.ts';
import { FAKE_CREDENTIALS, setEnv } from '../support/fauxqs.ts';
import { S3Client } from '@aws-sdk/client-s3';
import { parseSse } from '../support/lambda-stream.ts';
import { createSigV4Signer } from '../../src/client/sign.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');
const REGION = 'us-east-1';

let fake: FakeBedrock;
let github: http.Server;
let stack: DevStack;
let outDir: string;
let tmpDir: string;
let s3: S3Client;
let sqs: SQSClient;
const restores: (() => void)[] = [];
let restoreVisibility: (() => Promise<unknown>) | undefined;
// The functions' own logs (shown when a test fails).
const logs = new PassThrough();
let logText = '';
logs.on('data', (c: Buffer) => (logText = (logText + c.toString()).slice(-20_000)));

function script(body: Json): Json[] {
  const messages = body.messages as { role: string; content: Json[] }[];
  const last = messages[messages.length - 1];
  if (!last.content.some((c) => c.toolResult)) {
    return [toolUse(`tu-${messages.length}`, 'write_file', { path: 'from-dev.txt', content: 'dev\n' }), metadata({ inputTokens: 50, outputTokens: 5 })];
  }
  return [text('Done.'), metadata({ inputTokens: 60, outputTokens: 3 })];
}

async function until<T>(what: string, fn: () => Promise<T | undefined>, timeoutMs = 20_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn().catch(() => undefined);
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}; the functions' last logs:\n${logText.slice(-3000)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** A GET of the progress URL signed as `agent-runner watch` signs it. */
async function signedGet(pathname: string, headers: Record<string, string> = {}, creds = FAKE_CREDENTIALS): Promise<Response> {
  const url = new URL(pathname, stack.progressUrl);
  return fetch(url, { headers: await createSigV4Signer({ region: REGION, credentials: async () => creds })(url, headers) });
}

async function result(taskId: string): Promise<any> {
  const res = await s3.send(new GetObjectCommand({ Bucket: stack.bucket, Key: `tasks/${taskId}/result.json` }));
  return JSON.parse(await res.Body!.transformToString());
}

async function counts(url: string): Promise<[number, number]> {
  const a = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'] }));
  return [Number(a.Attributes?.ApproximateNumberOfMessages), Number(a.Attributes?.ApproximateNumberOfMessagesNotVisible)];
}

beforeAll(async () => {
  outDir = path.join(ROOT, 'node_modules', '.cache', 'agent-runner-tests', `dev-${process.pid}`);
  await (await loadBuildScript(ROOT)).buildFunctions({ root: ROOT, outDir, names: ['worker', 'progress', 'view'], log: () => undefined });
  fake = await startFakeBedrock({ script: (body) => script(body) });
  github = http.createServer((req, res) => res.writeHead(503).end());
  await new Promise<void>((r) => github.listen(0, '127.0.0.1', r));
  tmpDir = fs.mkdtempSync(path.join(os.tmpdir(), 'dev-it-'));
  restores.push(
    setEnv({
      AWS_ACCESS_KEY_ID: FAKE_CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: FAKE_CREDENTIALS.secretAccessKey,
      AWS_PROFILE: undefined,
      AWS_CONFIG_FILE: path.join(tmpDir, 'none'),
      AWS_SHARED_CREDENTIALS_FILE: path.join(tmpDir, 'none'),
      AWS_EC2_METADATA_DISABLED: 'true',
    }),
  );
  const template = (await loadBuildScript(ROOT)).parseTemplate(fs.readFileSync(path.join(ROOT, 'template.yaml'), 'utf8'));
  stack = await startDevStack({
    root: ROOT,
    distDir: outDir,
    port: 0,
    progressPort: 0,
    bucket: 'agent-runner-local',
    queueName: 'agent-runner-tasks',
    region: REGION,
    batchSize: 1,
    maxConcurrency: 2,
    maxReceiveCount: 2,
    // Long enough for a task run by a cold worker on a loaded machine; the dead-letter test lowers it.
    visibilityTimeoutSeconds: 120,
    worker: functionConfig(template, 'Worker'),
    progress: functionConfig(template, 'Progress'),
    view: functionConfig(template, 'View'),
    // The functions run under the RIC in their own processes: these are their variables.
    variables: {
      AWS_ENDPOINT_URL_BEDROCK_RUNTIME: fake.url,
      MODEL_ID: 'us.anthropic.claude-sonnet-4-5-20250929-v1:0',
      GITHUB_API_URL: `http://127.0.0.1:${(github.address() as AddressInfo).port}`,
      TMPDIR: tmpDir,
      POWERTOOLS_LOG_LEVEL: 'SILENT',
      POWERTOOLS_METRICS_DISABLED: 'true',
      PROGRESS_POLL_MS: '100',
    },
    credentials: FAKE_CREDENTIALS,
    output: logs,
    waitTimeSeconds: 1,
    clock: Date.now,
    log: silentLog,
    progressCredentials: [FAKE_CREDENTIALS],
  });
  s3 = new S3Client({ region: REGION, endpoint: stack.endpoint, forcePathStyle: true, credentials: FAKE_CREDENTIALS });
  sqs = new SQSClient({ region: REGION, endpoint: stack.endpoint, credentials: FAKE_CREDENTIALS });
}, 60_000);

afterAll(async () => {
  await stack?.stop();
  s3?.destroy();
  sqs?.destroy();
  await fake?.close();
  github?.closeAllConnections();
  await new Promise((r) => github?.close(r));
  for (const r of restores.reverse()) r();
  fs.rmSync(tmpDir, { recursive: true, force: true });
  fs.rmSync(outDir, { recursive: true, force: true });
});

describe('agent-runner dev', () => {
  it('prints the environment a client needs', () => {
    expect(stack.env).toEqual({
      AWS_REGION: REGION,
      AWS_ENDPOINT_URL_S3: stack.s3Endpoint,
      AWS_ENDPOINT_URL_SQS: stack.endpoint,
      ARTIFACT_BUCKET: 'agent-runner-local',
      TASK_QUEUE_URL: stack.queueUrl,
      AGENT_RUNNER_PROGRESS_URL: stack.progressUrl,
      AGENT_RUNNER_VIEW_URL: stack.viewUrl,
      AGENT_RUNNER_VIEW_SECRET: expect.stringMatching(/^[\w-]{43}$/),
    });
    expect([stack.endpoint, stack.s3Endpoint]).toEqual([expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+$/), expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+$/)]);
    expect(stack.s3Endpoint).not.toBe(stack.endpoint);
    expect(stack.progressUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
  });

  it('feeds the worker from the queue, deletes the message when done, and serves progress over HTTP', async () => {
    await sqs.send(new SendMessageCommand({ QueueUrl: stack.queueUrl, MessageBody: JSON.stringify({ taskId: 'dev-1', prompt: 'write from-dev.txt' }) }));
    const r = await until('the result', () => result('dev-1'));
    expect([r.status, r.turns, r.diff]).toEqual(['succeeded', 2, { files: 1, additions: 1, deletions: 0 }]);
    await until('the message to be deleted', async () => ((await counts(stack.queueUrl)).join() === '0,0' ? true : undefined));

    const res = await signedGet('tasks/dev-1/events', { 'last-event-id': '1' });
    expect([res.status, res.headers.get('content-type')]).toEqual([200, 'text/event-stream; charset=utf-8']);
    const events = parseSse(await res.text()).events;
    expect(events[0].data.seq).toBe(2);
    expect(events.at(-1)?.data).toMatchObject({ type: 'result', status: 'succeeded', taskId: 'dev-1' });
    const missing = await signedGet('tasks/nope/events');
    expect([missing.status, await missing.json()]).toEqual([404, { message: 'unknown task nope' }]);
  });

  it('answers a request not signed by an accepted credential 403, the same for a known and an unknown task', async () => {
    await until('a known task', () => result('dev-1'));
    const stranger = { accessKeyId: 'AKIDSTRANGER', secretAccessKey: 'x' };
    const answers = await Promise.all([
      fetch(new URL('tasks/dev-1/events', stack.progressUrl)),
      fetch(new URL('tasks/nope/events', stack.progressUrl)),
      signedGet('tasks/dev-1/events', {}, stranger),
      signedGet('tasks/nope/events', {}, stranger),
    ]);
    expect(await Promise.all(answers.map(async (r) => [r.status, await r.text()]))).toEqual(answers.map(() => [403, '{"Message":"Forbidden"}']));
  });

  it('runs a task once when its message is delivered twice at once (the conditional writes hold, as on AWS)', async () => {
    const before = fake.modelRequests.length;
    const body = JSON.stringify({ taskId: 'dev-twice', prompt: 'write from-dev.txt' });
    await Promise.all([0, 1].map(() => sqs.send(new SendMessageCommand({ QueueUrl: stack.queueUrl, MessageBody: body }))));
    expect((await until('the result', () => result('dev-twice'))).turns).toBe(2);
    await until('both messages handled', async () => ((await counts(stack.queueUrl)).join() === '0,0' ? true : undefined));
    // Two turns of one run: a second run would have asked the model again.
    expect(fake.modelRequests.length - before).toBe(2);
  });

  it('redelivers a message whose handling failed after the visibility timeout, then moves it to the dead-letter queue', async () => {
    const body = JSON.stringify({ taskId: 'dev-dlq', prompt: 'p', source: { github: { owner: 'o', repo: 'r' } } });
    await sqs.send(new SetQueueAttributesCommand({ QueueUrl: stack.queueUrl, Attributes: { VisibilityTimeout: '1' } }));
    restoreVisibility = () => sqs.send(new SetQueueAttributesCommand({ QueueUrl: stack.queueUrl, Attributes: { VisibilityTimeout: '120' } }));
    await sqs.send(new SendMessageCommand({ QueueUrl: stack.queueUrl, MessageBody: body }));
    const moved = await until(
      'the dead-letter queue',
      async () => {
        // Only this message: on a loaded machine another test's task can outlast the 1 s
        // visibility timeout, be received again while it runs, and end up there too.
        const res = await sqs.send(new ReceiveMessageCommand({ QueueUrl: stack.dlqUrl, WaitTimeSeconds: 0, MaxNumberOfMessages: 10, MessageSystemAttributeNames: ['All'] }));
        return res.Messages?.find((m) => m.Body === body);
      },
      20_000,
    );
    await restoreVisibility?.();
    expect(moved.Body).toBe(body);
    expect(Number(moved.Attributes?.ApproximateReceiveCount)).toBeGreaterThanOrEqual(2);
    await expect(result('dev-dlq')).rejects.toThrow();
  });

  it('works with the CI commands: enqueue --wait packs a folder, and follows the task to its result', async () => {
    const ws = path.join(tmpDir, 'ws');
    fs.mkdirSync(ws);
    fs.writeFileSync(path.join(ws, 'README.md'), '# from CI\n');
    const env = { ...process.env, ...stack.env, AGENT_RUNNER_STACK: '' };
    const child = spawn(process.execPath, [path.join(ROOT, 'bin/agent-runner.mjs'), 'enqueue', '--workspace', ws, '--prompt', 'write from-dev.txt', '--task-id', 'dev-ci', '--wait', '--json'], {
      cwd: ROOT,
      env,
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c) => (stdout += c));
    child.stderr.on('data', (c) => (stderr += c));
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect({ code, stderr: code === 0 ? '' : stderr }).toEqual({ code: 0, stderr: '' });
    expect((await result('dev-ci')).status).toBe('succeeded');
    expect(stdout).toContain('dev-ci');
    // The watch-page link: on stderr on a line of its own, in the JSON as viewUrl, and it opens the page.
    const viewUrl = /^view: (\S+)$/m.exec(stderr)?.[1];
    expect(JSON.parse(stdout).viewUrl).toBe(viewUrl);
    const page = await fetch(viewUrl!);
    expect([page.status, page.headers.get('content-type'), (await page.text()).includes('<code>dev-ci</code>')]).toEqual([200, 'text/html; charset=utf-8', true]);
  }, 60_000);
});
