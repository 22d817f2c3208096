/**
 * What the worker bundle needs to run on loopback: fauxqs with the artifact bucket and a task
 * queue, a task's source uploaded as the client would, and the function's environment.
 */
import fs from 'node:fs';
import path from 'node:path';
import { GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { CreateQueueCommand } from '@aws-sdk/client-sqs';
import type { SQSEvent } from 'aws-lambda';
import { packWorkspace } from '../src/client/index.ts';
import { startLocalAws, type LocalAws } from '../test/support/fauxqs.ts';
import { sqsEvent, sqsRecord } from '../test/unit/worker/helpers.ts';
import { MODEL_ID } from './loop-overhead.ts';

export const BUCKET = 'bench-artifacts';

export interface BenchAws {
  aws: LocalAws;
  queueUrl: string;
}

/** Starts fauxqs with the artifact bucket and a task queue. */
export async function startBenchAws(): Promise<BenchAws> {
  const aws = await startLocalAws({ buckets: [BUCKET] });
  const q = await aws.sqs.send(new CreateQueueCommand({ QueueName: 'bench-tasks' }));
  return { aws, queueUrl: q.QueueUrl ?? '' };
}

/** Packs `workspace` as `enqueue` does and puts it at `inputs/<name>.tar.gz`; returns the key. */
export async function uploadSource(aws: LocalAws, workspace: string, name: string, scratch: string): Promise<string> {
  const file = path.join(scratch, `${name}.tar.gz`);
  await packWorkspace(workspace, { outFile: file, maxBytes: 1024 * 1024 * 1024 });
  const key = `inputs/${name}.tar.gz`;
  await aws.s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: fs.readFileSync(file) }));
  fs.rmSync(file, { force: true });
  return key;
}

/** The worker's environment: the stack's names, loopback endpoints and fake keys, quiet logs. */
export function workerEnv(b: BenchAws, opts: { s3Endpoint?: string; bedrockUrl: string; tmpDir: string }): Record<string, string | undefined> {
  return {
    ...b.aws.env,
    AWS_ENDPOINT_URL_S3: opts.s3Endpoint ?? b.aws.endpoint,
    AWS_ENDPOINT_URL_BEDROCK_RUNTIME: opts.bedrockUrl,
    AWS_PROFILE: undefined,
    AWS_CONFIG_FILE: path.join(opts.tmpDir, 'no-aws-config'),
    AWS_SHARED_CREDENTIALS_FILE: path.join(opts.tmpDir, 'no-aws-credentials'),
    ARTIFACT_BUCKET: BUCKET,
    TASK_QUEUE_URL: b.queueUrl,
    MODEL_ID,
    TMPDIR: opts.tmpDir,
    POWERTOOLS_LOG_LEVEL: 'SILENT',
    POWERTOOLS_METRICS_DISABLED: 'true',
    AWS_LAMBDA_LOG_LEVEL: 'ERROR',
  };
}

/** The SQS event of one task whose source is `s3://BUCKET/key`. */
export function taskEvent(taskId: string, prompt: string, key: string, maxTurns: number): SQSEvent {
  const body = { taskId, prompt, source: { s3: { bucket: BUCKET, key } }, limits: { maxTurns, maxCostUsd: 10_000, timeoutSeconds: 3600 } };
  return sqsEvent(sqsRecord(JSON.stringify(body), `msg-${taskId}`, 1, 'arn:aws:sqs:us-east-1:000000000000:bench-tasks'));
}

/** The task's result.json; throws unless it succeeded after `turns` turns. */
export async function expectSucceeded(b: BenchAws, taskId: string, turns: number): Promise<void> {
  const res = await b.aws.s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: `tasks/${taskId}/result.json` }));
  const result = JSON.parse(await res.Body!.transformToString()) as { status: string; turns: number; error?: unknown };
  if (result.status !== 'succeeded' || result.turns !== turns) throw new Error(`bench: task ${taskId} ended ${result.status} after ${result.turns} turns: ${JSON.stringify(result.error)}`);
}
