import { once } from 'node:events';
import { serveTaskEvents, type FunctionUrlRequest, type HttpResponsePrelude, type ProgressDeps, type ResponseStream } from '../progress/index.ts';
import type { Redactor } from '../security/index.ts';
import { FORBIDDEN_BODY, PAGE_FILES, SECURITY_HEADERS, renderPage } from './html.ts';
import { DOWNLOADS, routeView } from './route.ts';
import { MIN_VIEW_KEY_LENGTH, verifyViewToken } from './token.ts';

export interface ViewDeps extends ProgressDeps {
  /** The HMAC key of the links (cached by the caller). */
  key: () => Promise<string>;
  /** A short-lived GET URL of a task's artifact, for the browser to download it. */
  presign: (taskId: string, name: string, opts: { expiresInSeconds: number; query: Record<string, string> }) => Promise<string>;
  /** Applied to the diff before it is shown (the events went through the worker's). */
  redactor: Redactor;
  /** Lifetime of download links (default 300 s). */
  downloadTtlSeconds?: number;
  /** The largest diff sent to the page (default 5 MiB; the rest is left to the download). */
  maxDiffBytes?: number;
}

const NO_STORE = { 'cache-control': 'no-store' };

/**
 * Serves one request to the view function: the watch page's static files, and, for a request
 * carrying the task's valid token, the page, its event feed, the (redacted) diff and redirects to
 * presigned downloads. A missing, wrong or expired token answers 403 with one fixed body, before
 * anything about the task is read. The token is never logged. Every answer carries the security
 * headers and goes through `deps.from` with a write before the end.
 */
export async function handleViewRequest(req: FunctionUrlRequest, stream: ResponseStream, deps: ViewDeps): Promise<void> {
  const route = routeView(req);
  if (route.kind === 'error') {
    return send(stream, deps, route.statusCode, { 'content-type': 'text/plain; charset=utf-8', ...(route.statusCode === 405 ? { allow: 'GET' } : {}) }, `${route.message}\n`);
  }
  if (route.kind === 'asset') {
    const file = PAGE_FILES.get(route.name);
    if (!file) return send(stream, deps, 404, { 'content-type': 'text/plain; charset=utf-8' }, 'not found\n');
    return send(stream, deps, 200, { 'content-type': file.contentType, 'cache-control': 'public, max-age=31536000, immutable' }, file.body);
  }
  let key: string;
  try {
    key = await deps.key();
    if (key.length < MIN_VIEW_KEY_LENGTH) throw new Error(`the key is shorter than ${MIN_VIEW_KEY_LENGTH} characters`);
  } catch (err) {
    deps.log.error('cannot read the view link key', { error: (err as Error).message });
    return send(stream, deps, 500, { 'content-type': 'text/plain; charset=utf-8' }, 'the view is not available right now\n');
  }
  const { taskId, action } = route;
  if (!verifyViewToken(key, taskId, route.token, deps.clock())) {
    return send(stream, deps, 403, { 'content-type': 'text/plain; charset=utf-8', ...NO_STORE }, FORBIDDEN_BODY);
  }
  switch (action.kind) {
    case 'bad':
      return send(stream, deps, action.statusCode, { 'content-type': 'text/plain; charset=utf-8' }, `${action.message}\n`);
    case 'page':
      return send(stream, deps, 200, { 'content-type': 'text/html; charset=utf-8', ...NO_STORE }, renderPage(taskId));
    case 'events':
      return serveTaskEvents(taskId, action.after, stream, deps, SECURITY_HEADERS);
    case 'diff':
      return sendDiff(taskId, stream, deps);
    case 'artifact': {
      let url: string;
      try {
        url = await deps.presign(taskId, action.name, {
          expiresInSeconds: deps.downloadTtlSeconds ?? 300,
          query: { 'response-content-disposition': `attachment; filename="${taskId}-${action.name}"`, 'response-content-type': DOWNLOADS[action.name] },
        });
      } catch (err) {
        deps.log.error('cannot sign a download link', { taskId, error: (err as Error).message });
        return send(stream, deps, 502, { 'content-type': 'text/plain; charset=utf-8' }, 'cannot make a download link right now\n');
      }
      return send(stream, deps, 302, { location: url, 'content-type': 'text/plain; charset=utf-8', ...NO_STORE }, 'redirecting to the download\n');
    }
  }
}

async function sendDiff(taskId: string, stream: ResponseStream, deps: ViewDeps): Promise<void> {
  let diff: string | undefined;
  try {
    diff = await deps.store.get(taskId, 'diff.patch');
  } catch (err) {
    deps.log.error('cannot read the diff', { taskId, error: (err as Error).message });
    return send(stream, deps, 502, { 'content-type': 'text/plain; charset=utf-8' }, 'cannot read the diff\n');
  }
  if (diff === undefined) return send(stream, deps, 404, { 'content-type': 'text/plain; charset=utf-8', ...NO_STORE }, 'no diff yet\n');
  const max = deps.maxDiffBytes ?? 5 * 1024 * 1024;
  // Cut at a line end: the page shows the files before the cut, the download has the rest.
  const cut = diff.length > max ? diff.slice(0, diff.lastIndexOf('\n', max) + 1) : diff;
  return send(stream, deps, 200, { 'content-type': 'text/plain; charset=utf-8', ...NO_STORE, ...(cut !== diff ? { 'x-diff-truncated': 'true' } : {}) }, deps.redactor.text(cut) || '\n');
}

async function send(stream: ResponseStream, deps: ViewDeps, statusCode: number, headers: Record<string, string>, body: string): Promise<void> {
  const prelude: HttpResponsePrelude = { statusCode, headers: { ...SECURITY_HEADERS, ...headers } };
  const out = deps.from(stream, prelude);
  // A function URL needs a write before the end, even for an empty body.
  if (!out.write(body)) await Promise.race([once(out, 'drain'), once(out, 'close')]).catch(() => undefined);
  await new Promise<void>((resolve) => {
    out.once('close', () => resolve());
    out.end(() => resolve());
  });
}
