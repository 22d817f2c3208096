/**
 * The page's event feed: reads the task's server-sent events with `fetch` (any event type, the
 * status of every answer seen), resumes after a dropped or ended stream from the last seq it
 * handled (`?after=`), waits for a task that has not started yet, and stops at the `result`
 * event or a 403. Works in the browser and in Node (fetch, streams and the clock injected).
 */
import type { AgentEvent } from '../../task/events.ts';
import { SseParser } from '../../sse/index.ts';

export type FeedStatus =
  | { state: 'connecting' }
  | { state: 'live' }
  | { state: 'waiting'; detail: string }
  | { state: 'reconnecting'; detail: string }
  | { state: 'forbidden' }
  | { state: 'ended' };

export interface FeedOptions {
  /** The events URL resuming after `after` (0: from the start). */
  url: (after: number) => string;
  fetch: typeof fetch;
  sleep: (ms: number) => Promise<void>;
  onEvent: (event: AgentEvent) => void;
  onStatus: (status: FeedStatus) => void;
  /** Events already handled (a page that kept its state). */
  after?: number;
  signal?: AbortSignal;
  /** Delays before reconnecting after a failure: doubled from `minDelayMs` up to `maxDelayMs`. */
  minDelayMs?: number;
  maxDelayMs?: number;
}

/**
 * Follows the feed until the `result` event (resolves `'ended'`), a 403 (`'forbidden'`), or the
 * signal aborts (`'aborted'`). Events are handed over once each, in seq order, even across
 * reconnections.
 */
export async function followFeed(opts: FeedOptions): Promise<'ended' | 'forbidden' | 'aborted'> {
  let after = opts.after ?? 0;
  const min = opts.minDelayMs ?? 1000;
  const max = opts.maxDelayMs ?? 15_000;
  let delay = min;
  let retryMs = min;
  opts.onStatus({ state: 'connecting' });
  while (!opts.signal?.aborted) {
    let res: Response;
    try {
      res = await opts.fetch(opts.url(after), { headers: { accept: 'text/event-stream' }, signal: opts.signal });
    } catch (err) {
      if (opts.signal?.aborted) break;
      opts.onStatus({ state: 'reconnecting', detail: `connection failed (${(err as Error)?.message ?? err})` });
      await opts.sleep(delay);
      delay = Math.min(max, delay * 2);
      continue;
    }
    if (res.status === 403) {
      await res.body?.cancel().catch(() => undefined);
      opts.onStatus({ state: 'forbidden' });
      return 'forbidden';
    }
    if (res.status !== 200 || !res.body) {
      await res.body?.cancel().catch(() => undefined);
      opts.onStatus(res.status === 404 ? { state: 'waiting', detail: 'the task has not started yet' } : { state: 'reconnecting', detail: `the server answered ${res.status}` });
      await opts.sleep(delay);
      delay = Math.min(max, delay * 2);
      continue;
    }
    opts.onStatus({ state: 'live' });
    const parser = new SseParser();
    const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
    let ended = false;
    let got = 0;
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        // After the result the server ends the stream: read to its end, handing nothing more over.
        if (ended) continue;
        for (const msg of parser.push(value)) {
          let event: AgentEvent;
          try {
            event = JSON.parse(msg.data) as AgentEvent;
          } catch {
            continue;
          }
          if (typeof event?.seq !== 'number' || event.seq <= after) continue;
          after = event.seq;
          got++;
          opts.onEvent(event);
          if (event.type === 'result') {
            ended = true;
            break;
          }
        }
      }
    } catch (err) {
      if (opts.signal?.aborted) break;
      opts.onStatus({ state: 'reconnecting', detail: `the stream broke (${(err as Error)?.message ?? err})` });
    } finally {
      await reader.cancel().catch(() => undefined);
    }
    if (ended) {
      opts.onStatus({ state: 'ended' });
      return 'ended';
    }
    retryMs = parser.retryMs ?? retryMs;
    // The server ended the stream (its deadline) or it broke: go on from the last event, backing
    // off while streams bring nothing new.
    if (got > 0) {
      delay = min;
      await opts.sleep(retryMs);
    } else {
      await opts.sleep(Math.max(retryMs, delay));
      delay = Math.min(max, delay * 2);
    }
  }
  return 'aborted';
}
