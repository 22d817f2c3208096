import { describe, expect, it } from 'vitest';
import { ContextWindowExceededError, MODEL_ERROR_CODES, modelErrorCode, modelErrorInfo, ModelNotSupportedError, ProviderError } from '../../../src/providers/index.ts';

const err = (code: string, statusCode?: number, transport?: { code: string; timeout: boolean }) => new ProviderError(code, `${code} happened`, { statusCode, transport });

describe('modelErrorCode', () => {
  it('names every failure of a model call with a code of the closed list', () => {
    const cases: [ProviderError, string][] = [
      [err('ThrottlingException', 429), 'throttled'],
      [err('rate_limit_exceeded', 429), 'throttled'],
      [err('SomethingNew', 429), 'throttled'],
      [err('insufficient_quota', 429), 'quota_exceeded'],
      [err('ECONNRESET', undefined, { code: 'ECONNRESET', timeout: false }), 'network_error'],
      [err('StreamIncomplete'), 'network_error'],
      [err('FirstByteTimeout', undefined, { code: 'FirstByteTimeout', timeout: true }), 'model_timeout'],
      [err('ModelTimeoutException', 408), 'model_timeout'],
      [err('InternalServerException', 500), 'service_unavailable'],
      [err('UnknownError', 500), 'service_unavailable'],
      [err('ModelStreamErrorException'), 'service_unavailable'],
      [err('AccessDeniedException', 403), 'access_denied'],
      [err('invalid_api_key', 401), 'access_denied'],
      [err('ResourceNotFoundException', 404), 'model_not_found'],
      [err('ValidationException', 400), 'invalid_request'],
      [new ContextWindowExceededError('too long', { statusCode: 400 }), 'context_window_exceeded'],
      [new ModelNotSupportedError('x', 'unknown'), 'model_not_supported'],
      [err('RegionMissing'), 'configuration_error'],
      [err('TypeError'), 'model_error'],
    ];
    expect(cases.map(([e]) => modelErrorCode(e))).toEqual(cases.map(([, c]) => c));
    for (const [, c] of cases) expect(MODEL_ERROR_CODES).toContain(c);
  });

  it("keeps the provider's own code in the message when the message does not name it", () => {
    expect([modelErrorInfo(new ProviderError('ThrottlingException', 'Too many requests', { statusCode: 429 })), modelErrorInfo(err('ECONNRESET', undefined, { code: 'ECONNRESET', timeout: false }))]).toEqual([
      { code: 'throttled', message: 'ThrottlingException: Too many requests' },
      { code: 'network_error', message: 'ECONNRESET happened' },
    ]);
  });
});
