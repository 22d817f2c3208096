/**
 * Turn scripts of the fake Bedrock Runtime: the types and the part builders
 * (text, toolUse, reasoning, redacted, stop, metadata, exception, cut, goaway, delay, stall,
 * httpError, raw).
 */
export type Json = Record<string, any>;

export type Part =
  | { $part: 'text'; text: string; chunks: number }
  | { $part: 'toolUse'; toolUseId: string; name: string; input: unknown; rawInput?: string; chunks: number; emptyFirst: boolean }
  | { $part: 'reasoning'; text: string; signature?: string; chunks: number }
  | { $part: 'redacted'; data: string }
  | { $part: 'stop'; reason: string; additionalModelResponseFields?: unknown }
  | { $part: 'metadata'; payload: Json }
  | { $part: 'exception'; type: string; payload: Json }
  | { $part: 'cut' }
  | { $part: 'goaway' }
  | { $part: 'delay'; ms: number }
  | { $part: 'stall'; ms: number }
  | { $part: 'bytes'; bytes: Uint8Array }
  /** A raw event as the SDK yields it: `{eventName: payload}`. */
  | Json;

export interface HttpErrorTurn {
  $httpError: { status: number; type?: string; message: string; headers: Record<string, string>; body?: unknown };
}
export interface RawTurn {
  $raw: Part[];
}
export interface TurnContext {
  index: number;
  modelId: string;
  operation: 'converse' | 'converse-stream';
  headers: Record<string, unknown>;
}
export type TurnFn = (body: Json, index: number, ctx: TurnContext) => Turn | Promise<Turn>;
export type Turn = Part[] | RawTurn | HttpErrorTurn | TurnFn;

export type WireItem =
  | { kind: 'event'; eventType: string; payload: Json }
  | { kind: 'exception'; exceptionType: string; payload: Json }
  | { kind: 'cut' }
  | { kind: 'goaway' }
  | { kind: 'delay'; ms: number }
  | { kind: 'stall'; ms: number }
  | { kind: 'bytes'; bytes: Uint8Array }
  | { kind: 'httpError'; status: number; type?: string; message: string; headers: Record<string, string>; body?: unknown };

/** A text block streamed in `chunks` deltas. */
export function text(s: string, opts: { chunks?: number } = {}): Part {
  return { $part: 'text', text: String(s), chunks: opts.chunks ?? 3 };
}

/**
 * A toolUse block: contentBlockStart, the input JSON (or `rawInput`) in `chunks` fragments
 * (after an empty first fragment with `emptyFirst`, as Claude streams it), contentBlockStop.
 */
export function toolUse(id: string, name: string, input: unknown = {}, opts: { chunks?: number; rawInput?: string; emptyFirst?: boolean } = {}): Part {
  return { $part: 'toolUse', toolUseId: id, name, input, rawInput: opts.rawInput, chunks: opts.chunks ?? 3, emptyFirst: !!opts.emptyFirst };
}

/** A reasoning block: text deltas, then one signature delta (when given). */
export function reasoning(textValue: string, signature?: string, opts: { chunks?: number } = {}): Part {
  return { $part: 'reasoning', text: String(textValue), signature, chunks: opts.chunks ?? 3 };
}

/** A redacted reasoning block; `data` is base64 as on the wire. */
export function redacted(data: string): Part {
  return { $part: 'redacted', data };
}
export const redactedReasoning = redacted;

/** messageStop with this stopReason. */
export function stop(reason = 'end_turn', additionalModelResponseFields?: unknown): Part {
  return { $part: 'stop', reason, additionalModelResponseFields };
}

/** A metadata event with usage (totalTokens filled in when absent). */
export function metadata(usage: Json = {}, metrics: Json = { latencyMs: 42 }): Part {
  const u: Json = { inputTokens: 0, outputTokens: 0, ...usage };
  if (u.totalTokens === undefined) {
    u.totalTokens = (u.inputTokens || 0) + (u.outputTokens || 0) + (u.cacheReadInputTokens || 0) + (u.cacheWriteInputTokens || 0);
  }
  return { $part: 'metadata', payload: { usage: u, metrics } };
}

