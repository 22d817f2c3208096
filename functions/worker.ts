/**
 * The worker: Lambda's SQS event source hands it task messages (contract sections 7 and 10).
 * Clients are built once per execution environment; the per-message logic is in src/worker.
 */
import os from 'node:os';
import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { createBedrockClient, createBedrockProvider } from '../src/providers/index.ts';
import { S3ArtifactStore } from '../src/store/index.ts';
import { createLogger, createMetrics, emfTaskMetricsSink, powertoolsLog } from '../src/observability/index.ts';
import { processBatch, sqsContinuation, type WorkerDeps } from '../src/worker/index.ts';
import { awsClientConfig, endpointFor, listEnv, newTaskId, regionOf, requireEnv, s3ClientFrom, sweepScopeOf } from './lib/aws.ts';
import { workerSettings } from './lib/providers.ts';
import { lambdaInvoker, sourceTokenClient } from './lib/source-token.ts';
import { secureProcessEnv } from './lib/secure-env.ts';
import { createRedactor, ToolProcessSweeper } from '../src/security/index.ts';
import { readBudgets, S3LedgerStore } from '../src/budget/index.ts';

// Settings come from a copy taken before the credentials and secrets leave the environment.
const env = { ...process.env };
// Tools must not find the runner's credentials (environment, /proc/<pid>/environ): they move into
// memory here, before any client is built (docs/security.md).
const secured = secureProcessEnv();
const credentials = secured.credentials;
const region = regionOf(env);
const logger = createLogger({ serviceName: 'agent-runner-worker' });
const metrics = createMetrics({ namespace: env.METRICS_NAMESPACE ?? 'AgentRunner', serviceName: 'agent-runner-worker' });
const s3 = s3ClientFrom(env, credentials);
const withCredentials = <T extends object>(o: T): T => (credentials ? { ...o, credentials } : o);
const bedrock = createBedrockClient(withCredentials({ region, endpoint: endpointFor('BEDROCK_RUNTIME', env) }));
const log = powertoolsLog(logger);
log.info('environment secured', { mode: secured.mode, removed: secured.removed, environBlock: secured.environBlock, ptraceScope: secured.ptraceScope });
// Model providers (and their API keys, read from Secrets Manager) per task; keys never enter env.
const { settings, defaultModel, redactPatterns } = workerSettings(env, {
  // Clients other than S3 and Bedrock are loaded when first needed: they cost cold-start time.
  secrets: async () => new (await import('@aws-sdk/client-secrets-manager')).SecretsManagerClient(withCredentials(awsClientConfig(env, 'secretsmanager'))),
  bedrockClient: (o) => createBedrockClient(withCredentials(o)),
});
// The worker holds no GitHub credential: private repositories get a read-only token from the source-token function.
const githubToken = env.SOURCE_TOKEN_FUNCTION
  ? sourceTokenClient(lambdaInvoker(withCredentials({ region, endpoint: endpointFor('LAMBDA', env) })), env.SOURCE_TOKEN_FUNCTION, log)
  : undefined;

const bucket = requireEnv(env, 'ARTIFACT_BUCKET');
const deps: WorkerDeps = {
  store: new S3ArtifactStore({ client: s3, bucket }),
  provider: createBedrockProvider({ client: bedrock, region }),
  settings,
  defaultModel,
  sources: {
    s3,
    githubApiUrl: env.GITHUB_API_URL,
    githubToken,
    gitCredentials: env.GIT_TOKEN ? [{ host: env.GIT_TOKEN_HOST ?? 'github.com', token: env.GIT_TOKEN }] : [],
    limits: {
      ...(env.SOURCE_MAX_BYTES ? { maxBytes: Number(env.SOURCE_MAX_BYTES) } : {}),
      ...(env.SOURCE_MAX_FILES ? { maxFiles: Number(env.SOURCE_MAX_FILES) } : {}),
    },
  },
  // The scrubbed environment: what buildToolEnv filters for tool processes.
  parentEnv: process.env,
  tmpRoot: os.tmpdir(),
  clock: Date.now,
  newId: newTaskId,
  log,
  metrics: emfTaskMetricsSink(metrics),
  redactor: createRedactor({ patterns: redactPatterns, literals: secured.secretValues }),
  allowedSourceBuckets: listEnv(env, 'ALLOWED_SOURCE_BUCKETS'),
  // Every result is counted in budget/<YYYY-MM>.json; MONTHLY_BUDGET_USD and REPOSITORY_MONTHLY_BUDGET_USD refuse tasks over them.
  budget: { ledger: new S3LedgerStore({ client: s3, bucket }), budgets: readBudgets(env) },
  ...(Number(env.CANCEL_POLL_MS) >= 100 ? { cancelPollMs: Number(env.CANCEL_POLL_MS) } : {}),
  // 0 or unset: derived per task from its time limit and the invocation's time.
  ...(Number(env.MAX_CONTINUATIONS) > 0 ? { maxContinuations: Number(env.MAX_CONTINUATIONS) } : {}),
  // Nothing a task's tools start outlives the task (docs/security.md).
  processes: new ToolProcessSweeper({ scope: sweepScopeOf(env) }),
  ...(env.MAX_RECEIVE_COUNT ? { maxReceiveCount: Number(env.MAX_RECEIVE_COUNT) } : {}),
  // Without the queue's URL a task is cut at the invocation's time instead of continuing.
  ...(env.TASK_QUEUE_URL ? { continueTask: sqsContinuation(async () => new (await import('@aws-sdk/client-sqs')).SQSClient(withCredentials({ region, endpoint: endpointFor('SQS', env) })), env.TASK_QUEUE_URL) } : {}),
};

export const handler = middy<SQSEvent, SQSBatchResponse, Error, Context>()
  .use(injectLambdaContext(logger))
  .handler(async (event, context) => {
    const report = await processBatch(event, deps, {
      remainingMs: () => context.getRemainingTimeInMillis(),
      ...(env.PAUSE_MARGIN_SECONDS ? { pauseMarginMs: Number(env.PAUSE_MARGIN_SECONDS) * 1000 } : {}),
    });
    return { batchItemFailures: report.batchItemFailures };
  });
