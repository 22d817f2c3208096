/** A webhook delivery as received, before anything is trusted. */
export interface WebhookRequest {
  method: string;
  /** Header names in lower case. */
  headers: Record<string, string>;
  /** The raw body bytes, exactly as signed. */
  body: Buffer;
}

/** The fields of a Lambda function URL event (payload format 2.0) this handler reads. */
export interface FunctionUrlEventLike {
  headers?: Record<string, string | undefined>;
  body?: string;
  isBase64Encoded?: boolean;
  requestContext?: { http?: { method?: string } };
}

/** Turns a function URL event into the raw request (body base64-decoded when the event says so). */
export function fromFunctionUrlEvent(event: FunctionUrlEventLike): WebhookRequest {
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(event.headers ?? {})) if (v !== undefined) headers[k.toLowerCase()] = v;
  const raw = event.body ?? '';
  return {
    method: (event.requestContext?.http?.method ?? 'POST').toUpperCase(),
    headers,
    body: event.isBase64Encoded ? Buffer.from(raw, 'base64') : Buffer.from(raw, 'utf8'),
  };
}

/**
 * The JSON payload of a verified delivery: the body itself, or its `payload` field when the
 * webhook is configured as `application/x-www-form-urlencoded`. Undefined when it is not JSON.
 */
export function parsePayload(request: WebhookRequest): unknown {
  let text = request.body.toString('utf8');
  if ((request.headers['content-type'] ?? '').toLowerCase().startsWith('application/x-www-form-urlencoded')) {
    const payload = new URLSearchParams(text).get('payload');
    if (payload === null) return undefined;
    text = payload;
  }
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
