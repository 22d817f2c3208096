/**
 * Streamed Responses API events in neutral form. Each output item is one block whose index is
 * its `output_index`; function calls keep their `call_id` as the tool-use id; a reasoning item
 * streams its summary as reasoning text and, when done, the whole item as the block's signature.
 */
import type { StopReason, StreamEvent, Usage } from '../types.ts';
import { streamError } from '../http.ts';
import { encodeReasoningItem, summaryText, type ResponsesReasoningItem } from './reasoning.ts';

/** A parsed SSE `data:` payload of the Responses stream. */
export type ResponsesEvent = { type: string; [key: string]: any };

interface Block {
  kind: 'text' | 'reasoning' | 'tool' | 'other';
  /** Text (or arguments) already yielded, to fill in what only the `done` event carried. */
  emitted: string;
  summaryIndex: number;
}

/** Usage in neutral form: cached input tokens are reported apart from the uncached ones, as Bedrock does. */
export function mapResponsesUsage(u: any): Usage {
  const cached = Number(u?.input_tokens_details?.cached_tokens ?? 0) || 0;
  const input = Number(u?.input_tokens ?? 0) || 0;
  return { inputTokens: Math.max(0, input - cached), outputTokens: Number(u?.output_tokens ?? 0) || 0, cacheReadInputTokens: cached, cacheWriteInputTokens: 0 };
}

const INCOMPLETE: Record<string, StopReason> = { max_output_tokens: 'max_tokens', content_filter: 'content_filtered' };

/**
 * Maps one Responses stream to neutral events, event by event. `response.failed` and `error`
 * throw the matching ProviderError; `completed` turns true at `response.completed` or
 * `response.incomplete` (a stream that ends before is incomplete). The stop reason is
 * `tool_use` when the answer called a function, else `end_turn` (the API has no finish reason).
 */
export class ResponsesStreamMapper {
  completed = false;
  private started = false;
  private sawToolCall = false;
  private readonly blocks = new Map<number, Block>();

  map(ev: ResponsesEvent): StreamEvent[] {
    const out: StreamEvent[] = [];
    if (!this.started && ev.type !== 'error' && ev.type !== 'response.failed') {
      this.started = true;
      out.push({ type: 'message_start' });
    }
    const index = typeof ev.output_index === 'number' ? ev.output_index : 0;
    switch (ev.type) {
      case 'response.output_item.added':
        this.added(index, ev.item ?? {}, out);
        break;
      case 'response.output_text.delta':
      case 'response.refusal.delta':
        if (typeof ev.delta === 'string' && ev.delta !== '') {
          this.block(index, 'text').emitted += ev.delta;
          out.push({ type: 'text_delta', index, text: ev.delta });
        }
        break;
      case 'response.reasoning_summary_text.delta':
      case 'response.reasoning_text.delta':
        if (typeof ev.delta === 'string' && ev.delta !== '') this.reasoningText(index, ev, out);
        break;
      case 'response.function_call_arguments.delta':
        if (typeof ev.delta === 'string' && ev.delta !== '') {
          this.block(index, 'tool').emitted += ev.delta;
          out.push({ type: 'tool_use_delta', index, input: ev.delta });
        }
        break;
      case 'response.output_item.done':
        this.done(index, ev.item ?? {}, out);
        break;
      case 'response.completed':
      case 'response.incomplete': {
        const reason: StopReason = ev.type === 'response.incomplete' ? (INCOMPLETE[ev.response?.incomplete_details?.reason] ?? 'other') : this.sawToolCall ? 'tool_use' : 'end_turn';
        out.push({ type: 'message_stop', stopReason: reason, rawStopReason: reason });
        if (ev.response?.usage) out.push({ type: 'usage', usage: mapResponsesUsage(ev.response.usage) });
        this.completed = true;
        break;
      }
      case 'response.failed': {
        const e = ev.response?.error ?? {};
        throw streamError(e.code ?? e.type, e.message);
      }
      case 'error':
        throw streamError(ev.code ?? ev.error?.code ?? ev.error?.type, ev.message ?? ev.error?.message);
      default:
        break;
    }
    return out;
  }

  private block(index: number, kind: Block['kind']): Block {
    let b = this.blocks.get(index);
    if (!b) {
      b = { kind, emitted: '', summaryIndex: 0 };
      this.blocks.set(index, b);
    }
    return b;
  }

  private added(index: number, item: any, out: StreamEvent[]): void {
    if (item.type === 'function_call') {
      const b = this.block(index, 'tool');
      this.sawToolCall = true;
      out.push({ type: 'tool_use_start', index, id: String(item.call_id ?? item.id ?? ''), name: String(item.name ?? '') });
      if (typeof item.arguments === 'string' && item.arguments !== '') {
        b.emitted += item.arguments;
        out.push({ type: 'tool_use_delta', index, input: item.arguments });
      }
    } else {
      this.block(index, item.type === 'message' ? 'text' : item.type === 'reasoning' ? 'reasoning' : 'other');
    }
  }

  private reasoningText(index: number, ev: ResponsesEvent, out: StreamEvent[]): void {
    const b = this.block(index, 'reasoning');
    const part = typeof ev.summary_index === 'number' ? ev.summary_index : typeof ev.content_index === 'number' ? ev.content_index : 0;
    let text = ev.delta as string;
    if (part !== b.summaryIndex) {
      if (b.emitted !== '') text = `\n\n${text}`;
      b.summaryIndex = part;
    }
    b.emitted += text;
    out.push({ type: 'reasoning_delta', index, text });
  }

  private done(index: number, item: any, out: StreamEvent[]): void {
    if (item.type === 'function_call') {
      const b = this.blocks.get(index) ?? (this.added(index, item, out), this.block(index, 'tool'));
      const rest = remainder(b.emitted, typeof item.arguments === 'string' ? item.arguments : '');
      if (rest) out.push({ type: 'tool_use_delta', index, input: rest });
      out.push({ type: 'block_stop', index });
    } else if (item.type === 'message') {
      const b = this.block(index, 'text');
      const full = (Array.isArray(item.content) ? item.content : []).map((c: any) => (typeof c?.text === 'string' ? c.text : typeof c?.refusal === 'string' ? c.refusal : '')).join('');
      const rest = remainder(b.emitted, full);
      if (rest) out.push({ type: 'text_delta', index, text: rest });
      out.push({ type: 'block_stop', index });
    } else if (item.type === 'reasoning') {
      const b = this.block(index, 'reasoning');
      const rest = remainder(b.emitted, summaryText(item));
      out.push({ type: 'reasoning_delta', index, ...(rest ? { text: rest } : {}), signature: encodeReasoningItem(item as ResponsesReasoningItem) });
      out.push({ type: 'block_stop', index });
    }
  }
}

// What `full` adds to what was already streamed (nothing when the stream already had it all, or
// when they disagree: the streamed text stands).
function remainder(emitted: string, full: string): string {
  return full.length > emitted.length && full.startsWith(emitted) ? full.slice(emitted.length) : '';
}
