/** GitHub webhook ingest: a function URL (AuthType NONE) that verifies, dedupes and enqueues (contract section 11). */
import { SQSClient } from '@aws-sdk/client-sqs';
import type { APIGatewayProxyStructuredResultV2, LambdaFunctionURLEvent } from 'aws-lambda';
import {
  GitHubClient,
  IndexedTaskQueue,
  S3DeliveryLog,
  S3TaskIndex,
  S3PullStateStore,
  SqsTaskQueue,
  fromFunctionUrlEvent,
  handleDelivery,
  jobLogReader,
  ledgerBudgetCheck,
  readCiFixSettings,
  type CiFixDeps,
  type IngestLog,
} from '../src/github/ingest/index.ts';
import { awsClientConfig, requireEnv } from './lib/aws.ts';
import { githubAppFrom } from './lib/github-app.ts';
import { jsonLog } from './lib/secrets.ts';
import { readBudgets, S3LedgerStore } from '../src/budget/index.ts';
import { requestCancel } from '../src/cancel/index.ts';
import { S3ArtifactStore } from '../src/store/index.ts';

const env = process.env;
// Module scope: the secrets, the App's installation tokens and the clients live as long as the environment.
const { clock, settings, secrets, tokens, s3, viewLink } = githubAppFrom(env, { webhookSecret: true });
const bucket = requireEnv(env, 'ARTIFACT_BUCKET');
const deliveries = new S3DeliveryLog({ client: s3, bucket, clock });
// Fixing failed CI only when turned on: otherwise no record is read or written and no log fetched.
const ciFix: CiFixDeps | undefined = settings.triggerCheckRuns
  ? { settings: readCiFixSettings(env), pulls: new S3PullStateStore({ client: s3, bucket }), logs: jobLogReader({ apiUrl: settings.apiUrl, token: tokens }), clock }
  : undefined;
// Each task is indexed under its issue or pull request before it is sent, for `/agent stop` to find.
const threads = new S3TaskIndex({ client: s3, bucket });
const queue = new IndexedTaskQueue(new SqsTaskQueue({ client: new SQSClient(awsClientConfig(env, 'sqs')), queueUrl: requireEnv(env, 'TASK_QUEUE_URL') }), threads);
const artifacts = new S3ArtifactStore({ client: s3, bucket });
const budget = ledgerBudgetCheck(new S3LedgerStore({ client: s3, bucket }), readBudgets(env), clock);
const log: IngestLog = jsonLog;

export async function handler(event: LambdaFunctionURLEvent): Promise<APIGatewayProxyStructuredResultV2> {
  try {
    const response = await handleDelivery(fromFunctionUrlEvent(event), {
      webhookSecret: () => secrets(settings.webhookSecret!),
      deliveries,
      queue,
      // GitHub allows 10 s for the whole delivery: each call gets at most 4.
      github: (repo, hint) => new GitHubClient({ apiUrl: settings.apiUrl, timeoutMs: 4_000, token: () => tokens(repo, hint) }),
      triggers: { label: settings.triggerLabel, checkRuns: settings.triggerCheckRuns },
      ciFix,
      stop: { index: threads, cancel: (request) => requestCancel(artifacts, request), clock },
      budget,
      log,
      viewLink,
    });
    return { statusCode: response.statusCode, headers: { 'content-type': 'application/json' }, body: JSON.stringify(response.body) };
  } catch (err) {
    log.warn('webhook failed', { error: err instanceof Error ? err.message : String(err) });
    return { statusCode: 500, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ error: 'internal error' }) };
  }
}
