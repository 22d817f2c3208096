import type { AgentEvent } from '../task/events.ts';

/** One event as `text/event-stream`: `id: <seq>`, `event: <type>`, `data: <json>`, blank line. */
export function sseEvent(e: AgentEvent): string {
  // JSON.stringify never emits a raw line break, so the data fits on one `data:` line.
  return `id: ${e.seq}\nevent: ${e.type}\ndata: ${JSON.stringify(e)}\n\n`;
}

/** A comment line (ignored by clients; keeps the connection and proxies alive). */
export function sseComment(text: string): string {
  return `: ${text.replace(/[\r\n]+/g, ' ')}\n\n`;
}

/** Tells the client how long to wait before reconnecting, in ms. */
export function sseRetry(ms: number): string {
  return `retry: ${Math.max(0, Math.floor(ms))}\n\n`;
}
