import type { AgentEvent, TaskResult } from '../task/events.ts';
import { Backoff, sleepFor } from '../retry/index.ts';
import { ProgressStreamError, TaskNotFoundError } from './errors.ts';
import { SseParser } from '../sse/index.ts';
import type { RequestSigner } from './sign.ts';

export interface FollowTiming {
  /** How long an unknown task (404) is waited for: the worker may not have started (default 15 min). */
  startTimeoutMs?: number;
  /** Pause between 404 retries (default 2 s). */
  notFoundPollMs?: number;
  /** A connection silent this long (no event, no heartbeat) is dropped and resumed (default 90 s). */
  idleTimeoutMs?: number;
  /** Consecutive failed connections (network errors, 5xx, 429) before giving up (default 8). */
  maxFailures?: number;
  backoffBaseMs?: number;
  backoffMaxMs?: number;
}

export interface FollowOptions extends FollowTiming {
  progressUrl: string;
  taskId: string;
  sign: RequestSigner;
  /** Resume after this seq (events up to it are not yielded). */
  afterSeq?: number;
  signal?: AbortSignal;
  /**
   * Consulted while the task is unknown: a rejected task has a result.json and no task.json, so
   * the stream would answer 404 forever.
   */
  checkResult?: () => Promise<TaskResult | undefined>;
  /** Told about every reconnection (dropped stream, idle timeout, server error, gap). */
  onReconnect?: (info: { afterSeq: number; reason: string; attempt: number }) => void;
  fetch?: typeof fetch;
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  /** Monotonic milliseconds. */
  now?: () => number;
  random?: () => number;
}

const DEFAULTS = { startTimeoutMs: 15 * 60_000, notFoundPollMs: 2000, idleTimeoutMs: 90_000, maxFailures: 8, backoffBaseMs: 500, backoffMaxMs: 15_000 };
const MAX_GAP_RETRIES = 3;
const HEALTHY_CONNECTION_MS = 5000;

/**
 * Follows `GET <progressUrl>/tasks/<taskId>/events` (contract section 8), SigV4-signed on every
 * connection. Yields each event once, in seq order: a dropped, ended or silent connection is
 * resumed with `Last-Event-ID` (the last seq seen), duplicates are skipped and a gap triggers a
 * resume from before it. A 404 is retried until `startTimeoutMs`. Returns the task's result
 * (from the `result` event, or `checkResult` for a task rejected before it started).
 * Throws TaskNotFoundError, ProgressStreamError (401/403 are `usage` errors), or the abort reason.
 */
