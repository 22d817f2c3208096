/**
 * Source tokens: the worker runs commands the model chooses and so holds no GitHub credential.
 * To download a private repository's tarball it asks the source-token function, which alone (with
 * ingest and the publisher) can read the GitHub App's key, for a token that can only read the
 * contents of that one repository and expires within the hour.
 */
import picomatch from 'picomatch';
import { appInstallationTokens } from './auth.ts';
import type { GitHubSettings, SecretReader } from './config.ts';
import { GitHubApiError } from './errors.ts';

/** What the worker sends (the Lambda event). */
export interface SourceTokenRequest {
  owner: string;
  repo: string;
}

/** Why no token is handed out; the worker then downloads without one (public repositories work). */
export type SourceTokenRefusal = 'invalid_request' | 'not_allowed' | 'unscoped_credential' | 'no_access';

/** What the function answers: a token with its expiry (ISO 8601; null for a plain token), or a refusal. */
export type SourceTokenResponse = { token: string; expiresAt: string | null } | { error: { code: SourceTokenRefusal; message: string } };

/** The only permission a source token carries. */
export const SOURCE_TOKEN_PERMISSIONS: Readonly<Record<string, string>> = { contents: 'read' };

export interface SourceTokenOptions {
  settings: Pick<GitHubSettings, 'apiUrl' | 'credentials'>;
  secrets: SecretReader;
  /** Milliseconds since the epoch. */
  clock: () => number;
  fetch?: typeof fetch;
  /** Hand out a plain token (which cannot be scoped down) all the same: ALLOW_UNSCOPED_SOURCE_TOKEN. */
  allowUnscoped?: boolean;
  /** `owner/repo` globs (case-insensitive) tokens may be minted for; absent or empty: any. */
  allowedRepositories?: string[];
  log?: { info(message: string, data?: Record<string, unknown>): void; warn(message: string, data?: Record<string, unknown>): void };
}

const OWNER = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})$/;
const REPO = /^[A-Za-z0-9._-]{1,100}$/;

/**
 * The source-token service: for a request `{owner, repo}`, a GitHub App installation token
 * restricted to that repository with `permissions: {contents: 'read'}`, or a refusal (a malformed
 * request, a repository outside `allowedRepositories`, a plain token while `allowUnscoped` is
 * off, an App not installed on the repository). Faults (GitHub down or refusing the App's JWT,
 * Secrets Manager unreachable) throw, so that the caller retries. Never logs a token.
 */
export function sourceTokenService(opts: SourceTokenOptions): (request: unknown) => Promise<SourceTokenResponse> {
  const creds = opts.settings.credentials;
  const allowed = opts.allowedRepositories?.length ? picomatch(opts.allowedRepositories, { nocase: true, dot: true }) : () => true;
  const appTokens =
    creds.kind === 'app'
      ? appInstallationTokens({ appId: creds.appId, privateKey: () => opts.secrets(creds.privateKey), apiUrl: opts.settings.apiUrl, clock: opts.clock, fetch: opts.fetch, permissions: { ...SOURCE_TOKEN_PERMISSIONS } })
      : undefined;
  const refuse = (code: SourceTokenRefusal, message: string, repository?: string): SourceTokenResponse => {
    opts.log?.warn('source token refused', { code, ...(repository ? { repository } : {}), reason: message });
    return { error: { code, message } };
  };

  return async (request) => {
    const req = request as Partial<SourceTokenRequest> | null;
    if (typeof req?.owner !== 'string' || typeof req.repo !== 'string' || !OWNER.test(req.owner) || !REPO.test(req.repo) || /^\.\.?$/.test(req.repo)) {
      return refuse('invalid_request', 'expected {"owner": "...", "repo": "..."} naming a GitHub repository');
    }
    const repository = `${req.owner}/${req.repo}`;
    if (!allowed(repository)) return refuse('not_allowed', `${repository} is not in ALLOWED_REPOSITORIES`, repository);
    if (!appTokens) {
      if (creds.kind !== 'token' || !opts.allowUnscoped) {
        return refuse('unscoped_credential', 'a plain GitHub token cannot be limited to one repository or to reading; use a GitHub App, or set ALLOW_UNSCOPED_SOURCE_TOKEN=true to hand the token out anyway', repository);
      }
      const token = await opts.secrets(creds.token);
      opts.log?.info('source token handed out (unscoped)', { repository });
      return { token, expiresAt: null };
    }
    try {
      const minted = await appTokens({ owner: req.owner, repo: req.repo });
      const expiresAt = new Date(minted.expiresAt).toISOString();
      opts.log?.info('source token minted', { repository, expiresAt });
      return { token: minted.token, expiresAt };
    } catch (err) {
      // Not installed there (404), or not allowed to read its contents (422): nothing to retry.
      if (err instanceof GitHubApiError && (err.statusCode === 404 || err.statusCode === 422)) {
        return refuse('no_access', `the GitHub App cannot read ${repository}: ${err.message}`, repository);
      }
      throw err;
    }
  };
}
