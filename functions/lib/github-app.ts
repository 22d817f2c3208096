import { S3Client } from '@aws-sdk/client-s3';
import { readGitHubSettings, tokenProviderFor } from '../../src/github/config.ts';
import { awsClientConfig, type Env } from './env.ts';
import { secretReaderFrom } from './secrets.ts';
import { viewLinkerFrom } from './view-key.ts';

/**
 * What the GitHub functions (webhook, publisher) build at module scope: the GitHub settings, the
 * App's installation tokens over cached secrets, the S3 client and the watch-page linker, on one
 * clock.
 */
export function githubAppFrom(env: Env, opts: { webhookSecret: boolean }) {
  const clock = () => Date.now();
  const settings = readGitHubSettings(env, opts);
  const secrets = secretReaderFrom(env, clock);
  return {
    clock,
    settings,
    secrets,
    tokens: tokenProviderFor(settings, secrets, clock),
    s3: new S3Client(awsClientConfig(env, 's3')),
    viewLink: viewLinkerFrom(env, clock),
  };
}
