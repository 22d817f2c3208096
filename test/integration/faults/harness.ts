/**
 * The fault-injection environment: fauxqs (S3 + SQS) with the fault proxy in front of its S3, the
 * fake Bedrock playing per-case scripts, a task queue with a 1 s visibility timeout redriving to a
 * dead-letter queue after 3 receives, and the queue poller feeding the real worker (processBatch)
 * the way Lambda's event-source mapping does, each batch with its own short "Lambda" deadline.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { GetObjectCommand } from '@aws-sdk/client-s3';
import {
  CreateQueueCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  SendMessageCommand,
} from '@aws-sdk/client-sqs';
import type { SQSEvent } from 'aws-lambda';
import { afterAll, beforeAll } from 'vitest';
import { startQueuePoller, type QueuePoller } from '../../../src/local/index.ts';
import { silentLog } from '../../../src/observability/index.ts';
import { processBatch, type RecordOutcome } from '../../../src/worker/index.ts';
import { startFakeBedrock, type FakeBedrock } from '../../support/fake-bedrock.ts';
import { setEnv, startLocalAws, type LocalAws } from '../../support/fauxqs.ts';
import { startS3Proxy, type S3Proxy } from '../../support/s3-proxy.ts';
import type { FaultReport } from './report.ts';
import { FaultScripts } from './script.ts';
import { createFaultWorker, REGION, type FaultWorker } from './worker-deps.ts';

export const BUCKET = 'fault-artifacts';
export const VISIBILITY_TIMEOUT_S = 1;
export const MAX_RECEIVE_COUNT = 3;

/** The "Lambda" each batch runs in: its timeout and processBatch's margins. */
export interface LambdaTiming {
  timeoutMs: number;
  hardMarginMs: number;
  softMarginMs: number;
  minStartMs: number;
  pauseMarginMs: number;
}

export const DEFAULT_TIMING: LambdaTiming = { timeoutMs: 20_000, hardMarginMs: 1_000, softMarginMs: 2_000, minStartMs: 500, pauseMarginMs: 1_000 };

/** One batch the poller handed to the worker. */
export interface Invocation {
  messageIds: string[];
  taskIds: (string | undefined)[];
  outcomes: RecordOutcome[];
  failures: string[];
}

export interface FaultEnv {
  aws: LocalAws;
  proxy: S3Proxy;
  fake: FakeBedrock;
  scripts: FaultScripts;
  worker: FaultWorker;
  queueUrl: string;
  queueArn: string;
  dlqUrl: string;
  tmpRoot: string;
  /** The timing of the next batches: a case that changes it puts DEFAULT_TIMING back afterwards. */
  timing: LambdaTiming;
  invocations: Invocation[];
  /** Stops taking messages from the task queue (a batch already taken runs to its end). */
  pausePolling(): Promise<void>;
  resumePolling(): void;
  /** Runs one batch as the Lambda function would (what the poller calls). */
  invoke(event: SQSEvent): ReturnType<typeof processBatch>;
  /** Sends a task (or a raw body) to the task queue; resolves its message id. */
  send(body: object | string): Promise<string>;
  /** Sends bodies in one SendMessageBatch, so they tend to arrive in one batch. */
  sendBatch(bodies: (object | string)[]): Promise<string[]>;
  /** Waits until the task's result.json exists; resolves it. */
  waitForResult(taskId: string, timeoutMs?: number): Promise<unknown>;
  /** Waits until the task queue holds no message, visible or in flight, and no batch runs. */
  waitIdle(timeoutMs?: number): Promise<void>;
  /** Bodies of the messages in the dead-letter queue (left there). */
  deadLetters(): Promise<string[]>;
  /** Invocations whose batch held a message of `taskId`. */
  invocationsOf(taskId: string): Invocation[];
  /** An object's text as fauxqs holds it (not through the proxy), or undefined. */
  getText(key: string): Promise<string | undefined>;
  close(): Promise<void>;
}

/** Polls `probe` until it returns something other than undefined. */
export async function waitFor<T>(what: string, probe: () => Promise<T | undefined> | T | undefined, timeoutMs = 10_000, everyMs = 40): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > until) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/**
 * A test file's environment: started before its tests, handed to `ready`; at the end the file's
 * report is printed and saved, and everything is stopped.
 */
export function useFaultEnv(report: FaultReport, ready: (env: FaultEnv) => void): void {
  let env: FaultEnv | undefined;
  beforeAll(async () => {
    env = await startFaultEnv();
    ready(env);
  });
  afterAll(async () => {
    report.finish();
    await env?.close();
  });
}