export async function* followTaskEvents(opts: FollowOptions): AsyncGenerator<AgentEvent, TaskResult> {
  const t = { ...DEFAULTS, ...definedOnly(opts) };
  const doFetch = opts.fetch ?? fetch;
  const sleep = opts.sleep ?? sleepFor;
  const now = opts.now ?? (() => performance.now());
  const random = opts.random ?? Math.random;
  const url = eventsUrl(opts.progressUrl, opts.taskId);
  const started = now();
  let lastSeq = opts.afterSeq ?? 0;
  // Consecutive failed connections, under the shared retry policy (a server's `retry:` is its wait).
  const failures = new Backoff({ maxRetries: t.maxFailures, baseDelayMs: t.backoffBaseMs, maxDelayMs: t.backoffMaxMs, random });
  let gapRetries = 0;
  let known = false;
  let serverRetryMs: number | undefined;
  let attempt = 0;
  let lastReason = '';

  // An aborted wait ends the follow with the caller's reason.
  const pause = async (ms: number) => {
    try {
      await sleep(ms, opts.signal);
    } catch (err) {
      opts.signal?.throwIfAborted();
      throw err;
    }
  };
  const backoff = async (reason: string) => {
    const waitMs = failures.next(serverRetryMs);
    if (waitMs === undefined) {
      throw new ProgressStreamError(`lost the progress stream of task ${opts.taskId} after ${failures.count} attempts: ${reason}`, { retryable: true });
    }
    await pause(waitMs);
  };

  for (;;) {
    opts.signal?.throwIfAborted();
    if (attempt++ > 0) opts.onReconnect?.({ afterSeq: lastSeq, reason: lastReason, attempt });
    const headers: Record<string, string> = { accept: 'text/event-stream', 'cache-control': 'no-cache' };
    if (lastSeq > 0) headers['last-event-id'] = String(lastSeq);
    const conn = new AbortController();
    const onAbort = () => conn.abort(opts.signal?.reason);
    opts.signal?.addEventListener('abort', onAbort, { once: true });
    let idleTimer: NodeJS.Timeout | undefined;
    const touch = () => {
      clearTimeout(idleTimer);
      idleTimer = setTimeout(() => conn.abort(new Error('idle')), t.idleTimeoutMs);
    };
    let progressed = false;
    let openedAt: number | undefined;
    try {
      touch();
      let res: Response;
      try {
        res = await doFetch(url, { headers: await opts.sign(url, headers), signal: conn.signal });
      } catch (err) {
        opts.signal?.throwIfAborted();
        lastReason = `cannot connect: ${describe(err)}`;
        await backoff(lastReason);
        continue;
      }
      if (res.status === 404) {
        await res.body?.cancel().catch(() => undefined);
        if (known) throw new ProgressStreamError(`the progress stream of task ${opts.taskId} answered 404 after it had started`, { statusCode: 404 });
        const result = await opts.checkResult?.();
        if (result) return result;
        if (now() - started >= t.startTimeoutMs) {
          throw new TaskNotFoundError(opts.taskId, `task ${opts.taskId} is not known to the stack (no tasks/${opts.taskId}/task.json after ${Math.round((now() - started) / 1000)} s): check the task id and that the worker is consuming the queue`);
        }
        lastReason = 'task not started yet';
        clearTimeout(idleTimer);
        await pause(t.notFoundPollMs);
        continue;
      }
      if (res.status === 401 || res.status === 403) {
        const body = await res.text().catch(() => '');
        throw new ProgressStreamError(
          `the progress URL refused the request (HTTP ${res.status}${body.trim() ? `: ${oneLine(body)}` : ''}): the caller's credentials need lambda:InvokeFunctionUrl on the progress function`,
          { statusCode: res.status, usage: true },
        );
      }
      if (res.status === 429 || res.status >= 500) {
        await res.body?.cancel().catch(() => undefined);
        lastReason = `HTTP ${res.status}`;
        clearTimeout(idleTimer);
        await backoff(lastReason);
        continue;
      }
      if (!res.ok || !res.body) {
        const body = await res.text().catch(() => '');
        throw new ProgressStreamError(`the progress URL answered HTTP ${res.status}${body.trim() ? `: ${oneLine(body)}` : ''}`, { statusCode: res.status });
      }
      known = true;
      openedAt = now();
      const parser = new SseParser();
      const decoder = new TextDecoder();
      lastReason = 'the stream ended before the result';
      try {
        read: for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
          touch();
          for (const msg of parser.push(decoder.decode(chunk, { stream: true }))) {
            const e = parseEvent(msg.data);
            if (!e || e.seq <= lastSeq) continue;
            if (e.seq > lastSeq + 1 && gapRetries < MAX_GAP_RETRIES) {
              gapRetries++;
              lastReason = `events ${lastSeq + 1}..${e.seq - 1} missing`;
              break read;
            }
            gapRetries = 0;
            lastSeq = e.seq;
            progressed = true;
            failures.reset();
            yield e;
            if (e.type === 'result') return resultOf(e);
          }
        }
      } catch (err) {
        opts.signal?.throwIfAborted();
        lastReason = conn.signal.aborted && (conn.signal.reason as Error)?.message === 'idle' ? `no data for ${t.idleTimeoutMs} ms` : `connection dropped: ${describe(err)}`;
      }
      serverRetryMs = parser.retryMs;
    } finally {
      clearTimeout(idleTimer);
      opts.signal?.removeEventListener('abort', onAbort);
      conn.abort();
    }
    // A connection that delivered events, or stayed up a while (a quiet task, the function's own
    // time limit), resumes at once; a short one that delivered nothing counts as a failure.
    if (progressed || (openedAt !== undefined && now() - openedAt >= HEALTHY_CONNECTION_MS)) failures.reset();
    else await backoff(lastReason);
  }
}

/** `<progressUrl>/tasks/<taskId>/events`, keeping any path the URL already has. */
export function eventsUrl(progressUrl: string, taskId: string): URL {
  const base = new URL(progressUrl);
  if (!base.pathname.endsWith('/')) base.pathname += '/';
  return new URL(`tasks/${encodeURIComponent(taskId)}/events`, base);
}

/** The result.json fields of a `result` event (the envelope removed, `taskId` kept). */
export function resultOf(e: AgentEvent): TaskResult {
  const { seq: _seq, time: _time, type: _type, ...rest } = e as AgentEvent & { type: 'result' };
  return rest as TaskResult;
}

function parseEvent(data: string): AgentEvent | undefined {
  try {
    const e = JSON.parse(data) as AgentEvent;
    return e && typeof e === 'object' && Number.isInteger(e.seq) && typeof e.type === 'string' ? e : undefined;
  } catch {
    return undefined;
  }
}

function definedOnly(o: FollowTiming): Partial<typeof DEFAULTS> {
  return Object.fromEntries(Object.entries(o).filter(([k, v]) => k in DEFAULTS && v !== undefined)) as Partial<typeof DEFAULTS>;
}

function describe(err: unknown): string {
  const e = err as { message?: string; cause?: { code?: string; message?: string } };
  const cause = e?.cause?.code ?? e?.cause?.message;
  return `${e?.message ?? String(err)}${cause ? ` (${cause})` : ''}`;
}

function oneLine(s: string): string {
  const l = s.trim().split('\n')[0];
  return l.length > 200 ? `${l.slice(0, 200)}…` : l;
}
