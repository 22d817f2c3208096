import { Writable } from 'node:stream';
import type { HttpResponsePrelude } from '../progress/types.ts';

/** The content type `HttpResponseStream.from` sets: prelude JSON, 8 NUL bytes, then the body. */
export const HTTP_INTEGRATION_CONTENT_TYPE = 'application/vnd.awslambda.http-integration-response';
const DELIMITER = Buffer.alloc(8);

/**
 * A local stand-in for the response stream Lambda gives a streaming handler. Like the runtime's,
 * it calls `_onBeforeFirstWrite` on the first write only (so a handler that ends without writing
 * never sends its prelude), and splits the prelude from the body when the content type says so.
 * Emits `prelude` (once, with the parsed prelude or undefined) and `body` (each body chunk).
 */
export class LocalResponseStream extends Writable {
  contentType = 'application/octet-stream';
  /** Set by HttpResponseStream.from; called with a raw write on the first write(). */
  _onBeforeFirstWrite?: (write: (chunk: string | Uint8Array) => void) => void;
  private started = false;
  private raw: Buffer[] = [];
  private preludeDone = false;
  private parsedPrelude: HttpResponsePrelude | undefined;
  private readonly bodyChunks: Buffer[] = [];
  /** Whether write() was called before end(). */
  wroteBeforeEnd = false;

  setContentType(contentType: string): void {
    this.contentType = contentType;
  }

  override write(chunk: any, encoding?: any, cb?: any): boolean {
    if (!this.started) {
      this.started = true;
      if (!this.writableEnded) this.wroteBeforeEnd = true;
      this._onBeforeFirstWrite?.((c) => this.take(Buffer.from(c)));
    }
    return super.write(chunk, encoding, cb);
  }

  override _write(chunk: Buffer, _enc: BufferEncoding, cb: (err?: Error | null) => void): void {
    this.take(chunk);
    cb();
  }

  override _final(cb: (err?: Error | null) => void): void {
    if (!this.preludeDone) {
      this.preludeDone = true;
      if (this.contentType !== HTTP_INTEGRATION_CONTENT_TYPE) {
        this.bodyChunks.push(...this.raw);
        for (const c of this.raw) this.emit('body', c);
      }
      this.raw = [];
      this.emit('prelude', this.parsedPrelude);
    }
    cb();
  }

  /** The prelude as parsed (undefined when none was written). */
  get prelude(): HttpResponsePrelude | undefined {
    return this.parsedPrelude;
  }

  /** The body bytes written so far. */
  get body(): Buffer {
    return Buffer.concat(this.bodyChunks);
  }

  private take(chunk: Buffer): void {
    if (this.preludeDone) {
      if (chunk.length === 0) return;
      this.bodyChunks.push(chunk);
      this.emit('body', chunk);
      return;
    }
    if (this.contentType !== HTTP_INTEGRATION_CONTENT_TYPE) {
      // A plain stream: no prelude to wait for.
      this.preludeDone = true;
      this.emit('prelude', undefined);
      this.take(chunk);
      return;
    }
    this.raw.push(chunk);
    const all = Buffer.concat(this.raw);
    const at = all.indexOf(DELIMITER);
    if (at < 0) return;
    this.preludeDone = true;
    this.raw = [];
    try {
      this.parsedPrelude = JSON.parse(all.subarray(0, at).toString('utf8')) as HttpResponsePrelude;
    } catch {
      this.parsedPrelude = undefined;
    }
    this.emit('prelude', this.parsedPrelude);
    const rest = all.subarray(at + DELIMITER.length);
    if (rest.length > 0) this.take(rest);
  }
}
