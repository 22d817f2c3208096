/**
 * The closed list of codes a failed model call is reported under (in `retry` and `failover`
 * events and in the result's `error.code`), whatever the provider: consumers can act on them
 * without knowing AWS or OpenAI error names. The provider's own code stays in the message.
 * docs/providers.md lists them; a new code is a change to that list, not a new string here.
 */
import type { ErrorInfo } from './types.ts';
import { ContextWindowExceededError, ModelNotSupportedError, type ProviderError } from './errors.ts';

export const MODEL_ERROR_CODES = [
  'throttled',
  'quota_exceeded',
  'network_error',
  'model_timeout',
  'service_unavailable',
  'access_denied',
  'model_not_found',
  'model_not_supported',
  'invalid_request',
  'context_window_exceeded',
  'configuration_error',
  'model_error',
] as const;

export type ModelErrorCode = (typeof MODEL_ERROR_CODES)[number];

// Provider codes by the closed code they fall under (Bedrock's exception names, OpenAI's
// `error.code`/`type`, the runner's own names for transport outcomes).
const BY_CODE: Record<string, ModelErrorCode> = {};
const group = (code: ModelErrorCode, names: string[]) => names.forEach((n) => (BY_CODE[n] = code));
group('throttled', ['ThrottlingException', 'TooManyRequestsException', 'TooManyRequests', 'rate_limit_exceeded', 'rate_limit_error']);
group('quota_exceeded', ['ServiceQuotaExceededException', 'insufficient_quota', 'billing_hard_limit_reached']);
group('model_timeout', ['ModelTimeoutException', 'RequestTimeout', 'RequestTimeoutException', 'TimeoutError', 'FirstByteTimeout', 'StreamIdleTimeout', 'timeout', 'GatewayTimeout']);
group('network_error', ['NetworkError', 'StreamIncomplete', 'EmptyResponse', 'StreamParseError']);
group('service_unavailable', [
  'ServiceUnavailableException',
  'InternalServerException',
  'ModelStreamErrorException',
  'ModelNotReadyException',
  'ModelErrorException',
  'server_error',
  'server_is_overloaded',
  'overloaded_error',
  'api_error',
  'service_unavailable',
  'InternalServerError',
  'BadGateway',
  'ServiceUnavailable',
]);
group('access_denied', ['AccessDeniedException', 'UnrecognizedClientException', 'ExpiredTokenException', 'InvalidSignatureException', 'invalid_api_key', 'Unauthorized', 'Forbidden', 'permission_denied']);
group('model_not_found', ['ResourceNotFoundException', 'NotFound', 'model_not_found']);
group('invalid_request', ['ValidationException', 'BadRequest', 'PayloadTooLarge', 'UnprocessableEntity', 'invalid_request_error', 'Conflict']);
group('configuration_error', ['RegionMissing', 'CredentialsProviderError']);

/** The closed code of a failed model call: from its error class, its provider code, else its HTTP status. */
export function modelErrorCode(err: ProviderError): ModelErrorCode {
  if (err instanceof ContextWindowExceededError) return 'context_window_exceeded';
  if (err instanceof ModelNotSupportedError) return 'model_not_supported';
  if (err.transport) return err.transport.timeout ? 'model_timeout' : 'network_error';
  const named = Object.hasOwn(BY_CODE, err.code) ? BY_CODE[err.code] : undefined;
  if (named) return named;
  const status = err.statusCode;
  if (status === 429) return 'throttled';
  if (status === 408 || status === 504) return 'model_timeout';
  if (status !== undefined && status >= 500) return 'service_unavailable';
  if (status === 401 || status === 403) return 'access_denied';
  if (status === 404) return 'model_not_found';
  if (status !== undefined && status >= 400) return 'invalid_request';
  return 'model_error';
}

/**
 * `{code, message}` for events and results: the closed code, and the provider's message with
 * its own code in front when the message does not already name it.
 */
export function modelErrorInfo(err: ProviderError): ErrorInfo {
  const code = modelErrorCode(err);
  const named = err.code === code || err.message.includes(err.code);
  return { code, message: named ? err.message : `${err.code}: ${err.message}` };
}
