import { parseRetryAfter, RetryAbortedError, sleepFor, StreamTimeoutError, transportFault } from '../../retry/index.ts';
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

const CONTEXT_MESSAGE = /too long|context (window|length)|too many (input )?tokens|exceeds? the (maximum|model)/i;
const ON_DEMAND_MESSAGE = /on-demand throughput/i;

/**
 * Any error from a Bedrock call as a ProviderError. A transport fault (refused, reset or cut
 * connection, DNS, socket timeout, HTTP/2 GOAWAY or session error, a first-byte or idle timeout)
 * is retryable under its code, even when the SDK has decorated it with `$metadata`. AWS service
 * errors keep their code, status, request id and `retry-after`; throttling, 429, 5xx and the
 * transient in-stream exceptions are retryable; a ValidationException about input length becomes
 * a ContextWindowExceededError; anything else (credentials, programming errors) is not retryable.
 */
export function toProviderError(err: unknown, opts: { now?: () => number } = {}): ProviderError {
  if (err instanceof ProviderError) return err;
  const e = (err ?? {}) as Record<string, any>;
  const message = typeof e.message === 'string' && e.message !== '' ? e.message : String(err);
  if (err instanceof StreamTimeoutError) {
    return new ProviderError(err.code, message, { retryable: true, cause: err, transport: { code: err.code, timeout: true } });
  }
  const statusCode: number | undefined = e.$metadata?.httpStatusCode ?? e.$response?.statusCode;
  // The SDK adds `$metadata` (attempts) to network errors too: only an answer has a status or a fault.
  const answered = statusCode !== undefined || e.$fault !== undefined;
  const transport = answered ? undefined : transportFault(err);
  if (transport) return new ProviderError(transport.code, message, { retryable: true, cause: err, transport });
  if (answered || e.$metadata !== undefined) {
    const code = String(e.name || e.Code || e.code || 'UnknownError');
    const retryable = RETRYABLE_CODES.has(code) || statusCode === 429 || (statusCode !== undefined && statusCode >= 500);
    const retryAfterMs = parseRetryAfter(headerOf(e.$response?.headers, 'retry-after'), opts.now);
    const options = { retryable, statusCode, cause: err, retryAfterMs, requestId: e.$metadata?.requestId };
    if (code === 'ValidationException' && CONTEXT_MESSAGE.test(message)) return new ContextWindowExceededError(message, options);
    if (statusCode === undefined) return new StreamExceptionError(code, message, options);
    return new ProviderError(code, message, options);
  }
  const code = typeof e.code === 'string' ? e.code : undefined;
  return new ProviderError(code ?? (typeof e.name === 'string' && e.name !== 'Error' ? e.name : 'UnknownError'), message, { retryable: false, cause: err });
}

/** True for Bedrock's "on-demand throughput isn't supported; use an inference profile" error. */
export function isOnDemandUnsupported(err: ProviderError): boolean {
  return err.code === 'ValidationException' && ON_DEMAND_MESSAGE.test(err.message);
}

/** The AbortError for an aborted signal (its reason kept as cause). */
export function abortErrorFor(signal: AbortSignal | undefined): AbortError {
  return new AbortError('the model call was aborted', { cause: signal?.reason });
}

/** Sleeps `ms`, rejecting with an AbortError as soon as `signal` aborts. */
export async function sleepWithSignal(ms: number, signal?: AbortSignal): Promise<void> {
  try {
    await sleepFor(ms, signal);
  } catch (e) {
    if (e instanceof RetryAbortedError) throw abortErrorFor(signal);
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
