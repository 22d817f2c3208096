import { createPrivateKey, sign } from 'node:crypto';
import { GitHubClient, gh, type RepoRef } from './client.ts';
import { GitHubConfigError } from './errors.ts';

/** A token for one repository; `installationId` (from a webhook payload) saves a GitHub App a lookup. */
export type RepoTokenProvider = (repo: RepoRef, hint?: { installationId?: number }) => Promise<string>;

function base64url(data: Buffer | string): string {
  return Buffer.from(data).toString('base64url');
}

/**
 * A GitHub App's JSON Web Token (RS256), valid from a minute ago (clock drift) for nine minutes,
 * as GitHub asks: `iss` is the App id.
 */
export function createAppJwt(appId: string, privateKeyPem: string, nowSeconds: number): string {
  let key;
  try {
    key = createPrivateKey(privateKeyPem);
  } catch (err) {
    throw new GitHubConfigError('the GitHub App private key is not a valid PEM key', { cause: err });
  }
  const header = base64url(JSON.stringify({ alg: 'RS256', typ: 'JWT' }));
  const payload = base64url(JSON.stringify({ iat: nowSeconds - 60, exp: nowSeconds + 540, iss: appId }));
  const signature = sign('RSA-SHA256', Buffer.from(`${header}.${payload}`), key);
  return `${header}.${payload}.${base64url(signature)}`;
}

/** Always the same token (a personal access token or fine-grained token). */
export function staticTokenProvider(token: () => Promise<string>): RepoTokenProvider {
  return () => token();
}

export interface AppAuthOptions {
  appId: string;
  /** The App's private key (PEM), read lazily (e.g. from Secrets Manager). */
  privateKey: () => Promise<string>;
  apiUrl: string;
  /** Milliseconds since the epoch. */
  clock: () => number;
  fetch?: typeof fetch;
  timeoutMs?: number;
  /** Permissions asked for the installation token (default: the installation's). */
  permissions?: Record<string, string>;
}

/** An installation token and when it expires (ms since the epoch). */
export interface InstallationToken {
  token: string;
  expiresAt: number;
}

/** Installation tokens with their expiry, one repository each. */
export type InstallationTokenProvider = (repo: RepoRef, hint?: { installationId?: number }) => Promise<InstallationToken>;

/**
 * Installation tokens of a GitHub App, each scoped to the one repository it is asked for and
 * cached until five minutes before it expires.
 */
export function appTokenProvider(options: AppAuthOptions): RepoTokenProvider {
  const tokens = appInstallationTokens(options);
  return async (repo, hint) => (await tokens(repo, hint)).token;
}

/**
 * Like appTokenProvider, with each token's expiry: `POST /app/installations/{id}/access_tokens`
 * with `repositories: [repo]` and `options.permissions` (when given), the installation found with
 * `GET /repos/{owner}/{repo}/installation` unless the hint names it. A token is reused until five
 * minutes before it expires. GitHub's refusals throw GitHubApiError (404: the App is not
 * installed on the repository; 422: a permission or repository it does not have).
 */
export function appInstallationTokens(options: AppAuthOptions): InstallationTokenProvider {
  const tokens = new Map<string, InstallationToken>();
  const installations = new Map<string, number>();
  const appClient = new GitHubClient({
    apiUrl: options.apiUrl,
    fetch: options.fetch,
    timeoutMs: options.timeoutMs,
    token: async () => createAppJwt(options.appId, await options.privateKey(), Math.floor(options.clock() / 1000)),
  });

  return async (repo, hint) => {
    const repoKey = `${repo.owner}/${repo.repo}`.toLowerCase();
    let installationId = hint?.installationId ?? installations.get(repoKey);
    if (installationId === undefined) {
      const { data } = await appClient.get<{ id: number }>(gh`/repos/${repo.owner}/${repo.repo}/installation`);
      installationId = data.id;
    }
    installations.set(repoKey, installationId);
    const key = `${installationId}:${repoKey}`;
    const cached = tokens.get(key);
    if (cached && cached.expiresAt - 5 * 60_000 > options.clock()) return cached;
    const body: Record<string, unknown> = { repositories: [repo.repo] };
    if (options.permissions) body.permissions = options.permissions;
    const { data } = await appClient.post<{ token: string; expires_at: string }>(gh`/app/installations/${installationId}/access_tokens`, body);
    const minted = { token: data.token, expiresAt: Date.parse(data.expires_at) };
    tokens.set(key, minted);
    return minted;
  };
}
