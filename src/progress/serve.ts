import { once } from 'node:events';
import type { ArtifactStore } from '../store/types.ts';
import type { Log } from '../observability/index.ts';
import { routeRequest } from './route.ts';
import { sseComment, sseEvent, sseRetry } from './sse.ts';
import type { FunctionUrlRequest, HttpResponsePrelude, HttpResponseStreamFrom, ResponseStream } from './types.ts';

export interface ProgressDeps {
  store: ArtifactStore;
  /** `awslambda.HttpResponseStream.from` (the runtime's, or the local shim). */
  from: HttpResponseStreamFrom;
  /** Milliseconds before the function is stopped. */
  remainingMs(): number;
  clock(): number;
  sleep(ms: number): Promise<void>;
  log: Log;
  /** S3 polling interval while the task is quiet (default 400 ms). */
  pollMs?: number;
  /** A comment line after this long without a write (default 15 s). */
  heartbeatMs?: number;
  /** The stream ends this long before the function's deadline; the client resumes (default 5 s). */
  stopMarginMs?: number;
  /** Reconnection delay suggested to clients (default 1000 ms). */
  retryMs?: number;
}

const SSE_HEADERS = {
  'content-type': 'text/event-stream; charset=utf-8',
  'cache-control': 'no-cache, no-store',
  'x-accel-buffering': 'no',
};

/**
 * Serves one function-URL request (contract section 8) on a Lambda response stream: routes it,
 * answers 404 for a task without `task.json`, else streams the task's events as server-sent events
 * from `after` on, polling the store, with a heartbeat comment while quiet, ending after the
 * `result` event, before the function's deadline, or when the client goes away. Every response
 * goes through `from(stream, {statusCode, headers})` and writes before it ends.
 */
export async function handleProgressRequest(req: FunctionUrlRequest, stream: ResponseStream, deps: ProgressDeps): Promise<void> {
  const route = routeRequest(req);
  if (route.kind === 'error') {
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (route.statusCode === 405) headers.allow = 'GET';
    return respond(stream, deps, { statusCode: route.statusCode, headers }, JSON.stringify({ message: route.message }));
  }
  return serveTaskEvents(route.taskId, route.after, stream, deps);
}

/**
 * Streams the events of `taskId` after seq `after` as server-sent events (404 for a task without
 * `task.json`, 502 when the store cannot be read), following the task until its `result` event,
 * the function's deadline or the client's leaving. Callers have checked who is asking.
 */
export async function serveTaskEvents(taskId: string, after: number, stream: ResponseStream, deps: ProgressDeps, extraHeaders: Record<string, string> = {}): Promise<void> {
  let done: boolean;
  try {
    if ((await deps.store.get(taskId, 'task.json')) === undefined) {
      return respond(stream, deps, { statusCode: 404, headers: { ...extraHeaders, 'content-type': 'application/json' } }, JSON.stringify({ message: `unknown task ${taskId}` }));
    }
    done = (await deps.store.get(taskId, 'result.json')) !== undefined;
  } catch (err) {
    deps.log.error('cannot read the task', { taskId, error: (err as Error).message });
    return respond(stream, deps, { statusCode: 502, headers: { ...extraHeaders, 'content-type': 'application/json' } }, JSON.stringify({ message: 'cannot read the task' }));
  }
  const out = writer(deps.from(stream, { statusCode: 200, headers: { ...extraHeaders, ...SSE_HEADERS } }));
  await out.write(sseRetry(deps.retryMs ?? 1000));
  await followEvents(taskId, after, done, deps, out);
  await out.end();
}

async function respond(stream: ResponseStream, deps: ProgressDeps, prelude: HttpResponsePrelude, body: string): Promise<void> {
  const out = writer(deps.from(stream, prelude));
  await out.write(body);
  await out.end();
}

async function followEvents(taskId: string, after: number, doneAtStart: boolean, deps: ProgressDeps, out: Writer): Promise<void> {
  const pollMs = deps.pollMs ?? 400;
  const heartbeatMs = deps.heartbeatMs ?? 15_000;
  const stopMargin = deps.stopMarginMs ?? 5_000;
  let last = after;
  let lastWrite = deps.clock();
  for (;;) {
    if (out.closed) return;
    let events;
    try {
      events = await deps.store.readEvents(taskId, last);
    } catch (err) {
      // The client resumes from the last id it got; ending is better than a stalled stream.
      deps.log.error('cannot read events; ending the stream', { taskId, after: last, error: (err as Error).message });
      await out.write(sseComment('error reading events; reconnect to resume'));
      return;
    }
    for (const e of events) {
      if (e.seq <= last) continue;
      await out.write(sseEvent(e));
      last = e.seq;
      lastWrite = deps.clock();
      if (e.type === 'result') return;
    }
    // A watcher resuming after the result (or a task whose result has no event) ends here.
    if (events.length === 0 && doneAtStart) return;
    if (deps.remainingMs() < stopMargin + pollMs) {
      await out.write(sseComment('the stream ends before the function deadline; reconnect to resume'));
      return;
    }
    if (deps.clock() - lastWrite >= heartbeatMs) {
      await out.write(sseComment('heartbeat'));
      lastWrite = deps.clock();
    }
    await deps.sleep(pollMs);
  }
}

interface Writer {
  write(chunk: string): Promise<void>;
  end(): Promise<void>;
  readonly closed: boolean;
}

/** Promise-based writes honouring backpressure; a closed client makes writes no-ops. */
function writer(stream: ResponseStream): Writer {
  let closed = false;
  stream.once('close', () => (closed = true));
  stream.on('error', () => (closed = true));
  return {
    get closed() {
      return closed || stream.destroyed;
    },
    async write(chunk) {
      if (closed || stream.destroyed) return;
      if (!stream.write(chunk)) await Promise.race([once(stream, 'drain'), once(stream, 'close')]).catch(() => undefined);
    },
    async end() {
      if (closed || stream.destroyed || stream.writableEnded) return;
      await new Promise<void>((resolve) => {
        stream.once('close', () => resolve());
        stream.end(() => resolve());
      });
    },
  };
}
