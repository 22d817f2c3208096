/**
 * The attack suite's Lambda-like environment: the built worker bundle (dist/worker/index.mjs)
 * loaded once and invoked batch after batch from the task queue, as the event-source mapping
 * does, with the suite's own S3 (behind the conditional-write proxy) and SQS, in
 * a process of its own: a tool can kill it, as a tool can kill a Lambda runtime, and the suite
 * starts another, as Lambda resets the environment. Configuration in ATTACK_WORKER (JSON);
 * prints `{"ready": true, "pid": ...}` once it polls the queue.
 */
import path from 'node:path';
import { S3Client } from '@aws-sdk/client-s3';
import { SQSClient } from '@aws-sdk/client-sqs';
import { createLambdaContext, createLocalStack, invokeHandler, loadBundle, startQueuePoller } from '../../../src/local/index.ts';
import { silentLog } from '../../../src/observability/index.ts';

export interface LambdaWorkerConfig {
  distDir: string;
  s3Endpoint: string;
  sqsEndpoint: string;
  bucket: string;
  queueName: string;
  visibilityTimeoutSeconds: number;
  maxReceiveCount: number;
  credentials: { accessKeyId: string; secretAccessKey: string };
}

const cfg = JSON.parse(process.env.ATTACK_WORKER ?? '{}') as LambdaWorkerConfig;
const region = process.env.AWS_REGION ?? 'us-east-1';
const s3 = new S3Client({ region, endpoint: cfg.s3Endpoint, forcePathStyle: true, credentials: cfg.credentials });
const sqs = new SQSClient({ region, endpoint: cfg.sqsEndpoint, credentials: cfg.credentials });
const stack = await createLocalStack(s3, sqs, { bucket: cfg.bucket, queueName: cfg.queueName, visibilityTimeout: cfg.visibilityTimeoutSeconds, maxReceiveCount: cfg.maxReceiveCount });
// This process is the worker's Lambda runtime (agent-runner dev runs it under the RIC in a process
// of its own): the bundle reads the stack's variables from this environment.
Object.assign(process.env, {
  AWS_ENDPOINT_URL_S3: cfg.s3Endpoint,
  AWS_ENDPOINT_URL_SQS: cfg.sqsEndpoint,
  ARTIFACT_BUCKET: stack.bucket,
  TASK_QUEUE_URL: stack.queueUrl,
  // The worker ends a task whose deliveries keep dying on the queue's last one.
  MAX_RECEIVE_COUNT: String(cfg.maxReceiveCount),
});
const worker = await loadBundle(path.join(cfg.distDir, 'worker', 'index.mjs'));
const poller = startQueuePoller({
  sqs,
  queueUrl: stack.queueUrl,
  queueArn: stack.queueArn,
  region,
  batchSize: 1,
  maxConcurrency: 1,
  waitTimeSeconds: 1,
  log: silentLog,
  invoke: async (event) => {
    const out = await invokeHandler(worker, event, createLambdaContext({ functionName: 'Worker', timeoutMs: 900_000, region, clock: Date.now }));
    return out.streaming ? undefined : out.result;
  },
});
process.stdout.write(`${JSON.stringify({ ready: true, pid: process.pid })}\n`);
process.once('SIGTERM', () => void poller.stop().finally(() => process.exit(0)));
