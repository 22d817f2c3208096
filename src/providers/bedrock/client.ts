import { BedrockRuntimeClient, type BedrockRuntimeClientConfig } from '@aws-sdk/client-bedrock-runtime';

export interface BedrockClientOptions {
  /** Region; when absent the SDK resolves it (AWS_REGION, the profile's region). */
  region?: string;
  /** Named profile of the shared config files (the credential chain then starts there). */
  profile?: string;
  /** Explicit endpoint, e.g. a local server; otherwise the SDK resolves it (and reads AWS_ENDPOINT_URL_BEDROCK_RUNTIME itself). */
  endpoint?: string;
  /** Idle time (ms) after which a request or stream with no data is abandoned. */
  requestTimeoutMs?: number;
  /** Credentials to sign with instead of the default chain (the worker's, captured before tools run). */
  credentials?: BedrockRuntimeClientConfig['credentials'];
  /** Another HTTP handler than the SDK's HTTP/2 default (e.g. HTTP/1.1); `requestTimeoutMs` then does not apply. */
  requestHandler?: BedrockRuntimeClientConfig['requestHandler'];
}

/**
 * A Bedrock Runtime client for the provider: the SDK's default credential chain (with
 * `profile` when given), HTTP/2 as the SDK defaults to, and `maxAttempts: 1` so that every
 * retry goes through the provider's own loop and is reported.
 */
export function createBedrockClient(opts: BedrockClientOptions): BedrockRuntimeClient {
  const config: BedrockRuntimeClientConfig = { maxAttempts: 1 };
  if (opts.region) config.region = opts.region;
  if (opts.profile) config.profile = opts.profile;
  if (opts.endpoint) config.endpoint = opts.endpoint;
  if (opts.credentials) config.credentials = opts.credentials;
  if (opts.requestHandler) {
    config.requestHandler = opts.requestHandler;
  } else if (opts.requestTimeoutMs !== undefined) {
    // Same options the SDK's default HTTP/2 handler gets, plus the timeout.
    config.requestHandler = { requestTimeout: opts.requestTimeoutMs, disableConcurrentStreams: true } as BedrockRuntimeClientConfig['requestHandler'];
  }
  const client = new BedrockRuntimeClient(config);
  // The SDK's logger middleware copies every request (the whole transcript) even with no logger
  // configured: a cost per turn that grows with the run, for logs nobody reads.
  client.middlewareStack.remove('loggerMiddleware');
  return client;
}
