/**
 * The attack suite's Lambda-like environment: the built worker bundle (dist/worker/index.mjs)
 * loaded once and invoked batch after batch from the task queue, as `agent-runner dev` runs it
 * (startDevStack), but with the suite's own S3 (behind the conditional-write proxy) and SQS, in
 * a process of its own: a tool can kill it, as a tool can kill a Lambda runtime, and the suite
 * starts another, as Lambda resets the environment. Configuration in ATTACK_WORKER (JSON);
 * prints `{"ready": true, "pid": ...}` once it polls the queue.
 */
import { startDevStack } from '../../../src/local/index.ts';
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
const stack = await startDevStack({
  distDir: cfg.distDir,
  port: 0,
  progressPort: 0,
  bucket: cfg.bucket,
  queueName: cfg.queueName,
  region: process.env.AWS_REGION ?? 'us-east-1',
  batchSize: 1,
  maxConcurrency: 1,
  maxReceiveCount: cfg.maxReceiveCount,
  visibilityTimeoutSeconds: cfg.visibilityTimeoutSeconds,
  workerTimeoutMs: 900_000,
  progressTimeoutMs: 60_000,
  waitTimeSeconds: 1,
  setEnv: (vars) => Object.assign(process.env, vars),
  clock: Date.now,
  log: silentLog,
  progressCredentials: [cfg.credentials],
  aws: { s3Endpoint: cfg.s3Endpoint, sqsEndpoint: cfg.sqsEndpoint },
});
process.stdout.write(`${JSON.stringify({ ready: true, pid: process.pid })}\n`);
process.once('SIGTERM', () => void stack.stop().finally(() => process.exit(0)));
