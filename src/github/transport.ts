/**
 * What every request of a GitHubClient's Octokit goes through, as an Octokit `request` hook: the
 * bearer token, a timeout per attempt, GitHub's refusals as GitHubApiError, and the project's one
 * retry policy (src/retry). Octokit's retry and throttling plugins are not used: one backoff, not
 * two stacked.
 */
import { parseRetryAfter, retry, type RetryPolicy } from '../retry/index.ts';
import { GitHubApiError } from './errors.ts';

/** The endpoint options Octokit hands a `request` hook (the fields read here). */
export interface HookOptions {
  method: string;
  /** A path below `baseUrl` (`{name}` standing for a parameter), or a whole URL (a next page). */
  url: string;
  baseUrl: string;
  headers: Record<string, string | number | undefined>;
  request?: { signal?: AbortSignal | null };
}

export interface TransportOptions {
  token: () => Promise<string>;
  timeoutMs: number;
  policy: RetryPolicy;
  /** Milliseconds since the epoch, to read `x-ratelimit-reset`; without it a spent limit waits the backoff. */
  clock?: () => number;
}

/**
 * The hook: sends `options` under the retry policy. A 429, or a 403 that says a rate limit is
 * spent, is retried for every method (GitHub refused before doing anything), waiting what GitHub
 * asked for (`retry-after`, or until `x-ratelimit-reset`) up to the policy's cap; a 5xx or a
 * request never answered only for GET, since a write may have happened.
 */
export function githubTransport(opts: TransportOptions) {
  return <O extends HookOptions, R>(request: (options: O) => R | Promise<R>, options: O): Promise<R> => {
    const method = options.method.toUpperCase();
    const signal = options.request?.signal ?? undefined;
    return retry(() => attempt(request, options, method, opts), opts.policy, {
      signal,
      classify: (err) => {
        if (!(err instanceof GitHubApiError) || !err.retryable) return { retryable: false };
        return { retryable: method === 'GET' || err.statusCode === 429 || err.rateLimited, retryAfterMs: err.retryAfterMs };
      },
    });
  };
}

async function attempt<O extends HookOptions, R>(request: (options: O) => R | Promise<R>, options: O, method: string, opts: TransportOptions): Promise<R> {
  const path = pathOf(options);
  const headers = { ...options.headers };
  // A header the caller set (the App's JWT from @octokit/auth-app) is kept, with the scheme as GitHub documents it.
  const given = typeof headers.authorization === 'string' ? headers.authorization.replace(/^bearer\s+/i, '') : undefined;
  headers.authorization = `Bearer ${given ?? (await opts.token())}`;
  headers['x-github-api-version'] ??= '2022-11-28';
  const timeout = AbortSignal.timeout(opts.timeoutMs);
  const caller = options.request?.signal ?? undefined;
  try {
    return await request({ ...options, headers, request: { ...options.request, signal: caller ? AbortSignal.any([caller, timeout]) : timeout } });
  } catch (err) {
    throw toApiError(err, method, path, opts.clock);
  }
}

/** Octokit's RequestError (or a fault before any answer) as a GitHubApiError; status 0 when nothing was answered. */
function toApiError(err: unknown, method: string, path: string, clock?: () => number): GitHubApiError {
  const response = (err as { response?: { status: number; data: unknown; headers: Record<string, string | undefined> } } | null)?.response;
  if (!response) {
    const message = err instanceof Error ? err.message : String(err);
    return new GitHubApiError(method, path, 0, message, { cause: err });
  }
  const { status, data, headers } = response;
  const detail = typeof data === 'object' && data !== null && 'message' in data ? String((data as { message: unknown }).message) : typeof data === 'string' ? data.slice(0, 200) : '';
  const rateLimited = (status === 403 || status === 429) && (headers['x-ratelimit-remaining'] === '0' || headers['retry-after'] !== undefined);
  const reset = Number(headers['x-ratelimit-reset']);
  const untilReset = headers['x-ratelimit-remaining'] === '0' && clock && Number.isFinite(reset) ? Math.max(0, reset * 1000 - clock()) : undefined;
  return new GitHubApiError(method, path, status, detail, { cause: err, data, rateLimited, retryAfterMs: parseRetryAfter(headers['retry-after'], clock) ?? untilReset });
}

/** The request's path below the API root, parameters filled in, without its query (what errors name). */
function pathOf(options: HookOptions): string {
  const params = options as unknown as Record<string, unknown>;
  const url = options.url.replace(/\{(\w+)\}/g, (whole, name: string) => (params[name] === undefined ? whole : encodeURIComponent(String(params[name]))));
  const base = options.baseUrl.replace(/\/+$/, '');
  const path = url.startsWith(base) ? url.slice(base.length) : url;
  return path.split('?')[0] || '/';
}
