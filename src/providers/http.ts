/**
 * Shared plumbing of the HTTP providers (OpenAI Responses, Chat Completions): POST a JSON body
 * and read the Server-Sent Events of the answer with first-byte and idle timeouts, map HTTP and
 * network failures to ProviderErrors, and retry a turn under the shared retry policy, announcing
 * each retry.
 */
import type { StreamEvent } from './types.ts';
import { AbortError, ContextWindowExceededError, ProviderError } from './errors.ts';
import { abortErrorFor } from './bedrock/retry.ts';
import { modelErrorInfo } from './error-codes.ts';
import { SseParser, type SseMessage } from '../sse/index.ts';
import { idleTimeout, parseRetryAfter, retryStream, StreamTimeoutError, transportFault, withinTimeout, type RetryPolicy } from '../retry/index.ts';

export interface PostSseOptions {
  fetch: typeof fetch;
  url: string;
  headers: Record<string, string>;
  body: unknown;
  signal?: AbortSignal;
  /** Abandon the call when no byte of the answer arrives for this long. */
  idleTimeoutMs: number;
  /** Abandon the call when its response headers take longer than this (default `idleTimeoutMs`). */
  firstByteTimeoutMs?: number;
  /** Clock, only to read `retry-after` HTTP dates. */
  now?: () => number;
}

/**
 * POSTs `body` as JSON and yields the SSE messages of a 2xx answer as they arrive. A non-2xx
 * answer throws the ProviderError of `httpError`; a refused, reset or cut connection a retryable
 * ProviderError under its network code; no headers within `firstByteTimeoutMs` a retryable
 * `FirstByteTimeout`, silence longer than `idleTimeoutMs` a retryable `StreamIdleTimeout`; an
 * abort of `signal` an AbortError. Stopping the iteration early releases the connection.
 */
export async function* postSse(opts: PostSseOptions): AsyncGenerator<SseMessage> {
  const { signal } = opts;
  if (signal?.aborted) throw abortErrorFor(signal);
  const ctl = new AbortController();
  const cancel = (reason: Error) => ctl.abort(reason);
  const onAbort = () => ctl.abort(signal?.reason);
  signal?.addEventListener('abort', onAbort, { once: true });
  const fail = (err: unknown, phase: 'connect' | 'read'): Error => {
    if (signal?.aborted) return abortErrorFor(signal);
    if (err instanceof StreamTimeoutError) return new ProviderError(err.code, err.message, { retryable: true, cause: err, transport: { code: err.code, timeout: true } });
    return networkError(err, opts.url, phase);
  };
  try {
    let res: Response;
    try {
      const sent = opts.fetch(opts.url, { method: 'POST', headers: opts.headers, body: JSON.stringify(opts.body), signal: ctl.signal });
      res = await withinTimeout(sent, opts.firstByteTimeoutMs ?? opts.idleTimeoutMs, 'first_byte', opts.url, cancel);
    } catch (err) {
      throw fail(err, 'connect');
    }
    if (!res.ok) {
      let text = '';
      try {
        text = await withinTimeout(res.text(), opts.idleTimeoutMs, 'idle', opts.url, cancel);
      } catch (err) {
        if (signal?.aborted || err instanceof StreamTimeoutError) throw fail(err, 'read');
      }
      throw httpError(res.status, res.headers, text, opts.now);
    }
    if (!res.body) throw new ProviderError('EmptyResponse', `${opts.url}: the answer has no body`, { retryable: true, statusCode: res.status });
    const decoder = new TextDecoder();
    const parser = new SseParser();
    // The clock stops while the consumer handles the messages: only the server's silence counts.
    try {
      for await (const chunk of idleTimeout(res.body as unknown as AsyncIterable<Uint8Array>, opts.idleTimeoutMs, opts.url, cancel)) {
        for (const m of parser.push(decoder.decode(chunk, { stream: true }))) yield m;
      }
    } catch (err) {
      throw fail(err, 'read');
    }
    for (const m of [...parser.push(decoder.decode()), ...parser.end()]) yield m;
  } finally {
    signal?.removeEventListener('abort', onAbort);
    ctl.abort();
  }
}

const STATUS_CODES: Record<number, string> = {
  400: 'BadRequest',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'NotFound',
  408: 'RequestTimeout',
  409: 'Conflict',
  413: 'PayloadTooLarge',
  422: 'UnprocessableEntity',
  429: 'TooManyRequests',
  500: 'InternalServerError',
  502: 'BadGateway',
  503: 'ServiceUnavailable',
  504: 'GatewayTimeout',
};

/** Error codes (OpenAI's `error.code`/`type`) that say "try again later". */
const RETRYABLE_ERROR_CODES = new Set(['rate_limit_exceeded', 'server_error', 'server_is_overloaded', 'overloaded_error', 'api_error', 'service_unavailable', 'timeout']);
const CONTEXT_CODES = new Set(['context_length_exceeded', 'string_above_max_length']);
const CONTEXT_MESSAGE = /context (length|window)|maximum context|too many tokens|prompt is too long|exceeds the context/i;
// Retrying a spent quota or a bad key cannot help, whatever the status says.
const FINAL_CODES = new Set(['insufficient_quota', 'invalid_api_key', 'billing_hard_limit_reached']);

