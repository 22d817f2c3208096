/** Publisher: turns a finished task's result into GitHub changes, triggered by its result.json (contract section 11). */
import { S3Client } from '@aws-sdk/client-s3';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { S3Event } from 'aws-lambda';
import {
  GitHubClient,
  S3PublishedMarker,
  S3PullStateStore,
  cachedSecretReader,
  publishTask,
  readGitHubSettings,
  resultObjectsOf,
  tokenProviderFor,
  type PublishOutcome,
} from '../src/github/publish/index.ts';
import { S3ArtifactStore } from '../src/store/index.ts';
import { awsClientConfig } from './lib/aws.ts';
import { viewLinkerFrom } from './lib/view-key.ts';

const env = process.env;
const clock = () => Date.now();
const settings = readGitHubSettings(env, { webhookSecret: false });
const secretsClient = new SecretsManagerClient(awsClientConfig(env, 'secretsmanager'));
const secrets = cachedSecretReader(async (arn) => (await secretsClient.send(new GetSecretValueCommand({ SecretId: arn }))).SecretString ?? '', clock);
const tokens = tokenProviderFor(settings, secrets, clock);
const s3 = new S3Client(awsClientConfig(env, 's3'));
const viewLink = viewLinkerFrom(env, clock);
const log = { info: (message: string, data?: Record<string, unknown>) => console.log(JSON.stringify({ level: 'INFO', message, ...data })) };

/**
 * Publishes every task whose result the event reports. A failure throws, so that Lambda's
 * asynchronous retries run it again; publishing is idempotent, so a retry redoes only what is missing.
 */
export async function handler(event: S3Event): Promise<{ published: ({ taskId: string } & PublishOutcome)[] }> {
  const published: ({ taskId: string } & PublishOutcome)[] = [];
  for (const { bucket, taskId } of resultObjectsOf(event)) {
    const outcome = await publishTask(taskId, {
      store: new S3ArtifactStore({ client: s3, bucket }),
      marker: new S3PublishedMarker({ client: s3, bucket }),
      github: (repo) => new GitHubClient({ apiUrl: settings.apiUrl, retries: 2, clock, token: () => tokens(repo) }),
      artifactUri: (id, name) => `s3://${bucket}/tasks/${id}/${name}`,
      // Only with CI fixing on does a pull request have a record (and the role may read it).
      pulls: settings.triggerCheckRuns ? new S3PullStateStore({ client: s3, bucket }) : undefined,
      viewLink,
      // A stopped task's change becomes a draft marked incomplete unless the stack opts out.
      publishPartial: env.PUBLISH_PARTIAL_WORK?.trim().toLowerCase() !== 'false',
      log,
      publishCiConfig: env.PUBLISH_CI_CONFIG?.trim().toLowerCase() === 'true',
    });
    published.push({ taskId, ...outcome });
  }
  return { published };
}
