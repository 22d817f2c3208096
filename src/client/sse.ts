/** One dispatched server-sent event (comments and empty events are not dispatched). */
export interface SseMessage {
  id?: string;
  event: string;
  data: string;
}

/**
 * An incremental `text/event-stream` parser (the WHATWG rules): lines end in LF, CRLF or CR,
 * a blank line dispatches, `:` lines are comments, `data` lines join with LF, unknown fields
 * are ignored. Feed it decoded text in any chunking; it returns the complete messages so far.
 */
export class SseParser {
  private buffer = '';
  private pendingCr = false;
  private id: string | undefined;
  private event = '';
  private data: string[] = [];
  private hasData = false;
  /** The last `retry:` field: the server's reconnection delay in ms. */
  retryMs: number | undefined;
  /** Comment lines seen (heartbeats). */
  comments = 0;

  push(text: string): SseMessage[] {
    const out: SseMessage[] = [];
    let s = text;
    // A CR at the end of the last chunk may be the first half of a CRLF.
    if (this.pendingCr) {
      if (s.startsWith('\n')) s = s.slice(1);
      this.pendingCr = false;
    }
    this.buffer += s;
    for (;;) {
      const m = /\r\n|\r|\n/.exec(this.buffer);
      if (!m) break;
      if (m[0] === '\r' && m.index === this.buffer.length - 1) {
        this.pendingCr = true;
      }
      const line = this.buffer.slice(0, m.index);
      this.buffer = this.buffer.slice(m.index + m[0].length);
      const msg = this.line(line);
      if (msg) out.push(msg);
    }
    return out;
  }

  private line(line: string): SseMessage | undefined {
    if (line === '') return this.dispatch();
    if (line.startsWith(':')) {
      this.comments++;
      return undefined;
    }
    const colon = line.indexOf(':');
    const field = colon === -1 ? line : line.slice(0, colon);
    let value = colon === -1 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    switch (field) {
      case 'event':
        this.event = value;
        break;
      case 'data':
        this.data.push(value);
        this.hasData = true;
        break;
      case 'id':
        if (!value.includes('\0')) this.id = value;
        break;
      case 'retry':
        if (/^\d+$/.test(value)) this.retryMs = Number(value);
        break;
    }
    return undefined;
  }

  private dispatch(): SseMessage | undefined {
    const msg: SseMessage | undefined = this.hasData
      ? { ...(this.id !== undefined ? { id: this.id } : {}), event: this.event || 'message', data: this.data.join('\n') }
      : undefined;
    this.event = '';
    this.data = [];
    this.hasData = false;
    return msg;
  }
}
