/**
 * The worker of the fault-injection suite, built as functions/worker.ts builds it but pointed at
 * the local servers by explicit endpoints: the real S3 store (through the fault proxy), the real
 * Bedrock client and provider (against the fake), continuations sent with the real SQS client.
 * Free of vitest, so the child process of the crash case builds the very same worker.
 */
import { randomBytes } from 'node:crypto';
import { S3Client } from '@aws-sdk/client-s3';
import { SQSClient } from '@aws-sdk/client-sqs';
import { createBedrockClient, createBedrockProvider, requireToolModel } from '../../../src/providers/index.ts';
import { S3ArtifactStore } from '../../../src/store/index.ts';
import { memoryTaskMetricsSink, type Log, type TaskMetrics } from '../../../src/observability/index.ts';
import { sqsContinuation, type WorkerDeps } from '../../../src/worker/index.ts';
import type { Task } from '../../../src/task/types.ts';

export const MODEL_ID = 'us.anthropic.claude-sonnet-4-5-20250929-v1:0';
export const REGION = 'us-east-1';
export const FAKE_CREDENTIALS = { accessKeyId: 'AKIDFAKEFAKEFAKE', secretAccessKey: 'fake-secret-key' };

export interface FaultWorkerConfig {
  /** Where the worker's S3 requests go: the fault proxy in front of fauxqs. */
  s3Endpoint: string;
  sqsEndpoint: string;
  bedrockEndpoint: string;
  bucket: string;
  /** The task queue, for continuations. */
  queueUrl: string;
  /** The function's /tmp. */
  tmpRoot: string;
}

export interface LogLine {
  level: 'debug' | 'info' | 'warn' | 'error';
  message: string;
  extra?: Record<string, unknown>;
}

export interface FaultWorker {
  deps: WorkerDeps;
  logs: LogLine[];
  metrics: TaskMetrics[];
  /** Replaces the worker's clock (the long-task case runs on a virtual one). */
  setClock(clock: () => number): void;
  close(): void;
}

/** Builds the worker's dependencies; the Bedrock client takes its credentials from the environment. */
export function createFaultWorker(cfg: FaultWorkerConfig): FaultWorker {
  const s3 = new S3Client({ region: REGION, endpoint: cfg.s3Endpoint, forcePathStyle: true, credentials: FAKE_CREDENTIALS });
  const sqs = new SQSClient({ region: REGION, endpoint: cfg.sqsEndpoint, credentials: FAKE_CREDENTIALS });
  const bedrock = createBedrockClient({ region: REGION, endpoint: cfg.bedrockEndpoint });
  const model = requireToolModel(MODEL_ID);
  const logs: LogLine[] = [];
  const line = (level: LogLine['level']) => (message: string, extra?: Record<string, unknown>) => void logs.push({ level, message, ...(extra ? { extra } : {}) });
  const log: Log = { debug: () => undefined, info: line('info'), warn: line('warn'), error: line('error'), appendKeys: () => undefined, removeKeys: () => undefined };
  const metrics = memoryTaskMetricsSink();
  let clock: () => number = Date.now;
  const deps: WorkerDeps = {
    store: new S3ArtifactStore({ client: s3, bucket: cfg.bucket }),
    // Short backoff: the faults are the point, not the waiting.
    provider: createBedrockProvider({ client: bedrock, region: REGION, baseDelayMs: 5, maxDelayMs: 40 }),
    settings: (task: Task) => ({
      model,
      limits: { maxTurns: task.limits.maxTurns ?? 60, maxCostUsd: task.limits.maxCostUsd ?? 20, timeoutSeconds: task.limits.timeoutSeconds ?? 3600 },
    }),
    defaultModel: MODEL_ID,
    sources: { s3 },
    parentEnv: { PATH: process.env.PATH },
    tmpRoot: cfg.tmpRoot,
    clock: () => clock(),
    newId: () => randomBytes(6).toString('hex'),
    log,
    metrics,
    continueTask: sqsContinuation(sqs, cfg.queueUrl),
  };
  return {
    deps,
    logs,
    metrics: metrics.published,
    setClock(c) {
      clock = c;
    },
    close() {
      s3.destroy();
      sqs.destroy();
      bedrock.destroy();
    },
  };
}
