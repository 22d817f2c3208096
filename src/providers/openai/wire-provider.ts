/**
 * The skeleton shared by the OpenAI-style providers (Responses, Chat Completions): one streamed
 * POST per turn through `postSse`, mapped by the wire format, retried by `withRetries`.
 */
import type { Message, ModelInfo, ModelProvider, ModelRequest, StreamEvent } from '../types.ts';
import { sleepWithSignal } from '../bedrock/retry.ts';
import type { SseMessage } from '../../sse/index.ts';
import { DEFAULT_RETRY, joinUrl, postSse, requestHeaders, withRetries } from '../http.ts';
import type { RetryPolicy } from '../../retry/index.ts';

/** One wire format over HTTP + SSE: where to POST, the body, the transcript, and a per-call stream mapper. */
export interface WireFormat {
  path: string;
  body(request: ModelRequest, model: ModelInfo): unknown;
  transcript(request: ModelRequest, model: ModelInfo, extra: Message[]): unknown;
  /**
   * A mapper for one call: `message` maps an SSE message to events (`'done'` ends the stream
   * early, e.g. `[DONE]`), `finish` runs once the stream is over and throws a retryable
   * ProviderError when the answer was cut short.
   */
  mapper(): { message(m: SseMessage): StreamEvent[] | 'done'; finish(): StreamEvent[] };
}

export interface HttpProviderOptions {
  /** Provider id as configured (`openai`, `ollama`, `my-gateway`). */
  name: string;
  baseUrl: string;
  /** Sent as `Authorization: Bearer`; absent for local servers. */
  apiKey?: string;
  /** Extra headers (`http_headers`). */
  headers?: Record<string, string>;
  /** Node's fetch unless given. */
  fetch?: typeof fetch;
  /** Retries of a turn after the first call (`request_max_retries`, default 4). */
  maxRetries?: number;
  /** `stream_idle_timeout_ms` (default 300000). */
  idleTimeoutMs?: number;
  /** `stream_first_byte_timeout_ms`: response headers within this (default 120000). */
  firstByteTimeoutMs?: number;
  baseDelayMs?: number;
  maxDelayMs?: number;
  random?: () => number;
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  now?: () => number;
  /** Facts of a model id (whether it reasons, its limits). */
  modelInfo: (id: string) => ModelInfo;
}

export const DEFAULT_MAX_RETRIES = 4;
export const DEFAULT_IDLE_TIMEOUT_MS = 300_000;
export const DEFAULT_FIRST_BYTE_TIMEOUT_MS = 120_000;

/**
 * A ModelProvider speaking `wire` over HTTP: one streamed POST per turn, retried from the start
 * of the turn on 429, 5xx, transport faults, and calls silent past the first-byte or idle timeout
 * (each retry announced by a `retry` event).
 */
export function createHttpProvider(opts: HttpProviderOptions, wire: WireFormat): ModelProvider {
  const retry: RetryPolicy = {
    maxRetries: opts.maxRetries ?? DEFAULT_MAX_RETRIES,
    baseDelayMs: opts.baseDelayMs ?? DEFAULT_RETRY.baseDelayMs,
    maxDelayMs: opts.maxDelayMs ?? DEFAULT_RETRY.maxDelayMs,
    random: opts.random ?? Math.random,
    sleep: opts.sleep ?? sleepWithSignal,
  };
  const url = joinUrl(opts.baseUrl, wire.path);
  const headers = requestHeaders(opts.apiKey, opts.headers);
  const fetchImpl = opts.fetch ?? fetch;

  async function* once(body: unknown, signal: AbortSignal | undefined): AsyncGenerator<StreamEvent> {
    const mapper = wire.mapper();
    for await (const m of postSse({ fetch: fetchImpl, url, headers, body, signal, idleTimeoutMs: opts.idleTimeoutMs ?? DEFAULT_IDLE_TIMEOUT_MS, firstByteTimeoutMs: opts.firstByteTimeoutMs ?? DEFAULT_FIRST_BYTE_TIMEOUT_MS, now: opts.now })) {
      const events = mapper.message(m);
      if (events === 'done') break;
      yield* events;
    }
    yield* mapper.finish();
  }

  return {
    name: opts.name,
    async *stream(request: ModelRequest): AsyncGenerator<StreamEvent> {
      const body = wire.body(request, opts.modelInfo(request.model));
      yield* withRetries(() => once(body, request.signal), retry, request.signal);
    },
    transcript(request: ModelRequest, extra: Message[] = []): unknown {
      return wire.transcript(request, opts.modelInfo(request.model), extra);
    },
  };
}
