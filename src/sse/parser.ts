/**
 * The one Server-Sent Events parser of the project: the HTTP providers' answers, the CLI's
 * progress stream and the watch page all read `text/event-stream` through it. The parsing is
 * eventsource-parser's (WHATWG rules: LF, CRLF or CR line ends in any chunking, `:` comments,
 * `data:` lines joined with LF, a blank line dispatches); this class only collects what a chunk
 * completes, so callers can loop over the messages of each chunk.
 */
import { createParser, type EventSourceParser } from 'eventsource-parser';

/** One dispatched event: its `event:` name ('message' when absent), its joined `data:` lines and its `id:`, if any. */
export interface SseMessage {
  id?: string;
  event: string;
  data: string;
}

/** An incremental `text/event-stream` parser: `push` decoded text, get the events it completed. */
export class SseParser {
  /** The last `retry:` field: the server's reconnection delay in ms. */
  retryMs: number | undefined;
  private out: SseMessage[] = [];
  // eventsource-parser holds a CR that ends a chunk until the next byte shows whether an LF
  // follows; an event ended that way is due now, so the CR goes in as CRLF and an LF opening
  // the next chunk is dropped.
  private skipLf = false;
  private readonly parser: EventSourceParser = createParser({
    onEvent: (e) => this.out.push({ ...(e.id !== undefined ? { id: e.id } : {}), event: e.event ?? 'message', data: e.data }),
    onRetry: (ms) => {
      this.retryMs = ms;
    },
  });

  /** The events completed by `text` (decoded text, cut anywhere). */
  push(text: string): SseMessage[] {
    if (this.skipLf && text !== '') {
      if (text.startsWith('\n')) text = text.slice(1);
      this.skipLf = false;
    }
    if (text === '') return [];
    this.skipLf = text.endsWith('\r');
    this.parser.feed(this.skipLf ? `${text}\n` : text);
    return this.take();
  }

  /**
   * The event left without its blank line when the stream ended, if it has data (a lenient
   * reading some servers need: they close right after their last `data:` line).
   */
  end(): SseMessage[] {
    this.parser.feed('\n\n');
    return this.take();
  }

  private take(): SseMessage[] {
    const out = this.out;
    this.out = [];
    return out;
  }
}
