/** Publisher: turns a finished task's result into GitHub changes, triggered by its result.json (contract section 11). */
import type { S3Event } from 'aws-lambda';
import { GitHubClient, S3PublishedMarker, S3PullStateStore, publishTask, resultObjectsOf, type PublishOutcome } from '../src/github/publish/index.ts';
import { S3ArtifactStore } from '../src/store/index.ts';
import { githubAppFrom } from './lib/github-app.ts';
import { jsonLog as log } from './lib/secrets.ts';

const env = process.env;
const { clock, settings, tokens, s3, viewLink } = githubAppFrom(env, { webhookSecret: false });

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
