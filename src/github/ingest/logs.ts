/**
 * The end of a GitHub Actions job's log, for a prompt: downloaded through the API (which answers a
 * redirect to a short-lived download URL), read with bounded memory, cleaned of timestamps and
 * colour codes, and cut around the last error.
 */
import { gh, type RepoRef } from '../client.ts';

/** Reads the end of a job's log; undefined with a reason when there is none to be had. */
export type JobLogReader = (repo: RepoRef, jobId: number, opts: { installationId?: number; signal?: AbortSignal }) => Promise<{ log: string } | { missing: string }>;

export interface JobLogReaderOptions {
  apiUrl: string;
  /** A token for the repository (the App's installation token needs `actions: read`). */
  token: (repo: RepoRef, hint?: { installationId?: number }) => Promise<string>;
  fetch?: typeof fetch;
  /** Bytes of the log's end kept while reading (default 256 KiB). */
  keepBytes?: number;
  /** Bytes read at most; a longer log's end is not reached (default 32 MiB). */
  maxBytes?: number;
}

/**
 * A JobLogReader over `GET /repos/{owner}/{repo}/actions/jobs/{job_id}/logs`. The token goes to the
 * API host only: the redirect is not followed by fetch but requested anew, without credentials (the
 * download URL is signed). Only the last `keepBytes` are held while the body streams past.
 */
export function jobLogReader(options: JobLogReaderOptions): JobLogReader {
  const doFetch = options.fetch ?? ((input, init) => fetch(input, init));
  const keep = options.keepBytes ?? 256 * 1024;
  const max = options.maxBytes ?? 32 * 1024 * 1024;
  const base = options.apiUrl.replace(/\/+$/, '');
  return async (repo, jobId, { installationId, signal }) => {
    const path = gh`/repos/${repo.owner}/${repo.repo}/actions/jobs/${jobId}/logs`;
    const headers = {
      accept: 'application/vnd.github+json',
      'x-github-api-version': '2022-11-28',
      'user-agent': 'agent-runner',
      authorization: `Bearer ${await options.token(repo, installationId === undefined ? undefined : { installationId })}`,
    };
    let res = await doFetch(base + path, { headers, redirect: 'manual', signal });
    const location = res.headers.get('location');
    if (res.status >= 300 && res.status < 400 && location) {
      await res.body?.cancel();
      res = await doFetch(new URL(location, base + path), { headers: { 'user-agent': 'agent-runner' }, signal });
    }
    if (!res.ok) {
      await res.body?.cancel();
      return { missing: res.status === 404 || res.status === 410 ? 'the log is gone (expired or deleted)' : `the log download answered ${res.status}` };
    }
    const { bytes, total } = await readTail(res, keep, max);
    const text = new TextDecoder('utf-8', { fatal: false }).decode(bytes);
    const cut = total > bytes.length;
    // A tail starting mid-line starts at the next full line.
    return { log: cut ? text.slice(text.indexOf('\n') + 1) : text };
  };
}

/** The last `keep` bytes of a body, reading at most `max`; `total` is how much was read. */
async function readTail(res: Response, keep: number, max: number): Promise<{ bytes: Uint8Array; total: number }> {
  const chunks: Uint8Array[] = [];
  let held = 0;
  let total = 0;
  const reader = res.body?.getReader();
  if (!reader) return { bytes: new Uint8Array(0), total: 0 };
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    held += value.length;
    total += value.length;
    while (chunks.length > 1 && held - chunks[0].length >= keep) held -= chunks.shift()!.length;
    if (total >= max) {
      await reader.cancel();
      break;
    }
  }
  const all = Buffer.concat(chunks);
  return { bytes: all.subarray(Math.max(0, all.length - keep)), total };
}

// GitHub prefixes each line with an ISO timestamp; runners print ANSI colour codes.
const TIMESTAMP = /^\uFEFF?\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?Z ?/;
// eslint-disable-next-line no-control-regex
const ANSI = /\u001b\[[0-9;]*[A-Za-z]/g;
const ERROR_LINE = /^##\[error\]/;
/** Lines kept after the last `##[error]` line (what the step printed as it ended). */
const AFTER_ERROR = 5;
const LINE_CUT = ' [line cut]';

/**
 * A log's lines without timestamps and colour codes, ending a few lines after its last
 * `##[error]` line (post-job clean-up after it says nothing about the failure), cut from the front
 * to at most `budget` characters at a line boundary, saying how much was left out.
 */
export function logTail(log: string, budget: number): string {
  const lines = log.split(/\r?\n/).map((l) => l.replace(TIMESTAMP, '').replace(ANSI, ''));
  while (lines.length > 0 && lines[lines.length - 1].trim() === '') lines.pop();
  let end = lines.length;
  for (let i = lines.length - 1; i >= 0; i--) {
    if (ERROR_LINE.test(lines[i])) {
      end = Math.min(lines.length, i + 1 + AFTER_ERROR);
      break;
    }
  }
  const kept: string[] = [];
  let size = 0;
  for (let i = end - 1; i >= 0; i--) {
    const line = lines[i].length > budget ? `${lines[i].slice(0, Math.max(0, budget - LINE_CUT.length - 1))}${LINE_CUT}` : lines[i];
    if (size + line.length + 1 > budget) break;
    kept.push(line);
    size += line.length + 1;
  }
  kept.reverse();
  const before = end - kept.length;
  const after = lines.length - end;
  const head = before > 0 ? [`[... ${before} earlier lines left out]`] : [];
  const tail = after > 0 ? [`[... ${after} later lines (after the last error) left out]`] : [];
  return [...head, ...kept, ...tail].join('\n');
}
