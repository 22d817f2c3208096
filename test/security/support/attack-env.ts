/**
 * The attack suite's stack, on loopback, around the built bundles (`npm test` builds them first):
 * fauxqs for S3 (behind the product's conditional-write proxy) and SQS, the fake Bedrock playing
 * a script per case (chosen by a `[case:<name>]` marker in the task's prompt), a local GitHub, and
 * the worker in a Lambda-like process reused between invocations (lambda-worker.ts), started
 * again whenever it dies. The webhook and publisher bundles run in this process, as invoked.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { GetObjectCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import { ReceiveMessageCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
import type { APIGatewayProxyStructuredResultV2, S3Event } from 'aws-lambda';
import type { AgentEvent, TaskResult } from '../../../src/task/events.ts';
import { createLocalStack, invokeBundle } from '../../../src/local/index.ts';
import { metadata, startFakeBedrock, text, type FakeBedrock, type Json, type Part } from '../../support/fake-bedrock.ts';
import { FakeGitHub } from '../../support/fake-github.ts';
import { FAKE_CREDENTIALS, REGION, setEnv, startLocalAws, type LocalAws } from '../../support/fauxqs.ts';
import { startS3Proxy, type S3Proxy } from '../../support/s3-proxy.ts';
import type { LambdaWorkerConfig } from './lambda-worker.ts';

const ROOT = path.resolve(import.meta.dirname, '../../..');
export const DIST = path.join(ROOT, 'dist');
export const BUCKET = 'attack-artifacts';
export const MODEL = 'us.anthropic.claude-sonnet-4-5-20250929-v1:0';
export const WEBHOOK_SECRET = 'attack-webhook-secret';
export const GITHUB_TOKEN = 'ghp_attack_suite_ingest_and_publisher';
/** The repository of @octokit/webhooks-examples' payloads. */
export const OWNER = 'Codertocat';
export const REPO = 'Hello-World';
const QUEUE = 'attack-tasks';
/** Short, so that a dead worker's message comes back soon; longer than any case's run. */
const VISIBILITY_TIMEOUT_S = 6;
export const MAX_RECEIVE_COUNT = 3;

/** One case's model: the turn for the `index`-th model call of its task. */
export type CaseScript = (index: number, body: Json) => Part[];

export interface AttackEnv {
  aws: LocalAws;
  proxy: S3Proxy;
  bedrock: FakeBedrock;
  github: FakeGitHub;
  queueUrl: string;
  dlqUrl: string;
  /** A scratch folder of the suite (outside the worker's /tmp). */
  scratch: string;
  /** Registers the model of a case: tasks whose prompt holds `[case:<name>]` get it. */
  script(name: string, turns: CaseScript): void;
  /** The worker process now, and how many times it was started. */
  worker(): { pid: number; starts: number };
  send(body: object): Promise<void>;
  waitForResult(taskId: string, timeoutMs: number): Promise<TaskResult>;
  events(taskId: string): Promise<AgentEvent[]>;
  text(key: string): Promise<string | undefined>;
  deadLetters(): Promise<string[]>;
  /** Posts a signed delivery to the webhook bundle. */
  webhook(event: string, delivery: string, body: string): Promise<APIGatewayProxyStructuredResultV2>;
  /** Runs the publisher bundle on the task's result notification. */
  publish(taskId: string): Promise<{ published: Record<string, unknown>[] }>;
  close(): Promise<void>;
}

const lastPrompt = (body: Json): string => ((body.messages?.[0]?.content ?? []) as Json[]).map((c) => c.text ?? '').join('');

