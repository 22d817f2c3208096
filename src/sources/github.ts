import { Readable } from 'node:stream';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { SourceError } from './errors.ts';
import { extractTarball, type ExtractLimits, type ExtractStats } from './extract.ts';

export interface GitHubSourceOptions extends Partial<ExtractLimits> {
  /** API base URL, path kept (GitHub Enterprise `/api/v3`, local test servers). */
  apiUrl?: string;
  token?: string;
  fetch?: typeof fetch;
  signal?: AbortSignal;
  userAgent?: string;
}

export const DEFAULT_GITHUB_API_URL = 'https://api.github.com';

/**
 * `GET {api}/repos/{owner}/{repo}/tarball[/{ref}]`, each ref segment URL-encoded. Throws a
 * SourceError for `.` or `..` as owner, repository or ref segment: URLs resolve them (encoded
 * too), so the request would leave the API's path.
 */
export function githubTarballUrl(apiUrl: string, loc: { owner: string; repo: string; ref?: string }): string {
  const dots = (s: string) => s === '' || /^\.+$/.test(s);
  const bad = dots(loc.owner) ? 'owner' : dots(loc.repo) ? 'repository' : loc.ref?.split('/').some(dots) ? 'ref' : undefined;
  if (bad) throw new SourceError('unsupported_source', `${JSON.stringify(bad === 'ref' ? loc.ref : bad === 'owner' ? loc.owner : loc.repo)} is not a GitHub ${bad}`);
  const base = apiUrl.replace(/\/+$/, '');
  const ref = loc.ref ? '/' + loc.ref.split('/').map(encodeURIComponent).join('/') : '';
  return `${base}/repos/${encodeURIComponent(loc.owner)}/${encodeURIComponent(loc.repo)}/tarball${ref}`;
}

/**
 * Downloads a repository at a ref as GitHub's tarball and unpacks it into `dest`, dropping the
 * archive's top folder. The token (when given) goes only to the API host; the redirect to the
 * download host is followed without it (fetch drops Authorization across origins).
 */
export async function fetchGitHubSource(
  loc: { owner: string; repo: string; ref?: string },
  dest: string,
  opts: GitHubSourceOptions = {},
): Promise<ExtractStats> {
  const url = githubTarballUrl(opts.apiUrl ?? DEFAULT_GITHUB_API_URL, loc);
  const headers: Record<string, string> = {
    accept: 'application/vnd.github+json',
    'x-github-api-version': '2022-11-28',
    'user-agent': opts.userAgent ?? 'agent-runner',
  };
  if (opts.token) headers.authorization = `Bearer ${opts.token}`;
  const doFetch = opts.fetch ?? fetch;
  const what = `${loc.owner}/${loc.repo}${loc.ref ? `@${loc.ref}` : ''}`;
  let res: Response;
  try {
    res = await doFetch(url, { headers, redirect: 'follow', signal: opts.signal });
  } catch (err) {
    throw new SourceError('source_unavailable', `cannot reach GitHub for ${what}: ${(err as Error).message}`, {
      cause: err,
      retryable: true,
    });
  }
  if (!res.ok || !res.body) {
    await res.body?.cancel().catch(() => undefined);
    throw httpError(res, what);
  }
  return extractTarball(Readable.fromWeb(res.body as WebReadableStream<Uint8Array>), dest, { ...opts, strip: 1 });
}

function httpError(res: Response, what: string): SourceError {
  const status = res.status;
  const message = `GitHub answered ${status} ${res.statusText} for the tarball of ${what}`;
  const rateLimited = status === 429 || (status === 403 && res.headers.get('x-ratelimit-remaining') === '0');
  if (rateLimited || status >= 500) {
    return new SourceError('source_unavailable', message, { retryable: true, statusCode: status });
  }
  return new SourceError('source_not_found', message, { statusCode: status });
}