/** `{code, message}` of an OpenAI-style error body (`{error: {message, type, code}}`, `{error: "..."}`, `{message}`), if any. */
export function parseErrorBody(text: string): { code?: string; message?: string } {
  let json: any;
  try {
    json = JSON.parse(text);
  } catch {
    return text.trim() ? { message: text.trim().slice(0, 500) } : {};
  }
  const e = json?.error ?? json;
  if (typeof e === 'string') return { message: e };
  if (!e || typeof e !== 'object') return {};
  const code = [e.code, e.type].find((v) => typeof v === 'string' && v !== '');
  return { ...(code ? { code } : {}), ...(typeof e.message === 'string' ? { message: e.message } : {}) };
}

/**
 * The ProviderError for a non-2xx answer: the body's error code (else a name for the status)
 * and message; 408, 409, 429 and 5xx are retryable unless the code says the quota or key is the
 * problem; `retry-after-ms` / `retry-after` give the wait; a 400 about the context length is a
 * ContextWindowExceededError.
 */
export function httpError(status: number, headers: Headers, bodyText: string, now?: () => number): ProviderError {
  const parsed = parseErrorBody(bodyText);
  const code = parsed.code ?? STATUS_CODES[status] ?? `HTTP${status}`;
  const message = parsed.message ?? `HTTP ${status}`;
  const retryable = !FINAL_CODES.has(code) && (status === 408 || status === 409 || status === 429 || status >= 500);
  const ms = Number(headers.get('retry-after-ms'));
  const retryAfterMs = headers.get('retry-after-ms') !== null && Number.isFinite(ms) && ms >= 0 ? ms : parseRetryAfter(headers.get('retry-after') ?? undefined, now);
  const requestId = headers.get('x-request-id') ?? undefined;
  const options = { retryable, statusCode: status, retryAfterMs, requestId };
  if (status === 400 && (CONTEXT_CODES.has(code) || CONTEXT_MESSAGE.test(message))) return new ContextWindowExceededError(message, options);
  return new ProviderError(code, message, options);
}

/**
 * The ProviderError for an error reported inside a stream (Responses `error`/`response.failed`,
 * a Chat Completions `{error}` chunk): rate limits and server faults are retryable, a context
 * overflow is a ContextWindowExceededError, anything else is final.
 */
export function streamError(code: string | undefined, message: string | undefined): ProviderError {
  const c = code || 'StreamError';
  const m = message || c;
  if (CONTEXT_CODES.has(c) || CONTEXT_MESSAGE.test(m)) return new ContextWindowExceededError(m);
  return new ProviderError(c, m, { retryable: RETRYABLE_ERROR_CODES.has(c) || c === 'StreamError' });
}

/**
 * A failed fetch (`phase: 'connect'`) or body read (`'read'`) — `TypeError: fetch failed` with
 * cause `ECONNREFUSED`, `UND_ERR_SOCKET`, ... — as a retryable ProviderError under its code.
 */
export function networkError(err: unknown, url: string, phase: 'connect' | 'read' = 'connect'): ProviderError {
  if (err instanceof ProviderError) return err;
  const e = err as { code?: unknown; message?: unknown; cause?: { code?: unknown; message?: unknown } } | undefined;
  const code = [e?.cause?.code, e?.code].find((c) => typeof c === 'string') as string | undefined;
  const why = [e?.cause?.message, e?.message].find((m) => typeof m === 'string' && m !== '') ?? String(err);
  const hint = code === 'ECONNREFUSED' ? ' (is the server running?)' : '';
  const what = phase === 'connect' ? `cannot reach ${url}` : `the stream from ${url} broke`;
  const transport = transportFault(err) ?? { code: code ?? 'NetworkError', timeout: false };
  return new ProviderError(code ?? transport.code, `${what}: ${why}${hint}`, { retryable: true, cause: err, transport });
}

export const DEFAULT_RETRY = { baseDelayMs: 1000, maxDelayMs: 30_000 } as const;

/**
 * Runs `attempt` (one whole model call) under `policy`: when it fails with a retryable
 * ProviderError, yields a `retry` event (the partial turn must be discarded), waits (the server's
 * retry-after, else full-jitter backoff) and runs it again. The last error is thrown with
 * `attempts` set; non-retryable errors and aborts are thrown at once.
 */
export function withRetries(attempt: () => AsyncIterable<StreamEvent>, policy: RetryPolicy, signal?: AbortSignal): AsyncGenerator<StreamEvent> {
  return retryStream(attempt, policy, {
    signal,
    aborted: (s) => abortErrorFor(s),
    classify: (err) => (err instanceof ProviderError && !(err instanceof AbortError) ? { retryable: err.retryable, retryAfterMs: err.retryAfterMs } : { retryable: false }),
    final: (err, attempts) => {
      if (err instanceof ProviderError) err.attempts = attempts;
      return err;
    },
    announce: ({ attempt: n, waitMs, error }) => ({ type: 'retry', attempt: n, waitMs, error: modelErrorInfo(error as ProviderError) }),
  });
}

/** Request headers: JSON in, SSE out, the bearer key when there is one, then the configured extra headers. */
export function requestHeaders(apiKey: string | undefined, extra: Record<string, string> = {}): Record<string, string> {
  return {
    'content-type': 'application/json',
    accept: 'text/event-stream',
    ...(apiKey ? { authorization: `Bearer ${apiKey}` } : {}),
    ...extra,
  };
}

/** `base` + `/path`, with exactly one slash between them. */
export function joinUrl(base: string, path: string): string {
  return `${base.replace(/\/+$/, '')}/${path.replace(/^\/+/, '')}`;
}

