import { Octokit } from '@octokit/core';
import { paginateRest } from '@octokit/plugin-paginate-rest';
import type { RetryPolicy } from '../retry/index.ts';
import { GitHubApiError } from './errors.ts';
import { githubTransport } from './transport.ts';

/** A repository on GitHub. */
export interface RepoRef {
  owner: string;
  repo: string;
}

/** Hands out a bearer token for the REST API (a static token, or a GitHub App installation token). */
export type TokenSource = () => Promise<string>;

export interface GitHubClientOptions {
  /** `https://api.github.com`, GitHub Enterprise's `https://host/api/v3`, or a local server; the path is kept. */
  apiUrl: string;
  token: TokenSource;
  fetch?: typeof fetch;
  /** Per attempt, in ms (default 10 000). */
  timeoutMs?: number;
  /** Further attempts after a 429 or a spent rate limit, or for reads a 5xx or network fault (default 0). */
  retries?: number;
  /** Cap of the first backoff step in ms, doubled at each retry (default 500; full jitter). */
  retryDelayMs?: number;
  userAgent?: string;
  /** Milliseconds since the epoch; lets a spent rate limit wait until its reset (capped like retry-after). */
  clock?: () => number;
  /** Waits between attempts (default: a timer); tests pass one that records the waits. */
  sleep?: RetryPolicy['sleep'];
}

export interface RequestOptions {
  body?: unknown;
  query?: Record<string, string | number | undefined>;
  /** Statuses handed back as a response instead of thrown (e.g. 404 for "does not exist"). */
  allow?: number[];
  signal?: AbortSignal;
}

export interface GitHubResponse<T> {
  status: number;
  data: T;
}

/**
 * Builds an API path from a template, encoding every interpolated value as one path segment.
 * `gh\`/repos/${owner}/${repo}/issues/${n}\``.
 */
export function gh(strings: TemplateStringsArray, ...values: (string | number)[]): string {
  return strings.reduce((out, part, i) => out + part + (i < values.length ? encodeURIComponent(String(values[i])) : ''), '');
}

/** A branch name as path segments (`agent/x` stays two segments, each encoded). */
export function branchPath(branch: string): string {
  return branch.split('/').map(encodeURIComponent).join('/');
}

// Pure: bundles that reach this module only for its helpers leave Octokit out.
const GitHubOctokit = /* @__PURE__ */ Octokit.plugin(paginateRest);
const ACCEPT = 'application/vnd.github+json';

/**
 * The GitHub REST API over Octokit (`@octokit/core` with pagination): bearer token, JSON in and
 * out, typed errors, and the project's retry policy on every request, those Octokit makes for its
 * plugins and for `@octokit/auth-app` included.
 */
export class GitHubClient {
  /** The Octokit underneath; every request it makes goes through this client's token, timeout and retries. */
  readonly octokit: InstanceType<typeof GitHubOctokit>;

  constructor(options: GitHubClientOptions) {
    const baseFetch = options.fetch ?? ((input, init) => fetch(input, init));
    this.octokit = new GitHubOctokit({
      baseUrl: options.apiUrl.replace(/\/+$/, ''),
      userAgent: options.userAgent ?? 'agent-runner',
      request: { fetch: (input: string, init: RequestInit) => bufferedFetch(baseFetch, input, init) },
      // Octokit's own console logging stays out of the functions' logs: failures are thrown.
      log: { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined },
    });
    this.octokit.hook.wrap(
      'request',
      githubTransport({
        token: options.token,
        timeoutMs: options.timeoutMs ?? 10_000,
        policy: { maxRetries: options.retries ?? 0, baseDelayMs: options.retryDelayMs ?? 500, maxDelayMs: 30_000, sleep: options.sleep },
        clock: options.clock,
      }),
    );
  }

  /** Sends one request (retrying transient faults under the shared retry policy); throws GitHubApiError for statuses not allowed. */
  async request<T = any>(method: string, path: string, options: RequestOptions = {}): Promise<GitHubResponse<T>> {
    try {
      const res = await this.octokit.request({
        method,
        url: withQuery(path, options.query),
        headers: { accept: ACCEPT },
        ...(options.body === undefined ? {} : { data: options.body }),
        request: { signal: options.signal },
      });
      return { status: res.status, data: (res.data === '' ? undefined : res.data) as T };
    } catch (err) {
      if (err instanceof GitHubApiError && options.allow?.includes(err.statusCode)) return { status: err.statusCode, data: err.data as T };
      throw err;
    }
  }

  get<T = any>(path: string, options?: Omit<RequestOptions, 'body'>): Promise<GitHubResponse<T>> {
    return this.request<T>('GET', path, options);
  }

  post<T = any>(path: string, body: unknown, options?: Omit<RequestOptions, 'body'>): Promise<GitHubResponse<T>> {
    return this.request<T>('POST', path, { ...options, body });
  }

  patch<T = any>(path: string, body: unknown, options?: Omit<RequestOptions, 'body'>): Promise<GitHubResponse<T>> {
    return this.request<T>('PATCH', path, { ...options, body });
  }

  /** The pages of a list, following GitHub's `link: rel="next"` until the last (or until the caller stops). */
  async *pages<T>(path: string, options: { query?: RequestOptions['query'] } = {}): AsyncGenerator<T[]> {
    for await (const page of this.octokit.paginate.iterator({ method: 'GET', url: withQuery(path, options.query), headers: { accept: ACCEPT } })) {
      yield (Array.isArray(page.data) ? page.data : []) as T[];
    }
  }
}

function withQuery(path: string, query: RequestOptions['query']): string {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query ?? {})) if (v !== undefined) params.set(k, String(v));
  const q = params.toString();
  return q ? `${path}?${q}` : path;
}

const NULL_BODY = new Set([101, 103, 204, 205, 304]);

/**
 * Fetch with the body read before the response is handed on: a body cut mid-way is then a fault
 * of the attempt (retried like one) instead of the empty answer Octokit's reader makes of it, and
 * the attempt's timeout covers the whole body.
 */
async function bufferedFetch(base: typeof fetch, input: string, init: RequestInit): Promise<Response> {
  const res = await base(input, init);
  const body = await res.arrayBuffer();
  return new Response(NULL_BODY.has(res.status) ? null : body, { status: res.status, statusText: res.statusText, headers: res.headers });
}
