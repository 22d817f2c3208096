import { createAppAuth } from '@octokit/auth-app';
import githubAppJwt from 'universal-github-app-jwt';
import { GitHubClient, gh, type RepoRef } from './client.ts';
import { GitHubConfigError } from './errors.ts';

/** A token for one repository; `installationId` (from a webhook payload) saves a GitHub App a lookup. */
export type RepoTokenProvider = (repo: RepoRef, hint?: { installationId?: number }) => Promise<string>;

/**
 * A GitHub App's JSON Web Token (RS256, signed by `universal-github-app-jwt`, as `@octokit/auth-app`
 * does), valid from a minute ago (clock drift) for nine minutes, as GitHub's documentation asks:
 * `iss` is the App id. A key that is not a PEM private key is a GitHubConfigError.
 */
export async function createAppJwt(appId: string, privateKeyPem: string, nowSeconds: number): Promise<string> {
  try {
    // The library takes 30 s of margin from `now`: 30 s more make GitHub's recommended minute.
    return (await githubAppJwt({ id: appId, privateKey: privateKeyPem, now: nowSeconds - 30 })).token;
  } catch (err) {
    throw new GitHubConfigError('the GitHub App private key is not a valid PEM key', { cause: err });
  }
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
 * Like appTokenProvider, with each token's expiry: `@octokit/auth-app` mints it
 * (`POST /app/installations/{id}/access_tokens` with `repositories: [repo]` and
 * `options.permissions` when given), the installation found with
 * `GET /repos/{owner}/{repo}/installation` unless the hint names it. A token is reused until five
 * minutes before it expires, by `options.clock`. GitHub's refusals throw GitHubApiError (404: the
 * App is not installed on the repository; 422: a permission or repository it does not have).
 */
export function appInstallationTokens(options: AppAuthOptions): InstallationTokenProvider {
  const installations = new Map<string, number>();
  const jwt = async (timeDifference = 0) => createAppJwt(options.appId, await options.privateKey(), Math.floor(options.clock() / 1000) + timeDifference);
  const appClient = new GitHubClient({ apiUrl: options.apiUrl, fetch: options.fetch, timeoutMs: options.timeoutMs, token: () => jwt() });
  const auth = createAppAuth({
    appId: options.appId,
    createJwt: async (_appId, timeDifference) => ({ jwt: await jwt(timeDifference), expiresAt: new Date(options.clock() + 540_000).toISOString() }),
    // Its calls go through the App client: the same API root, timeout and retry policy.
    request: appClient.octokit.request,
    cache: tokenCache(options.clock),
  });

  return async (repo, hint) => {
    const repoKey = `${repo.owner}/${repo.repo}`.toLowerCase();
    let installationId = hint?.installationId ?? installations.get(repoKey);
    if (installationId === undefined) {
      const { data } = await appClient.get<{ id: number }>(gh`/repos/${repo.owner}/${repo.repo}/installation`);
      installationId = data.id;
    }
    installations.set(repoKey, installationId);
    const minted = await auth({ type: 'installation', installationId, repositoryNames: [repo.repo], ...(options.permissions ? { permissions: options.permissions } : {}) });
    return { token: minted.token, expiresAt: Date.parse(minted.expiresAt) };
  };
}

const REUSE_MARGIN_MS = 5 * 60_000;

/**
 * The installation-token cache handed to `@octokit/auth-app`, on the injected clock: an entry is
 * served until five minutes before the expiry it holds (auth-app's entries are `token|createdAt|
 * expiresAt|...`; one that does not read so is never served: a token is minted anew).
 */
function tokenCache(clock: () => number): { get(key: string): string; set(key: string, value: string): void } {
  const entries = new Map<string, string>();
  return {
    get(key) {
      const value = entries.get(key);
      const expiresAt = Date.parse(value?.split('|')[2] ?? '');
      if (value !== undefined && expiresAt - REUSE_MARGIN_MS > clock()) return value;
      entries.delete(key);
      return ''; // auth-app's miss
    },
    set(key, value) {
      entries.set(key, value);
    },
  };
}
