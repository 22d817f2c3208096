/** GitHub webhook ingest: a function URL (AuthType NONE) that verifies, dedupes and enqueues (contract section 11). */
import { S3Client } from '@aws-sdk/client-s3';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SQSClient } from '@aws-sdk/client-sqs';
import type { APIGatewayProxyStructuredResultV2, LambdaFunctionURLEvent } from 'aws-lambda';
import {
  GitHubClient,
  IndexedTaskQueue,
  S3DeliveryLog,
  S3TaskIndex,
  S3PullStateStore,
  SqsTaskQueue,
  cachedSecretReader,
  fromFunctionUrlEvent,
  handleDelivery,
  jobLogReader,
  ledgerBudgetCheck,
  readCiFixSettings,
  readGitHubSettings,
  tokenProviderFor,
  type CiFixDeps,
  type IngestLog,
} from '../src/github/ingest/index.ts';
import { awsClientConfig } from './lib/aws.ts';
import { viewLinkerFrom } from './lib/view-key.ts';
import { readBudgets, S3LedgerStore } from '../src/budget/index.ts';
import { requestCancel } from '../src/cancel/index.ts';
import { S3ArtifactStore } from '../src/store/index.ts';

const env = process.env;
const clock = () => Date.now();
const settings = readGitHubSettings(env, { webhookSecret: true });
const secretsClient = new SecretsManagerClient(awsClientConfig(env, 'secretsmanager'));
// Module scope: the secrets, the App's installation tokens and the clients live as long as the environment.
const secrets = cachedSecretReader(async (arn) => (await secretsClient.send(new GetSecretValueCommand({ SecretId: arn }))).SecretString ?? '', clock);
const tokens = tokenProviderFor(settings, secrets, clock);
const s3 = new S3Client(awsClientConfig(env, 's3'));
const bucket = required('ARTIFACT_BUCKET');
const deliveries = new S3DeliveryLog({ client: s3, bucket, clock });
// Fixing failed CI only when turned on: otherwise no record is read or written and no log fetched.
const ciFix: CiFixDeps | undefined = settings.triggerCheckRuns
  ? { settings: readCiFixSettings(env), pulls: new S3PullStateStore({ client: s3, bucket }), logs: jobLogReader({ apiUrl: settings.apiUrl, token: tokens }), clock }
  : undefined;
const viewLink = viewLinkerFrom(env, clock);
// Each task is indexed under its issue or pull request before it is sent, for `/agent stop` to find.
const threads = new S3TaskIndex({ client: s3, bucket });
const queue = new IndexedTaskQueue(new SqsTaskQueue({ client: new SQSClient(awsClientConfig(env, 'sqs')), queueUrl: required('TASK_QUEUE_URL') }), threads);
const artifacts = new S3ArtifactStore({ client: s3, bucket });
const budget = ledgerBudgetCheck(new S3LedgerStore({ client: s3, bucket }), readBudgets(env), clock);
const log: IngestLog = {
  info: (message, data) => console.log(JSON.stringify({ level: 'INFO', message, ...data })),
  warn: (message, data) => console.warn(JSON.stringify({ level: 'WARN', message, ...data })),
};

function required(name: string): string {
  const value = env[name];
  if (!value) throw new Error(`${name} is not set`);
  return value;
}

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
