import { setTimeout as timersSleep } from 'node:timers/promises';
import { AbortError, ContextWindowExceededError, ProviderError, StreamExceptionError } from '../errors.ts';

/** AWS error codes worth another attempt (throttling and transient service faults). */
const RETRYABLE_CODES = new Set([
  'ThrottlingException',
  'TooManyRequestsException',
  'ModelNotReadyException',
  'ServiceUnavailableException',
  'InternalServerException',
  'ModelStreamErrorException',
  'ModelTimeoutException',
  'RequestTimeout',
  'RequestTimeoutException',
]);

/** Node/HTTP codes of a connection or stream that broke mid-call. */
const NETWORK_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'EAI_AGAIN',
  'ENETUNREACH',
  'EHOSTUNREACH',
  'ERR_HTTP2_STREAM_ERROR',
  'ERR_HTTP2_SESSION_ERROR',
  'ERR_HTTP2_GOAWAY_SESSION',
  'ERR_HTTP2_STREAM_CANCEL',
  'ERR_HTTP2_INVALID_SESSION',
  'ERR_STREAM_PREMATURE_CLOSE',
  'UND_ERR_SOCKET',
]);

const NETWORK_MESSAGE = /socket hang up|premature close|truncated event message|stream closed|connection reset|aborted/i;
const CONTEXT_MESSAGE = /too long|context (window|length)|too many (input )?tokens|exceeds? the (maximum|model)/i;
const ON_DEMAND_MESSAGE = /on-demand throughput/i;

/**
 * Any error from a Bedrock call as a ProviderError: AWS service errors keep their code, status,
 * request id and `retry-after`; throttling, 429, 5xx and the transient in-stream exceptions are
 * retryable; a broken connection or stream is retryable under its network code; a
 * ValidationException about input length becomes a ContextWindowExceededError; anything else
 * (credentials, programming errors) is not retryable.
 */
export function toProviderError(err: unknown, opts: { now?: () => number } = {}): ProviderError {
  if (err instanceof ProviderError) return err;
  const e = (err ?? {}) as Record<string, any>;
  const message = typeof e.message === 'string' && e.message !== '' ? e.message : String(err);
  const isService = e.$metadata !== undefined || e.$fault !== undefined;
  if (isService) {
    const code = String(e.name || e.Code || e.code || 'UnknownError');
    const statusCode: number | undefined = e.$metadata?.httpStatusCode ?? e.$response?.statusCode;
    const retryable = RETRYABLE_CODES.has(code) || statusCode === 429 || (statusCode !== undefined && statusCode >= 500);
    const retryAfterMs = parseRetryAfter(headerOf(e.$response?.headers, 'retry-after'), opts.now);
    const options = { retryable, statusCode, cause: err, retryAfterMs, requestId: e.$metadata?.requestId };
    if (code === 'ValidationException' && CONTEXT_MESSAGE.test(message)) return new ContextWindowExceededError(message, options);
    if (statusCode === undefined) return new StreamExceptionError(code, message, options);
    return new ProviderError(code, message, options);
  }
  const code = typeof e.code === 'string' ? e.code : undefined;
  if ((code && NETWORK_CODES.has(code)) || e.name === 'TimeoutError' || (err instanceof Error && NETWORK_MESSAGE.test(message) && e.name !== 'AbortError')) {
    return new ProviderError(code ?? (e.name === 'TimeoutError' ? 'TimeoutError' : 'NetworkError'), message, { retryable: true, cause: err });
  }
  return new ProviderError(code ?? (typeof e.name === 'string' && e.name !== 'Error' ? e.name : 'UnknownError'), message, { retryable: false, cause: err });
}

/** True for Bedrock's "on-demand throughput isn't supported; use an inference profile" error. */
export function isOnDemandUnsupported(err: ProviderError): boolean {
  return err.code === 'ValidationException' && ON_DEMAND_MESSAGE.test(err.message);
}

/** Full-jitter exponential backoff: random in [0, min(max, base * 2^(attempt-1))). */
export function backoffDelay(attempt: number, opts: { baseDelayMs: number; maxDelayMs: number; random: () => number }): number {
  const cap = Math.min(opts.maxDelayMs, opts.baseDelayMs * 2 ** Math.max(0, attempt - 1));
  return Math.floor(opts.random() * cap);
}

/**
 * A `retry-after` header in ms: delay-seconds, or an HTTP date when a clock is given.
 * Undefined when absent or unreadable.
 */
export function parseRetryAfter(value: string | undefined, now?: () => number): number | undefined {
  if (value === undefined) return undefined;
  const v = value.trim();
  if (/^\d+(\.\d+)?$/.test(v)) return Math.round(Number(v) * 1000);
  if (!now) return undefined;
  const at = Date.parse(v);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now());
}

/** The AbortError for an aborted signal (its reason kept as cause). */
export function abortErrorFor(signal: AbortSignal | undefined): AbortError {
  return new AbortError('the model call was aborted', { cause: signal?.reason });
}

/** Sleeps `ms`, rejecting with an AbortError as soon as `signal` aborts. */
export async function sleepWithSignal(ms: number, signal?: AbortSignal): Promise<void> {
  if (signal?.aborted) throw abortErrorFor(signal);
  try {
    await timersSleep(ms, undefined, signal ? { signal } : undefined);
  } catch (e) {
    if (signal?.aborted) throw abortErrorFor(signal);
    throw e;
  }
}

function headerOf(headers: Record<string, unknown> | undefined, name: string): string | undefined {
  if (!headers) return undefined;
  for (const [k, v] of Object.entries(headers)) {
    if (k.toLowerCase() === name) return Array.isArray(v) ? String(v[0]) : v === undefined ? undefined : String(v);
  }
  return undefined;
}