/** An in-stream exception frame (e.g. `throttlingException`); ends the stream. */
export function exception(type: string, body: Json | string = {}): Part {
  const payload = typeof body === 'string' ? { message: body } : { message: defaultMessage(type), ...body };
  return { $part: 'exception', type, payload };
}

/** Drop the connection here (HTTP/1.1: socket destroyed; HTTP/2: RST_STREAM). */
export function cut(): Part {
  return { $part: 'cut' };
}

/** End the connection here (HTTP/2: GOAWAY with INTERNAL_ERROR, then the session closes; HTTP/1.1: socket destroyed). */
export function goaway(): Part {
  return { $part: 'goaway' };
}

/** Pause the stream. */
export function delay(ms: number): Part {
  return { $part: 'delay', ms };
}

/** Hold the response headers this long (or until the client gives up): a stalled first byte. */
export function stall(ms: number): Part {
  return { $part: 'stall', ms };
}

/** Bytes written as they are (a captured body, a corrupt frame). */
export function rawBytes(bytes: Uint8Array): Part {
  return { $part: 'bytes', bytes };
}

/** One raw event. */
export function event(type: string, payload: Json): Json {
  return { [type]: payload };
}

/** Exactly these events and faults; nothing filled in. */
export function raw(events: Part[]): RawTurn {
  return { $raw: events };
}

/**
 * The whole request fails: HTTP `status`, `x-amzn-errortype: type`, body `{"message"}`. The
 * fourth argument is extra headers, or `{headers, body}` to also replace the body.
 */
export function httpError(status: number, type?: string, message?: string, extra: Record<string, string> | { headers?: Record<string, string>; body?: unknown } = {}): HttpErrorTurn {
  const isOptions = 'headers' in extra || 'body' in extra;
  const headers = (isOptions ? (extra as { headers?: Record<string, string> }).headers : (extra as Record<string, string>)) ?? {};
  const body = isOptions ? (extra as { body?: unknown }).body : undefined;
  return { $httpError: { status, type, message: message ?? defaultMessage(type ?? 'Error'), headers, body } };
}

/** Events of a `*.chunks.txt` fixture (one `{eventName: payload}` per line). */
export function fromChunksText(textValue: string): Json[] {
  return textValue.split('\n').filter((l) => l.trim() !== '').map((l) => JSON.parse(l) as Json);
}

function defaultMessage(type: string): string {
  const t = type.toLowerCase();
  if (t.startsWith('throttling')) return 'Too many requests, please wait before trying again.';
  if (t.startsWith('modelstreamerror')) return 'Model Stream Error';
  if (t.startsWith('serviceunavailable')) return 'Bedrock is unable to process your request.';
  if (t.startsWith('internalserver')) return 'The server encountered an internal error while processing the request.';
  if (t.startsWith('validation')) return 'The request is invalid.';
  return type;
}

/** In-stream exception type → HTTP status and error type on the Converse route. */
export const EXCEPTION_STATUS: Record<string, number> = {
  throttlingexception: 429,
  modelstreamerrorexception: 424,
  modeltimeoutexception: 408,
  modelnotreadyexception: 429,
  internalserverexception: 500,
  serviceunavailableexception: 503,
  validationexception: 400,
  accessdeniedexception: 403,
  resourcenotfoundexception: 404,
};

/** Split a string into at most n pieces on code-point boundaries (at least one piece). */
export function splitString(s: string, n: number): string[] {
  const cps = Array.from(s);
  if (cps.length === 0 || n <= 1) return [s];
  const k = Math.min(n, cps.length);
  const out: string[] = [];
  let start = 0;
  for (let i = 0; i < k; i++) {
    const end = i === k - 1 ? cps.length : Math.round(((i + 1) * cps.length) / k);
    out.push(cps.slice(start, end).join(''));
    start = end;
  }
  return out;
}

/** Usage the fake reports when a turn gives none. */
export function defaultUsage(index: number): Json {
  const inputTokens = 100 + 10 * index;
  const outputTokens = 20 + index;
  return { inputTokens, outputTokens, totalTokens: inputTokens + outputTokens };
}
