/**
 * The worker: Lambda's SQS event source hands it task messages (contract sections 7 and 10).
 * Clients are built once per execution environment; the per-message logic is in src/worker.
 */
import os from 'node:os';
import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { awsClientConfig, cachedSecretReader, readGitHubSettings, tokenProviderFor } from '../src/github/index.ts';
import { createBedrockClient, createBedrockProvider } from '../src/providers/index.ts';
import { S3ArtifactStore } from '../src/store/index.ts';
import { createLogger, createMetrics, emfTaskMetricsSink, powertoolsLog } from '../src/observability/index.ts';
import { createTaskSettings, processBatch, type WorkerDeps } from '../src/worker/index.ts';
import { endpointFor, listEnv, newTaskId, regionOf, requireEnv, s3ClientFrom } from './lib/aws.ts';

const env = process.env;
const region = regionOf(env);
const logger = createLogger({ serviceName: 'agent-runner-worker' });
const metrics = createMetrics({ namespace: env.METRICS_NAMESPACE ?? 'AgentRunner', serviceName: 'agent-runner-worker' });
const s3 = s3ClientFrom(env);
const bedrock = createBedrockClient({ region, endpoint: endpointFor('BEDROCK_RUNTIME', env) });
const { settings, defaultModel } = createTaskSettings({ env, configText: env.AGENT_RUNNER_CONFIG });

/** Tokens for GitHub sources when GitHub credentials are configured (a token or an App); else none. */
function githubTokens(): ((repo: { owner: string; repo: string }) => Promise<string>) | undefined {
  if (!env.GITHUB_TOKEN_SECRET_ARN && !env.GITHUB_TOKEN && !env.GITHUB_APP_ID) return undefined;
  const github = readGitHubSettings(env, { webhookSecret: false });
  const secretsClient = new SecretsManagerClient(awsClientConfig(env, 'secretsmanager'));
  const secrets = cachedSecretReader(async (arn) => (await secretsClient.send(new GetSecretValueCommand({ SecretId: arn }))).SecretString ?? '', Date.now);
  const tokens = tokenProviderFor(github, secrets, Date.now);
  return (repo) => tokens(repo);
}

const deps: WorkerDeps = {
  store: new S3ArtifactStore({ client: s3, bucket: requireEnv(env, 'ARTIFACT_BUCKET') }),
  provider: createBedrockProvider({ client: bedrock, region }),
  settings,
  defaultModel,
  sources: {
    s3,
    githubApiUrl: env.GITHUB_API_URL,
    githubToken: githubTokens(),
    gitCredentials: env.GIT_TOKEN ? [{ host: env.GIT_TOKEN_HOST ?? 'github.com', token: env.GIT_TOKEN }] : [],
    limits: {
      ...(env.SOURCE_MAX_BYTES ? { maxBytes: Number(env.SOURCE_MAX_BYTES) } : {}),
      ...(env.SOURCE_MAX_FILES ? { maxFiles: Number(env.SOURCE_MAX_FILES) } : {}),
    },
  },
  parentEnv: env,
  tmpRoot: os.tmpdir(),
  clock: Date.now,
  newId: newTaskId,
  log: powertoolsLog(logger),
  metrics: emfTaskMetricsSink(metrics),
  allowedSourceBuckets: listEnv(env, 'ALLOWED_SOURCE_BUCKETS'),
};

export const handler = middy<SQSEvent, SQSBatchResponse, Error, Context>()
  .use(injectLambdaContext(logger))
  .handler(async (event, context) => {
    const report = await processBatch(event, deps, { remainingMs: () => context.getRemainingTimeInMillis() });
    return { batchItemFailures: report.batchItemFailures };
  });
