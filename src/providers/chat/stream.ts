/**
 * Streamed Chat Completions chunks in neutral form. Chat chunks have no blocks, so the mapper
 * makes them: reasoning, text and each tool call (keyed by its `index` in `tool_calls`) get a
 * block index in order of first appearance; a text or reasoning block ends when another kind
 * of output starts; everything ends at the end of the stream.
 */
import type { StopReason, StreamEvent, Usage } from '../types.ts';
import { ProviderError } from '../errors.ts';
import { streamError } from '../http.ts';
import { chatReasoningSignature, type ChatReasoningField } from './reasoning.ts';

const FINISH: Record<string, StopReason> = {
  stop: 'end_turn',
  tool_calls: 'tool_use',
  function_call: 'tool_use',
  length: 'max_tokens',
  content_filter: 'content_filtered',
};

/** A finish reason in neutral form (`tool_use` whenever the answer called tools, whatever the server said). */
export function mapFinishReason(reason: string | null | undefined, calledTools: boolean): StopReason {
  if (calledTools && (reason === undefined || reason === null || reason === 'stop' || reason === 'tool_calls' || reason === 'function_call')) return 'tool_use';
  return reason ? (FINISH[reason] ?? 'other') : 'end_turn';
}

/** Chat usage in neutral form (cached prompt tokens apart from the uncached ones). */
export function mapChatUsage(u: any): Usage {
  const cached = Number(u?.prompt_tokens_details?.cached_tokens ?? 0) || 0;
  const input = Number(u?.prompt_tokens ?? 0) || 0;
  return { inputTokens: Math.max(0, input - cached), outputTokens: Number(u?.completion_tokens ?? 0) || 0, cacheReadInputTokens: cached, cacheWriteInputTokens: 0 };
}

interface Open {
  kind: 'text' | 'reasoning';
  index: number;
  field?: ChatReasoningField;
}

/**
 * Maps one chat stream, chunk by chunk. Tool-call ids and names come from a call's first
 * fragment (an id the server leaves out is made up with `newId`); arguments follow in pieces.
 * An `{error}` chunk throws. `finish()` closes the blocks and gives the stop and usage; it
 * throws a retryable error when the stream ended with neither a finish reason nor `[DONE]`.
 */
export class ChatStreamMapper {
  private started = false;
  private next = 0;
  private open: Open | undefined;
  private readonly tools = new Map<number, number>();
  private finishReason: string | null | undefined;
  private usage: Usage | undefined;
  private done = false;

  constructor(private readonly newId: () => string) {}

  /** Marks the `[DONE]` sentinel. */
  markDone(): void {
    this.done = true;
  }

  push(chunk: any): StreamEvent[] {
    if (chunk?.error) {
      const e = typeof chunk.error === 'string' ? { message: chunk.error } : chunk.error;
      throw streamError(e.code ?? e.type ?? 'server_error', e.message);
    }
    const out: StreamEvent[] = [];
    if (!this.started) {
      this.started = true;
      out.push({ type: 'message_start' });
    }
    if (chunk?.usage) this.usage = mapChatUsage(chunk.usage);
    const choice = Array.isArray(chunk?.choices) ? chunk.choices[0] : undefined;
    if (!choice) return out;
    const delta = choice.delta ?? choice.message ?? {};
    // Servers that send both names send the same text twice: the first one wins.
    const field = (['reasoning_content', 'reasoning'] as const).find((f) => typeof delta[f] === 'string' && delta[f] !== '');
    if (field) out.push({ type: 'reasoning_delta', index: this.openBlock('reasoning', out, field), text: delta[field] });
    if (typeof delta.content === 'string' && delta.content !== '') out.push({ type: 'text_delta', index: this.openBlock('text', out), text: delta.content });
    if (Array.isArray(delta.tool_calls)) for (const call of delta.tool_calls) this.toolFragment(call, out);
    if (choice.finish_reason) this.finishReason = choice.finish_reason;
    return out;
  }

  finish(): StreamEvent[] {
    if (!this.done && !this.finishReason) throw new ProviderError('StreamIncomplete', 'the chat stream ended before a finish reason or [DONE]', { retryable: true });
    const out: StreamEvent[] = this.started ? [] : [{ type: 'message_start' }];
    this.closeOpen(out);
    for (const index of this.tools.values()) out.push({ type: 'block_stop', index });
    const reason = mapFinishReason(this.finishReason, this.tools.size > 0);
    out.push({ type: 'message_stop', stopReason: reason, rawStopReason: reason });
    if (this.usage) out.push({ type: 'usage', usage: this.usage });
    return out;
  }

  private openBlock(kind: Open['kind'], out: StreamEvent[], field?: ChatReasoningField): number {
    if (this.open?.kind === kind) return this.open.index;
    this.closeOpen(out);
    this.open = { kind, index: this.next++, field };
    return this.open.index;
  }

  private closeOpen(out: StreamEvent[]): void {
    const o = this.open;
    if (!o) return;
    if (o.kind === 'reasoning' && o.field) out.push({ type: 'reasoning_delta', index: o.index, signature: chatReasoningSignature(o.field) });
    out.push({ type: 'block_stop', index: o.index });
    this.open = undefined;
  }

  private toolFragment(call: any, out: StreamEvent[]): void {
    const key = typeof call?.index === 'number' ? call.index : this.tools.size;
    let index = this.tools.get(key);
    if (index === undefined) {
      this.closeOpen(out);
      index = this.next++;
      this.tools.set(key, index);
      const id = typeof call?.id === 'string' && call.id !== '' ? call.id : this.newId();
      out.push({ type: 'tool_use_start', index, id, name: String(call?.function?.name ?? '') });
    }
    const args = call?.function?.arguments;
    // Some servers send the arguments as an object rather than a JSON string.
    const piece = typeof args === 'string' ? args : args && typeof args === 'object' ? JSON.stringify(args) : '';
    if (piece !== '') out.push({ type: 'tool_use_delta', index, input: piece });
  }
}
