import { retry, type RetryPolicy } from '../retry/index.ts';
import { GitHubApiError } from './errors.ts';

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
  /** Per request, in ms (default 10 000). */
  timeoutMs?: number;
  /** Further attempts after a 429, or for reads a 5xx or network fault (default 0). */
  retries?: number;
  /** Cap of the first backoff step in ms, doubled at each retry (default 500; full jitter). */
  retryDelayMs?: number;
  userAgent?: string;
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

/** A small REST client for the GitHub API over fetch: bearer token, JSON in and out, typed errors. */
export class GitHubClient {
  private readonly base: string;
  private readonly opts: Required<Omit<GitHubClientOptions, 'apiUrl'>>;

  constructor(options: GitHubClientOptions) {
    this.base = options.apiUrl.replace(/\/+$/, '');
    this.opts = {
      token: options.token,
      fetch: options.fetch ?? ((input, init) => fetch(input, init)),
      timeoutMs: options.timeoutMs ?? 10_000,
      retries: options.retries ?? 0,
      retryDelayMs: options.retryDelayMs ?? 500,
      userAgent: options.userAgent ?? 'agent-runner',
    };
  }

  /** Sends one request (retrying transient faults under the shared retry policy); throws GitHubApiError for statuses not allowed. */
  async request<T = any>(method: string, path: string, options: RequestOptions = {}): Promise<GitHubResponse<T>> {
    const policy: RetryPolicy = { maxRetries: this.opts.retries, baseDelayMs: this.opts.retryDelayMs, maxDelayMs: 30_000 };
    return retry(() => this.once<T>(method, path, options), policy, {
      signal: options.signal,
      // A write answered 5xx (or not at all) may have happened: only reads and 429s are repeated.
      classify: (err) => ({ retryable: err instanceof GitHubApiError && err.retryable && (method === 'GET' || err.statusCode === 429) }),
    });
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

  private async once<T>(method: string, path: string, options: RequestOptions): Promise<GitHubResponse<T>> {
    const url = new URL(this.base + path);
    for (const [k, v] of Object.entries(options.query ?? {})) if (v !== undefined) url.searchParams.set(k, String(v));
    const headers: Record<string, string> = {
      accept: 'application/vnd.github+json',
      'x-github-api-version': '2022-11-28',
      'user-agent': this.opts.userAgent,
      authorization: `Bearer ${await this.opts.token()}`,
    };
    if (options.body !== undefined) headers['content-type'] = 'application/json';
    const timeout = AbortSignal.timeout(this.opts.timeoutMs);
    let res: Response;
    let text: string;
    try {
      res = await this.opts.fetch(url, {
        method,
        headers,
        body: options.body === undefined ? undefined : JSON.stringify(options.body),
        signal: options.signal ? AbortSignal.any([options.signal, timeout]) : timeout,
      });
      text = await res.text();
    } catch (err) {
      throw new GitHubApiError(method, path, 0, err instanceof Error ? err.message : String(err), { cause: err });
    }
    const data = parseJson(text);
    if (res.ok || options.allow?.includes(res.status)) return { status: res.status, data: data as T };
    const detail = typeof data === 'object' && data !== null && 'message' in data ? String((data as { message: unknown }).message) : text.slice(0, 200);
    throw new GitHubApiError(method, path, res.status, detail);
  }
}

function parseJson(text: string): unknown {
  if (text === '') return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