export async function startAttackEnv(): Promise<AttackEnv> {
  for (const fn of ['worker', 'webhook', 'publisher']) {
    if (!fs.existsSync(path.join(DIST, fn, 'index.mjs'))) throw new Error(`dist/${fn}/index.mjs is missing: run npm run build (npm test does)`);
  }
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'attacks-'));
  const lambdaTmp = path.join(scratch, 'lambda-tmp');
  fs.mkdirSync(lambdaTmp);
  const aws = await startLocalAws();
  const proxy = await startS3Proxy(aws.endpoint);
  const scripts = new Map<string, CaseScript>();
  const bedrock = await startFakeBedrock({
    script: (body) => {
      const name = /\[case:([a-z0-9-]+)\]/.exec(lastPrompt(body))?.[1];
      const index = ((body.messages ?? []) as Json[]).filter((m) => m.role === 'assistant').length;
      const turn = name ? scripts.get(name) : undefined;
      return turn ? [...turn(index, body), metadata({ inputTokens: 100, outputTokens: 10 })] : [text('Nothing to do.'), metadata({ inputTokens: 10, outputTokens: 2 })];
    },
  });
  const github = await FakeGitHub.start({ tokens: [GITHUB_TOKEN] });
  const stack = await createLocalStack(aws.s3, aws.sqs, { bucket: BUCKET, queueName: QUEUE, visibilityTimeout: VISIBILITY_TIMEOUT_S, maxReceiveCount: MAX_RECEIVE_COUNT });

  const workerConfig: LambdaWorkerConfig = {
    distDir: DIST,
    s3Endpoint: proxy.url,
    sqsEndpoint: aws.endpoint,
    bucket: BUCKET,
    queueName: QUEUE,
    visibilityTimeoutSeconds: VISIBILITY_TIMEOUT_S,
    maxReceiveCount: MAX_RECEIVE_COUNT,
    credentials: FAKE_CREDENTIALS,
  };
  const workerEnv = {
    PATH: process.env.PATH,
    LANG: 'C.UTF-8',
    HOME: scratch,
    TMPDIR: lambdaTmp,
    AWS_REGION: REGION,
    AWS_ACCESS_KEY_ID: FAKE_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: FAKE_CREDENTIALS.secretAccessKey,
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_CONFIG_FILE: path.join(scratch, 'no-config'),
    AWS_SHARED_CREDENTIALS_FILE: path.join(scratch, 'no-credentials'),
    AWS_ENDPOINT_URL_BEDROCK_RUNTIME: bedrock.url,
    MODEL_ID: MODEL,
    MAX_TURNS: '10',
    ALLOWED_SOURCE_BUCKETS: BUCKET,
    GITHUB_API_URL: github.url,
    POWERTOOLS_LOG_LEVEL: 'SILENT',
    POWERTOOLS_METRICS_DISABLED: 'true',
    AWS_LAMBDA_LOG_LEVEL: 'ERROR',
    ATTACK_WORKER: JSON.stringify(workerConfig),
  };
  let child: ChildProcess | undefined;
  let starts = 0;
  let closing = false;
  const startWorker = (): Promise<void> => {
    starts++;
    const c = spawn(process.execPath, ['--import', 'tsx', path.join(import.meta.dirname, 'lambda-worker.ts')], { cwd: ROOT, env: workerEnv, stdio: ['ignore', 'pipe', 'pipe'] });
    child = c;
    let out = '';
    let err = '';
    c.stderr!.on('data', (d: Buffer) => (err = (err + d).slice(-4000)));
    // A worker that dies (a tool killed it) is replaced, as Lambda resets the environment.
    c.once('exit', () => {
      if (!closing && child === c) void startWorker();
    });
    return new Promise((resolve, reject) => {
      c.stdout!.on('data', (d: Buffer) => {
        out += d;
        if (out.includes('"ready":true')) resolve();
      });
      c.once('exit', (code, signal) => reject(new Error(`the worker process ended before it was ready (${code ?? signal}): ${err}`)));
    });
  };
  await startWorker();

  const get = async (key: string): Promise<string | undefined> => {
    try {
      return await (await aws.s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: key }))).Body!.transformToString();
    } catch (e) {
      if ((e as { name?: string }).name === 'NoSuchKey') return undefined;
      throw e;
    }
  };
  const bundleEnv = {
    ...aws.env,
    AWS_ENDPOINT_URL_S3: proxy.url,
    AWS_CONFIG_FILE: path.join(scratch, 'no-config'),
    AWS_SHARED_CREDENTIALS_FILE: path.join(scratch, 'no-credentials'),
    AWS_PROFILE: undefined,
    ARTIFACT_BUCKET: BUCKET,
    TASK_QUEUE_URL: stack.queueUrl,
    GITHUB_API_URL: github.url,
    GITHUB_WEBHOOK_SECRET: WEBHOOK_SECRET,
    GITHUB_TOKEN,
    GITHUB_WEBHOOK_SECRET_ARN: undefined,
    GITHUB_TOKEN_SECRET_ARN: undefined,
    GITHUB_APP_ID: undefined,
    TRIGGER_LABEL: undefined,
    PUBLISH_CI_CONFIG: undefined,
    POWERTOOLS_LOG_LEVEL: 'SILENT',
  };
  /** Invokes a bundle in this process with the stack's environment (restored afterwards). */
  const invoke = async (fn: string, event: unknown): Promise<unknown> => {
    const restore = setEnv(bundleEnv);
    try {
      const out = await invokeBundle({ bundlePath: path.join(DIST, fn, 'index.mjs'), event, functionName: fn, timeoutMs: 60_000, clock: Date.now });
      return out.streaming ? undefined : out.result;
    } finally {
      restore();
    }
  };

  return {
    aws,
    proxy,
    bedrock,
    github,
    queueUrl: stack.queueUrl,
    dlqUrl: stack.dlqUrl,
    scratch,
    script: (name, turns) => void scripts.set(name, turns),
    worker: () => ({ pid: child!.pid!, starts }),
    async send(body) {
      await aws.sqs.send(new SendMessageCommand({ QueueUrl: stack.queueUrl, MessageBody: JSON.stringify(body) }));
    },
    async waitForResult(taskId, timeoutMs) {
      const until = Date.now() + timeoutMs;
      for (;;) {
        const t = await get(`tasks/${taskId}/result.json`);
        if (t !== undefined) return JSON.parse(t) as TaskResult;
        if (Date.now() > until) throw new Error(`no result for task ${taskId} within ${timeoutMs} ms`);
        await new Promise((r) => setTimeout(r, 200));
      }
    },
    async events(taskId) {
      const listed = await aws.s3.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: `tasks/${taskId}/events/` }));
      const keys = (listed.Contents ?? []).map((o) => o.Key!).sort();
      const texts = await Promise.all(keys.map((k) => get(k)));
      return texts.flatMap((t) => (t ?? '').split('\n').filter(Boolean).map((l) => JSON.parse(l) as AgentEvent));
    },
    text: get,
    async deadLetters() {
      const res = await aws.sqs.send(new ReceiveMessageCommand({ QueueUrl: stack.dlqUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 0, VisibilityTimeout: 0 }));
      return (res.Messages ?? []).map((m) => m.Body ?? '');
    },
    async webhook(event, delivery, body) {
      const { signBody } = await import('../../../src/github/ingest/signature.ts');
      const headers = { 'content-type': 'application/json', 'x-github-event': event, 'x-github-delivery': delivery, 'x-hub-signature-256': signBody(WEBHOOK_SECRET, body) };
      return (await invoke('webhook', { version: '2.0', rawPath: '/', headers, body, isBase64Encoded: false, requestContext: { http: { method: 'POST', path: '/' } } })) as APIGatewayProxyStructuredResultV2;
    },
    async publish(taskId) {
      const event = JSON.parse(fs.readFileSync(path.join(ROOT, 'events/publisher-result.json'), 'utf8')) as S3Event;
      event.Records[0].s3.bucket.name = BUCKET;
      event.Records[0].s3.object.key = `tasks/${taskId}/result.json`;
      return (await invoke('publisher', event)) as { published: Record<string, unknown>[] };
    },
    async close() {
      closing = true;
      const c = child;
      if (c && c.exitCode === null && c.signalCode === null) {
        const gone = new Promise((r) => c.once('exit', r));
        c.kill('SIGTERM');
        const timer = setTimeout(() => c.kill('SIGKILL'), 5_000);
        await gone;
        clearTimeout(timer);
      }
      await github.stop();
      await bedrock.close();
      await proxy.close();
      await aws.stop();
      fs.rmSync(scratch, { recursive: true, force: true });
    },
  };
}

/** The child's peak resident memory so far (VmHWM), in bytes. */
export function peakRss(pid: number): number {
  const kb = /^VmHWM:\s+(\d+) kB/m.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
  return Number(kb ?? 0) * 1024;
}