/** Starts the servers, queues and poller (see the file's comment); `close` stops them all. */
export async function startFaultEnv(): Promise<FaultEnv> {
  const tmpRoot = fs.mkdtempSync(path.join(os.tmpdir(), 'faults-'));
  const aws = await startLocalAws({ buckets: [BUCKET] });
  // The Bedrock client takes the default credential chain: fake keys, no shared files.
  const restoreEnv = setEnv({
    ...aws.env,
    AWS_PROFILE: undefined,
    AWS_CONFIG_FILE: path.join(tmpRoot, 'no-config'),
    AWS_SHARED_CREDENTIALS_FILE: path.join(tmpRoot, 'no-credentials'),
  });
  const proxy = await startS3Proxy(aws.endpoint);
  const scripts = new FaultScripts();
  const fake = await startFakeBedrock({ script: scripts.handler });
  const dlqUrl = (await aws.sqs.send(new CreateQueueCommand({ QueueName: 'faults-dlq' }))).QueueUrl!;
  const dlqArn = await queueArnOf(aws, dlqUrl);
  const queueUrl = (
    await aws.sqs.send(
      new CreateQueueCommand({
        QueueName: 'faults-tasks',
        Attributes: {
          VisibilityTimeout: String(VISIBILITY_TIMEOUT_S),
          RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlqArn, maxReceiveCount: String(MAX_RECEIVE_COUNT) }),
        },
      }),
    )
  ).QueueUrl!;
  const queueArn = await queueArnOf(aws, queueUrl);
  const worker = createFaultWorker({ s3Endpoint: proxy.url, sqsEndpoint: aws.endpoint, bedrockEndpoint: fake.url, bucket: BUCKET, queueUrl, tmpRoot: path.join(tmpRoot, 'lambda-tmp') });
  let busy = 0;

  const env: FaultEnv = {
    aws,
    proxy,
    fake,
    scripts,
    worker,
    queueUrl,
    queueArn,
    dlqUrl,
    tmpRoot,
    timing: { ...DEFAULT_TIMING },
    invocations: [],
    pausePolling: async () => undefined,
    resumePolling: () => undefined,
    async invoke(event) {
      busy++;
      try {
        const t = env.timing;
        const clock = worker.deps.clock;
        const deadline = clock() + t.timeoutMs;
        const report = await processBatch(event, worker.deps, {
          remainingMs: () => deadline - clock(),
          hardMarginMs: t.hardMarginMs,
          softMarginMs: t.softMarginMs,
          minStartMs: t.minStartMs,
          pauseMarginMs: t.pauseMarginMs,
        });
        env.invocations.push({
          messageIds: event.Records.map((r) => r.messageId),
          taskIds: event.Records.map((r) => taskIdOf(r.body)),
          outcomes: report.outcomes,
          failures: report.batchItemFailures.map((f) => f.itemIdentifier),
        });
        return report;
      } finally {
        busy--;
      }
    },
    async send(body) {
      return (await aws.sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: typeof body === 'string' ? body : JSON.stringify(body) }))).MessageId!;
    },
    async sendBatch(bodies) {
      const res = await aws.sqs.send(
        new SendMessageBatchCommand({
          QueueUrl: queueUrl,
          Entries: bodies.map((b, i) => ({ Id: String(i), MessageBody: typeof b === 'string' ? b : JSON.stringify(b) })),
        }),
      );
      return bodies.map((_, i) => res.Successful!.find((s) => s.Id === String(i))!.MessageId!);
    },
    async waitForResult(taskId, timeoutMs = 10_000) {
      const text = await waitFor(`the result of task ${taskId}`, () => env.getText(`tasks/${taskId}/result.json`), timeoutMs);
      return JSON.parse(text);
    },
    async waitIdle(timeoutMs = 10_000) {
      await waitFor(
        'the task queue to be idle',
        async () => {
          const a = (await aws.sqs.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['All'] }))).Attributes ?? {};
          const idle = busy === 0 && Number(a.ApproximateNumberOfMessages) === 0 && Number(a.ApproximateNumberOfMessagesNotVisible) === 0;
          return idle ? true : undefined;
        },
        timeoutMs,
        100,
      );
    },
    async deadLetters() {
      const res = await aws.sqs.send(new ReceiveMessageCommand({ QueueUrl: dlqUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 0, VisibilityTimeout: 0 }));
      return (res.Messages ?? []).map((m) => m.Body ?? '');
    },
    invocationsOf(taskId) {
      return env.invocations.filter((i) => i.taskIds.includes(taskId));
    },
    async getText(key) {
      try {
        const res = await aws.s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: key }));
        return await res.Body!.transformToString('utf-8');
      } catch (err) {
        if ((err as { name?: string }).name === 'NoSuchKey') return undefined;
        throw err;
      }
    },
    async close() {
      await poller.stop();
      worker.close();
      await fake.close();
      await proxy.close();
      await aws.stop();
      restoreEnv();
      fs.rmSync(tmpRoot, { recursive: true, force: true });
    },
  };
  // One batch at a time: a message that outlives its visibility timeout is not handed out again
  // while it runs (in Lambda the queue's visibility timeout is 6 times the function's timeout).
  const startPoller = (): QueuePoller =>
    startQueuePoller({
      sqs: aws.sqs,
      queueUrl,
      queueArn,
      region: REGION,
      batchSize: 10,
      maxConcurrency: 1,
      invoke: (event) => env.invoke(event),
      log: silentLog,
      waitTimeSeconds: 1,
    });
  let poller = startPoller();
  let paused = false;
  env.pausePolling = async () => {
    paused = true;
    await poller.stop();
  };
  env.resumePolling = () => {
    if (!paused) return;
    paused = false;
    poller = startPoller();
  };
  return env;
}

async function queueArnOf(aws: LocalAws, url: string): Promise<string> {
  const res = await aws.sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['QueueArn'] }));
  return res.Attributes!.QueueArn!;
}

function taskIdOf(body: string): string | undefined {
  try {
    const id = (JSON.parse(body) as { taskId?: unknown }).taskId;
    return typeof id === 'string' ? id : undefined;
  } catch {
    return undefined;
  }
}
