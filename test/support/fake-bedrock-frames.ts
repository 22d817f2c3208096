/** Event-stream frames, encoded with the codec the AWS SDK itself uses. */
import { EventStreamCodec } from '@smithy/eventstream-codec';

const encoder = new TextEncoder();
const decoder = new TextDecoder();
const codec = new EventStreamCodec((b) => decoder.decode(b), (s) => encoder.encode(s));

const str = (value: string) => ({ type: 'string' as const, value });

/** An event frame with Bedrock's header order (:event-type, :content-type, :message-type). */
export function encodeEventFrame(eventType: string, payload: unknown): Buffer {
  return Buffer.from(
    codec.encode({
      headers: { ':event-type': str(eventType), ':content-type': str('application/json'), ':message-type': str('event') },
      body: encoder.encode(JSON.stringify(payload)),
    }),
  );
}

/** An exception frame (:message-type exception, :exception-type). */
export function encodeExceptionFrame(exceptionType: string, payload: unknown): Buffer {
  return Buffer.from(
    codec.encode({
      headers: { ':message-type': str('exception'), ':exception-type': str(exceptionType), ':content-type': str('application/json') },
      body: encoder.encode(JSON.stringify(payload)),
    }),
  );
}

/** Decodes a whole event-stream body into frames (string headers, body text). */
export function decodeFrames(buf: Uint8Array): { headers: Record<string, unknown>; body: string }[] {
  const out: { headers: Record<string, unknown>; body: string }[] = [];
  const view = Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength);
  let off = 0;
  while (off + 4 <= view.length) {
    const len = view.readUInt32BE(off);
    const msg = codec.decode(view.subarray(off, off + len));
    out.push({ headers: Object.fromEntries(Object.entries(msg.headers).map(([k, v]) => [k, v.value])), body: decoder.decode(msg.body) });
    off += len;
  }
  return out;
}
