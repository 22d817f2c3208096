import fs from 'node:fs';
import path from 'node:path';
import git from 'isomorphic-git';
import http from 'isomorphic-git/http/node';
import { SourceError } from './errors.ts';
import { auditTree } from './audit.ts';
import { DEFAULT_EXTRACT_LIMITS, type ExtractLimits, type ExtractStats } from './extract.ts';

/** A token for one host; it is never sent anywhere else. */
export interface GitCredential {
  host: string;
  token: string;
  /** Default `x-access-token` (what GitHub expects with a token as password). */
  username?: string;
}

export interface GitSourceOptions extends Partial<ExtractLimits> {
  credentials?: GitCredential[];
  signal?: AbortSignal;
}

const FULL_SHA = /^[0-9a-f]{40}$/i;

/**
 * Clones `url` at `ref` (branch or tag, depth 1; a full commit id clones then checks out) into
 * `dest` over smart HTTP with isomorphic-git: no `git` binary needed. Credentials come from the
 * URL's user-info or from a credential for the URL's host; `.git` is removed afterwards, so no
 * credential stays in the workspace, and the tree is audited like an extracted archive.
 */
export async function fetchGitSource(loc: { url: string; ref?: string }, dest: string, opts: GitSourceOptions = {}): Promise<ExtractStats> {
  const { url, auth } = splitCredentials(loc.url, opts.credentials ?? []);
  const shown = redactUrl(loc.url);
  const signal = opts.signal;
  fs.mkdirSync(dest, { recursive: true });
  let authTries = 0;
  const common = {
    fs,
    http,
    dir: dest,
    url,
    onAuth: () => (auth && authTries++ === 0 ? auth : { cancel: true }),
    onAuthFailure: () => ({ cancel: true }),
    onProgress: () => signal?.throwIfAborted(),
  };
  try {
    if (loc.ref && FULL_SHA.test(loc.ref)) {
      await git.clone({ ...common, noCheckout: true });
      await git.checkout({ fs, dir: dest, ref: loc.ref, force: true });
    } else {
      // Checking out separately lets `ref` name a tag as well as a branch (clone alone looks for
      // `origin/<ref>`, which a tag never is).
      await git.clone({ ...common, ref: loc.ref, singleBranch: true, depth: 1, noCheckout: true });
      const head = loc.ref ?? (await git.currentBranch({ fs, dir: dest })) ?? 'HEAD';
      await git.checkout({ fs, dir: dest, ref: head, force: true });
    }
  } catch (err) {
    throw classifyGitError(err, shown, loc.ref);
  }
  await fs.promises.rm(path.join(dest, '.git'), { recursive: true, force: true });
  return auditTree(dest, {
    maxBytes: opts.maxBytes ?? DEFAULT_EXTRACT_LIMITS.maxBytes,
    maxFiles: opts.maxFiles ?? DEFAULT_EXTRACT_LIMITS.maxFiles,
  });
}

/** The URL without user-info, and the credentials to answer an auth challenge with. */
export function splitCredentials(raw: string, credentials: GitCredential[]): { url: string; auth?: { username: string; password: string } } {
  const u = new URL(raw);
  let auth: { username: string; password: string } | undefined;
  if (u.username || u.password) {
    auth = { username: decodeURIComponent(u.username), password: decodeURIComponent(u.password) };
    u.username = '';
    u.password = '';
  } else {
    const cred = credentials.find((c) => c.host.toLowerCase() === u.host.toLowerCase());
    if (cred) auth = { username: cred.username ?? 'x-access-token', password: cred.token };
  }
  return auth ? { url: u.toString(), auth } : { url: u.toString() };
}

/** The URL as it may appear in logs and errors: user-info replaced. */
export function redactUrl(raw: string): string {
  try {
    const u = new URL(raw);
    if (u.username || u.password) {
      u.username = '***';
      u.password = '';
    }
    return u.toString();
  } catch {
    return '<invalid url>';
  }
}

function classifyGitError(err: unknown, url: string, ref: string | undefined): SourceError {
  if (err instanceof SourceError) return err;
  const e = err as { code?: string; name?: string; message?: string; data?: { statusCode?: number } };
  const what = `${url}${ref ? ` at ${ref}` : ''}`;
  const message = `cannot clone ${what}: ${e.message ?? String(err)}`;
  if (e.name === 'AbortError' || e.name === 'TimeoutError') {
    return new SourceError('source_unavailable', message, { cause: err, retryable: true });
  }
  if (e.code === 'HttpError') {
    const status = e.data?.statusCode ?? 0;
    const retryable = status === 429 || status >= 500;
    return new SourceError(retryable ? 'source_unavailable' : 'source_not_found', message, { cause: err, retryable, statusCode: status });
  }
  if (e.code === 'UserCanceledError') {
    return new SourceError('source_not_found', `cannot clone ${what}: the server asks for credentials that were refused or not configured`, { cause: err, statusCode: 401 });
  }
  if (e.code === 'NotFoundError' || e.code === 'ResolveRefError' || e.code === 'CommitNotFetchedError') {
    return new SourceError('source_not_found', message, { cause: err });
  }
  if (typeof e.code === 'string' && /^E[A-Z]+$/.test(e.code)) {
    // Network (ECONNREFUSED, ENOTFOUND, ECONNRESET) or local disk faults.
    return new SourceError('source_unavailable', message, { cause: err, retryable: true });
  }
  return new SourceError('invalid_archive', message, { cause: err });
}
