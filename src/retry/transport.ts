/**
 * Transport faults: a connection refused, reset or cut, a broken pipe, a failed DNS lookup, a
 * socket timeout, an HTTP/2 GOAWAY or session error. They are the network's, not the request's:
 * another attempt may succeed. Node, undici (fetch) and the AWS SDK report them in different
 * shapes (a code on the error or on a cause, sometimes only a message), so the whole cause chain
 * is read.
 */

/** A transport fault: the code found (a Node/undici code, or a name for a message) and whether it was a timeout. */
export interface TransportFault {
  code: string;
  timeout: boolean;
}

const NETWORK_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ECONNABORTED',
  'EPIPE',
  'EAI_AGAIN',
  'ENETUNREACH',
  'ENETDOWN',
  'EHOSTUNREACH',
  'EHOSTDOWN',
  'ERR_HTTP2_STREAM_ERROR',
  'ERR_HTTP2_SESSION_ERROR',
  'ERR_HTTP2_GOAWAY_SESSION',
  'ERR_HTTP2_STREAM_CANCEL',
  'ERR_HTTP2_INVALID_SESSION',
  'ERR_HTTP2_ERROR',
  'ERR_HTTP2_PING_CANCEL',
  'ERR_STREAM_PREMATURE_CLOSE',
  'ERR_SOCKET_CLOSED',
  'UND_ERR_SOCKET',
  'UND_ERR_CLOSED',
]);

const TIMEOUT_CODES = new Set(['ETIMEDOUT', 'ESOCKETTIMEDOUT', 'UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT', 'ERR_HTTP2_SESSION_TIMEOUT']);

// Faults some layers report only in words (the SDK's HTTP/2 handler, its event-stream decoder).
const NETWORK_MESSAGES: [RegExp, string][] = [
  [/socket hang up/i, 'ECONNRESET'],
  [/connection reset|ECONNRESET/i, 'ECONNRESET'],
  [/pending stream has been canceled/i, 'ERR_HTTP2_STREAM_CANCEL'],
  [/GOAWAY/i, 'ERR_HTTP2_GOAWAY_SESSION'],
  [/stream (closed|is abnormally aborted)|http2 request did not get a response|frame type id \d+ in stream/i, 'ERR_HTTP2_STREAM_ERROR'],
  [/session (closed|destroyed)/i, 'ERR_HTTP2_SESSION_ERROR'],
  [/premature close|truncated event message|other side closed/i, 'ERR_STREAM_PREMATURE_CLOSE'],
];
const TIMEOUT_MESSAGE = /timed out|timeout/i;

/**
 * The transport fault in `err` or its causes (up to a few levels, AggregateError members
 * included), or undefined when it is something else (an HTTP answer, a programming error, an
 * abort by the caller).
 */
export function transportFault(err: unknown): TransportFault | undefined {
  const seen = new Set<unknown>();
  const queue: unknown[] = [err];
  let byMessage: TransportFault | undefined;
  while (queue.length > 0 && seen.size < 12) {
    const e = queue.shift();
    if (e === null || typeof e !== 'object' || seen.has(e)) continue;
    seen.add(e);
    const { code, name, message, cause, errors } = e as { code?: unknown; name?: unknown; message?: unknown; cause?: unknown; errors?: unknown };
    if (typeof code === 'string' && NETWORK_CODES.has(code)) return { code, timeout: false };
    if (typeof code === 'string' && TIMEOUT_CODES.has(code)) return { code, timeout: true };
    // The SDK's socket and HTTP/2 timeouts: a plain Error renamed.
    if (name === 'TimeoutError' && typeof message === 'string' && TIMEOUT_MESSAGE.test(message)) byMessage ??= { code: 'ETIMEDOUT', timeout: true };
    if (typeof message === 'string' && name !== 'AbortError') {
      const hit = NETWORK_MESSAGES.find(([re]) => re.test(message));
      if (hit) byMessage ??= { code: hit[1], timeout: false };
    }
    if (cause !== undefined) queue.push(cause);
    if (Array.isArray(errors)) queue.push(...errors);
  }
  return byMessage;
}
