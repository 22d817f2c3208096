import fs from 'node:fs/promises';
import type { S3Client } from '@aws-sdk/client-s3';
import type { TaskSource } from '../task/types.ts';
import { SourceError } from './errors.ts';
import type { ExtractLimits, ExtractStats } from './extract.ts';
import { fetchS3Source } from './s3.ts';
import { fetchGitHubSource } from './github.ts';
import { fetchGitSource, redactUrl, type GitCredential } from './git.ts';

export interface SourceDeps {
  /** For `source.s3`. */
  s3?: S3Client;
  githubApiUrl?: string;
  /** A token, or a function giving one per repository (e.g. a GitHub App's installation token). */
  githubToken?: string | ((repo: { owner: string; repo: string }) => Promise<string | undefined>);
  /** Tokens for `source.git` URLs, each sent only to its host. */
  gitCredentials?: GitCredential[];
  fetch?: typeof fetch;
  limits?: Partial<ExtractLimits>;
  signal?: AbortSignal;
}

export interface MaterialisedSource extends ExtractStats {
  /** What was fetched, for logs (no credentials). */
  description: string;
}

/**
 * Fills the empty folder `dest` with the task's source; no source leaves it empty. Throws a
 * SourceError (`retryable` for transient faults) and leaves cleaning `dest` to the caller.
 */
export async function materialiseSource(source: TaskSource | undefined, dest: string, deps: SourceDeps): Promise<MaterialisedSource> {
  await fs.mkdir(dest, { recursive: true });
  const common = { ...deps.limits, signal: deps.signal };
  if (!source) return { description: 'empty workspace', files: 0, bytes: 0 };
  if ('s3' in source) {
    if (!deps.s3) throw new SourceError('unsupported_source', 'no S3 client configured for an s3 source');
    const stats = await fetchS3Source(deps.s3, source.s3, dest, common);
    return { description: `s3://${source.s3.bucket}/${source.s3.key}`, ...stats };
  }
  if ('github' in source) {
    const stats = await fetchGitHubSource(source.github, dest, {
      ...common,
      apiUrl: deps.githubApiUrl,
      token: await githubTokenFor(deps.githubToken, source.github),
      fetch: deps.fetch,
    });
    const { owner, repo, ref } = source.github;
    return { description: `github:${owner}/${repo}${ref ? `@${ref}` : ''}`, ...stats };
  }
  if ('git' in source) {
    const stats = await fetchGitSource(source.git, dest, { ...common, credentials: deps.gitCredentials });
    return { description: `git:${redactUrl(source.git.url)}${source.git.ref ? `@${source.git.ref}` : ''}`, ...stats };
  }
  throw new SourceError('unsupported_source', 'a local source cannot be materialised by the worker');
}

async function githubTokenFor(token: SourceDeps['githubToken'], repo: { owner: string; repo: string }): Promise<string | undefined> {
  if (typeof token !== 'function') return token;
  try {
    return await token({ owner: repo.owner, repo: repo.repo });
  } catch (err) {
    throw new SourceError('source_unavailable', `cannot get a GitHub token for ${repo.owner}/${repo.repo}: ${(err as Error).message}`, {
      cause: err,
      retryable: true,
    });
  }
}
