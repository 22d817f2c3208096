/**
 * The source-token function: invoked by the worker (Lambda Invoke, RequestResponse) with
 * `{owner, repo}`, it answers a GitHub token that can only read that repository's contents, or a
 * refusal. It and the GitHub functions may read the GitHub App's key; the worker may not.
 * Configuration: GITHUB_API_URL, GITHUB_APP_ID + GITHUB_APP_PRIVATE_KEY_SECRET_ARN (or a token:
 * GITHUB_TOKEN_SECRET_ARN with ALLOW_UNSCOPED_SOURCE_TOKEN=true), ALLOWED_REPOSITORIES.
 */
// The module's parts, not its index (and lib/secrets.ts, not lib/aws.ts): the bundle then leaves out the S3 and SQS clients.
import { readGitHubSettings } from '../src/github/config.ts';
import { sourceTokenService, type SourceTokenResponse } from '../src/github/source-token.ts';
import { jsonLog, secretReaderFrom } from './lib/secrets.ts';

const env = process.env;
const clock = () => Date.now();
// Module scope: the key and the minted tokens (reused until near expiry) live as long as the environment.
const secrets = secretReaderFrom(env, clock);
const mint = sourceTokenService({
  settings: readGitHubSettings(env, { webhookSecret: false }),
  secrets,
  clock,
  allowUnscoped: env.ALLOW_UNSCOPED_SOURCE_TOKEN?.trim().toLowerCase() === 'true',
  allowedRepositories: (env.ALLOWED_REPOSITORIES ?? '').split(',').map((s) => s.trim()).filter((s) => s !== ''),
  log: jsonLog,
});

/** `{owner, repo}` → `{token, expiresAt}` or `{error: {code, message}}`; faults throw (a function error the worker retries). */
export async function handler(event: unknown): Promise<SourceTokenResponse> {
  return mint(event);
}
