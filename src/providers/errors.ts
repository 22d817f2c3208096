/** Errors of the model providers. */
import type { TransportFault } from '../retry/index.ts';

export interface ProviderErrorOptions {
  retryable?: boolean;
  statusCode?: number;
  cause?: unknown;
  /** Wait the server asked for (`retry-after`), in ms. */
  retryAfterMs?: number;
  requestId?: string;
  /** Calls made for this turn before giving up (set when retries ran out). */
  attempts?: number;
  /** Set when the call failed in the network (no answer, or an answer cut), not with an answer. */
  transport?: TransportFault;
}

/**
 * A model call that failed. `code` is the AWS error code (`ThrottlingException`,
 * `ValidationException`, ...) or a network code (`ECONNRESET`) when no AWS answer came.
 */
export class ProviderError extends Error {
  readonly code: string;
  readonly retryable: boolean;
  readonly statusCode: number | undefined;
  readonly retryAfterMs: number | undefined;
  readonly requestId: string | undefined;
  readonly transport: TransportFault | undefined;
  attempts: number | undefined;

  constructor(code: string, message: string, options: ProviderErrorOptions = {}) {
    super(message, options.cause !== undefined ? { cause: options.cause } : undefined);
    this.name = 'ProviderError';
    this.code = code;
    this.retryable = options.retryable ?? false;
    this.statusCode = options.statusCode;
    this.retryAfterMs = options.retryAfterMs;
    this.requestId = options.requestId;
    this.attempts = options.attempts;
    this.transport = options.transport;
  }
}

const MESSAGES = {
  unknown: (m: string) => `model ${m} is not known to support tool use; use a Claude, Nova, Llama, Mistral, gpt-oss, Qwen, DeepSeek or Cohere Command R model id`,
  no_tool_use: (m: string) => `model ${m} does not support tool use, which the agent needs`,
  unmapped_profile: (m: string) =>
    `application inference profile ${m} is not mapped to the model it routes to: add it under [bedrock.application_inference_profiles] (ARN = model id), or to the stack's ApplicationInferenceProfileArns and ApplicationInferenceProfileModels`,
};

/** The model is unknown, or known not to support tool use; raised before any call. */
export class ModelNotSupportedError extends ProviderError {
  readonly model: string;
  constructor(model: string, reason: 'unknown' | 'no_tool_use' | 'unmapped_profile') {
    super('ModelNotSupported', MESSAGES[reason](model));
    this.name = 'ModelNotSupportedError';
    this.model = model;
  }
}

/** An exception frame inside a ConverseStream response (`:message-type: exception`). */
export class StreamExceptionError extends ProviderError {
  constructor(code: string, message: string, options: ProviderErrorOptions = {}) {
    super(code, message, options);
    this.name = 'StreamExceptionError';
  }
}

/** The request does not fit the model's context window (the loop may trim and retry). */
export class ContextWindowExceededError extends ProviderError {
  constructor(message: string, options: ProviderErrorOptions = {}) {
    super('ValidationException', message, options);
    this.name = 'ContextWindowExceededError';
  }
}

/**
 * The call was aborted through the request's signal (deadline, Ctrl-C). Not a ProviderError:
 * the run is cancelled, not failed.
 */
export class AbortError extends Error {
  readonly code = 'aborted';
  constructor(message = 'the model call was aborted', options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'AbortError';
  }
}
