import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { SQSEvent, SQSRecord } from 'aws-lambda';

import type { Task } from '../../../src/task/types.ts';
import { memoryTaskMetricsSink, silentLog, type Log } from '../../../src/observability/index.ts';
import { TaskSettingsError, type WorkerDeps } from '../../../src/worker/index.ts';
import { ScriptProvider, type ScriptTurn, SCRIPT_MODEL } from '../../support/script-provider.ts';

export const MODEL = SCRIPT_MODEL;

/** An SQS record as Lambda's event-source mapping delivers it. */
export function sqsRecord(body: string, messageId: string, receiveCount = 1, queueArn = 'arn:aws:sqs:us-east-1:123456789012:tasks'): SQSRecord {
  return {
    messageId,
    receiptHandle: `rh-${messageId}`,
    body,
    attributes: {
      ApproximateReceiveCount: String(receiveCount),
      SentTimestamp: '1700000000000',
      SenderId: 'AIDAEXAMPLE',
      ApproximateFirstReceiveTimestamp: '1700000000001',
    },
    messageAttributes: {},
    md5OfBody: '',
    eventSource: 'aws:sqs',
    eventSourceARN: queueArn,
    awsRegion: 'us-east-1',
  };
}

export function sqsEvent(...records: SQSRecord[]): SQSEvent {
  return { Records: records };
}

export interface Harness {
  deps: WorkerDeps;
  provider: ScriptProvider;
  metrics: ReturnType<typeof memoryTaskMetricsSink>;
  tmpRoot: string;
  logs: { level: string; message: string; extra?: Record<string, unknown>; keys: Record<string, unknown> }[];
  cleanup(): void;
}

/** Worker dependencies around a scripted model, with a fixed clock and a recording log. */
export function harness(store: WorkerDeps['store'], turns: ScriptTurn[], over: Partial<WorkerDeps> = {}): Harness {
  const tmpRoot = fs.mkdtempSync(path.join(os.tmpdir(), 'worker-test-'));
  const provider = new ScriptProvider(turns);
  const metrics = memoryTaskMetricsSink();
  const logs: Harness['logs'] = [];
  let keys: Record<string, unknown> = {};
  const log: Log = {
    ...silentLog,
    debug: (message, extra) => void logs.push({ level: 'debug', message, extra, keys: { ...keys } }),
    info: (message, extra) => void logs.push({ level: 'info', message, extra, keys: { ...keys } }),
    warn: (message, extra) => void logs.push({ level: 'warn', message, extra, keys: { ...keys } }),
    error: (message, extra) => void logs.push({ level: 'error', message, extra, keys: { ...keys } }),
    appendKeys: (k) => void (keys = { ...keys, ...k }),
    removeKeys: (names) => void (keys = Object.fromEntries(Object.entries(keys).filter(([n]) => !names.includes(n)))),
  };
  let t = Date.parse('2026-01-01T00:00:00Z');
  let ids = 0;
  const deps: WorkerDeps = {
    store,
    provider,
    settings: (task: Task) => {
      if (task.model && task.model !== MODEL.id) throw new TaskSettingsError('model', `${task.model} is not a model with tool use`);
      return {
        model: MODEL,
        limits: { maxTurns: task.limits.maxTurns ?? 10, maxCostUsd: task.limits.maxCostUsd ?? 5, timeoutSeconds: task.limits.timeoutSeconds ?? 3600 },
      };
    },
    defaultModel: MODEL.id,
    sources: {},
    parentEnv: { PATH: process.env.PATH, AWS_SECRET_ACCESS_KEY: 'must-not-leak' },
    tmpRoot,
    clock: () => (t += 7),
    newId: () => `gen-${++ids}`,
    log,
    metrics,
    ...over,
  };
  return { deps, provider, metrics, tmpRoot, logs, cleanup: () => fs.rmSync(tmpRoot, { recursive: true, force: true }) };
}

export const TIMING = { remainingMs: () => 900_000 };
