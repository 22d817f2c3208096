import { appTokenProvider, staticTokenProvider, type RepoTokenProvider } from './auth.ts';
import { GitHubConfigError } from './errors.ts';

/** A secret given by Secrets Manager ARN (production) or by value (local runs, tests). */
export type SecretRef = { arn: string } | { value: string };

export type GitHubCredentials =
  | { kind: 'token'; token: SecretRef }
  | { kind: 'app'; appId: string; privateKey: SecretRef };

export interface GitHubSettings {
  /** REST API root, path kept (GitHub Enterprise's `/api/v3`, local servers). */
  apiUrl: string;
  credentials: GitHubCredentials;
  /** Only ingest needs it. */
  webhookSecret?: SecretRef;
  triggerLabel: string;
  triggerCheckRuns: boolean;
}

type Env = Record<string, string | undefined>;

function secretRef(env: Env, arnName: string, valueName: string): SecretRef | undefined {
  const arn = env[arnName]?.trim();
  if (arn) return { arn };
  const value = env[valueName];
  return value ? { value } : undefined;
}

/**
 * The GitHub part of a function's configuration, from its environment (contract section 11):
 * `GITHUB_API_URL`, `GITHUB_WEBHOOK_SECRET_ARN` | `GITHUB_WEBHOOK_SECRET`,
 * `GITHUB_TOKEN_SECRET_ARN` | `GITHUB_APP_ID` + `GITHUB_APP_PRIVATE_KEY_SECRET_ARN` | `GITHUB_TOKEN`,
 * `TRIGGER_LABEL`, `TRIGGER_CHECK_RUNS`. Throws GitHubConfigError when something required is missing.
 */
export function readGitHubSettings(env: Env, needs: { webhookSecret: boolean }): GitHubSettings {
  const apiUrl = env.GITHUB_API_URL?.trim() || 'https://api.github.com';
  try {
    new URL(apiUrl);
  } catch {
    throw new GitHubConfigError(`GITHUB_API_URL is not a URL: ${apiUrl}`);
  }
  const token = secretRef(env, 'GITHUB_TOKEN_SECRET_ARN', 'GITHUB_TOKEN');
  const appId = env.GITHUB_APP_ID?.trim();
  const appKey = secretRef(env, 'GITHUB_APP_PRIVATE_KEY_SECRET_ARN', 'GITHUB_APP_PRIVATE_KEY');
  let credentials: GitHubCredentials;
  if (appId && appKey && !(token && 'arn' in token)) credentials = { kind: 'app', appId, privateKey: appKey };
  else if (token) credentials = { kind: 'token', token };
  else throw new GitHubConfigError('no GitHub credentials: set GITHUB_TOKEN_SECRET_ARN, GITHUB_APP_ID with GITHUB_APP_PRIVATE_KEY_SECRET_ARN, or GITHUB_TOKEN');
  const webhookSecret = secretRef(env, 'GITHUB_WEBHOOK_SECRET_ARN', 'GITHUB_WEBHOOK_SECRET');
  if (needs.webhookSecret && !webhookSecret) throw new GitHubConfigError('no webhook secret: set GITHUB_WEBHOOK_SECRET_ARN or GITHUB_WEBHOOK_SECRET');
  return {
    apiUrl,
    credentials,
    webhookSecret,
    triggerLabel: env.TRIGGER_LABEL?.trim() || 'agent',
    triggerCheckRuns: env.TRIGGER_CHECK_RUNS?.trim().toLowerCase() === 'true',
  };
}

/** Reads a secret by reference; implementations cache. */
export type SecretReader = (ref: SecretRef) => Promise<string>;

/**
 * Caches secrets fetched by ARN for `ttlMs` (so a rotated webhook secret is picked up), sharing one
 * request among concurrent callers; a failed fetch is not cached. Values by reference pass through.
 */
export function cachedSecretReader(fetchSecret: (arn: string) => Promise<string>, clock: () => number, ttlMs = 15 * 60_000): SecretReader {
  const cache = new Map<string, { value: Promise<string>; at: number }>();
  return (ref) => {
    if ('value' in ref) return Promise.resolve(ref.value);
    const hit = cache.get(ref.arn);
    if (hit && clock() - hit.at < ttlMs) return hit.value;
    const value = fetchSecret(ref.arn).then((v) => v.trim());
    const entry = { value, at: clock() };
    cache.set(ref.arn, entry);
    value.catch(() => {
      if (cache.get(ref.arn) === entry) cache.delete(ref.arn);
    });
    return value;
  };
}

/** The token provider the settings ask for: a static token, or a GitHub App's installation tokens. */
export function tokenProviderFor(settings: GitHubSettings, secrets: SecretReader, clock: () => number, fetchImpl?: typeof fetch): RepoTokenProvider {
  const creds = settings.credentials;
  if (creds.kind === 'token') return staticTokenProvider(() => secrets(creds.token));
  return appTokenProvider({ appId: creds.appId, privateKey: () => secrets(creds.privateKey), apiUrl: settings.apiUrl, clock, fetch: fetchImpl });
}
