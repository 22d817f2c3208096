import { describe, expect, it } from 'vitest';
import { ThrottlingException, ValidationException, ModelStreamErrorException } from '@aws-sdk/client-bedrock-runtime';
import {
  ContextWindowExceededError,
  isOnDemandUnsupported,
  ProviderError,
  sleepWithSignal,
  StreamExceptionError,
  toProviderError,
} from '../../../../src/providers/index.ts';

const meta = (httpStatusCode?: number) => ({ httpStatusCode, requestId: 'req-1', attempts: 1, totalRetryDelay: 0 });
const summary = (e: ProviderError) => ({ name: e.name, code: e.code, retryable: e.retryable, statusCode: e.statusCode, retryAfterMs: e.retryAfterMs });

describe('toProviderError', () => {
  it('keeps AWS codes and marks throttling and 5xx retryable, validation not', () => {
    const throttled = Object.assign(new ThrottlingException({ message: 'slow down', $metadata: meta(429) }), { $response: { statusCode: 429, headers: { 'Retry-After': '3' } } });
    const invalid = new ValidationException({ message: 'bad input', $metadata: meta(400) });
    const unavailable = { name: 'ServiceUnavailableException', $fault: 'server', $metadata: meta(503), message: 'busy' };
    const teapot = { name: 'SomethingNew', $fault: 'server', $metadata: meta(502), message: 'bad gateway' };
    const denied = { name: 'AccessDeniedException', $fault: 'client', $metadata: meta(403), message: 'no access' };
    expect([throttled, invalid, unavailable, teapot, denied].map((e) => summary(toProviderError(e)))).toEqual([
      { name: 'ProviderError', code: 'ThrottlingException', retryable: true, statusCode: 429, retryAfterMs: 3000 },
      { name: 'ProviderError', code: 'ValidationException', retryable: false, statusCode: 400, retryAfterMs: undefined },
      { name: 'ProviderError', code: 'ServiceUnavailableException', retryable: true, statusCode: 503, retryAfterMs: undefined },
      { name: 'ProviderError', code: 'SomethingNew', retryable: true, statusCode: 502, retryAfterMs: undefined },
      { name: 'ProviderError', code: 'AccessDeniedException', retryable: false, statusCode: 403, retryAfterMs: undefined },
    ]);
    expect(toProviderError(throttled).requestId).toBe('req-1');
  });

  it('treats exceptions that came inside the stream (no HTTP status) as stream exceptions', () => {
    const e = new ModelStreamErrorException({ message: 'Model Stream Error', $metadata: {} });
    const err = toProviderError(e);
    expect([err instanceof StreamExceptionError, summary(err)]).toEqual([true, { name: 'StreamExceptionError', code: 'ModelStreamErrorException', retryable: true, statusCode: undefined, retryAfterMs: undefined }]);
  });

  it('retries broken connections under their network code', () => {
    const reset = Object.assign(new Error('aborted'), { code: 'ECONNRESET' });
    const h2 = Object.assign(new Error('Stream closed with error code NGHTTP2_INTERNAL_ERROR'), { code: 'ERR_HTTP2_STREAM_ERROR' });
    const truncated = new Error('Truncated event message received.');
    expect([reset, h2, truncated].map((e) => summary(toProviderError(e)))).toEqual([
      { name: 'ProviderError', code: 'ECONNRESET', retryable: true, statusCode: undefined, retryAfterMs: undefined },
      { name: 'ProviderError', code: 'ERR_HTTP2_STREAM_ERROR', retryable: true, statusCode: undefined, retryAfterMs: undefined },
      { name: 'ProviderError', code: 'ERR_STREAM_PREMATURE_CLOSE', retryable: true, statusCode: undefined, retryAfterMs: undefined },
    ]);
  });

  it('retries a network fault the SDK decorated with $metadata (a reset on a fresh HTTP/2 connection)', () => {
    // What the SDK threw for an RST on a fresh connection: no status, no fault, attempts metadata.
    const cause = Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' });
    const canceled = Object.assign(new Error('The pending stream has been canceled (caused by: read ECONNRESET)', { cause }), { $metadata: { attempts: 1, totalRetryDelay: 0 } });
    const bare = Object.assign(new Error('The pending stream has been canceled (caused by: Error: socket hang up)'), { code: 'ERR_HTTP2_STREAM_CANCEL', $metadata: { attempts: 1 } });
    const err = toProviderError(canceled);
    expect([summary(err), err.transport, summary(toProviderError(bare))]).toEqual([
      { name: 'ProviderError', code: 'ECONNRESET', retryable: true, statusCode: undefined, retryAfterMs: undefined },
      { code: 'ECONNRESET', timeout: false },
      { name: 'ProviderError', code: 'ERR_HTTP2_STREAM_CANCEL', retryable: true, statusCode: undefined, retryAfterMs: undefined },
    ]);
  });

  it('does not retry programming or credential errors', () => {
    const creds = Object.assign(new Error('Could not load credentials from any providers'), { name: 'CredentialsProviderError' });
    expect([summary(toProviderError(new TypeError('x is not a function'))), summary(toProviderError(creds))]).toEqual([
      { name: 'ProviderError', code: 'TypeError', retryable: false, statusCode: undefined, retryAfterMs: undefined },
      { name: 'ProviderError', code: 'CredentialsProviderError', retryable: false, statusCode: undefined, retryAfterMs: undefined },
    ]);
  });

  it('recognises context-window and on-demand-throughput validation errors', () => {
    const long = toProviderError(new ValidationException({ message: 'Input is too long for requested model.', $metadata: meta(400) }));
    const onDemand = toProviderError(
      new ValidationException({ message: 'Invocation of model ID anthropic.claude-sonnet-4-20250514-v1:0 with on-demand throughput isn’t supported. Retry your request with the ID or ARN of an inference profile that contains this model.', $metadata: meta(400) }),
    );
    expect([long instanceof ContextWindowExceededError, long.code, isOnDemandUnsupported(onDemand), isOnDemandUnsupported(long)]).toEqual([true, 'ValidationException', true, false]);
  });
});

describe('sleepWithSignal', () => {
  it('rejects with an AbortError when the signal aborts (a minute-long sleep would outlast the test)', async () => {
    const ac = new AbortController();
    setTimeout(() => ac.abort(new Error('deadline')), 10);
    const err = await sleepWithSignal(60_000, ac.signal).catch((e) => e);
    expect([err.name, err.code, (err.cause as Error).message]).toEqual(['AbortError', 'aborted', 'deadline']);
  });
});
