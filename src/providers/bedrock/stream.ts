import type { ConverseResponse, ConverseStreamOutput, TokenUsage } from '@aws-sdk/client-bedrock-runtime';
import type { StreamEvent, Usage } from '../types.ts';
import { StreamExceptionError } from '../errors.ts';
import { bytesToBase64 } from './messages.ts';
import { mapStopReason } from './stop-reason.ts';

/** In-stream exception members of ConverseStreamOutput, with their AWS error code. */
const STREAM_EXCEPTIONS: Record<string, { code: string; retryable: boolean }> = {
  throttlingException: { code: 'ThrottlingException', retryable: true },
  modelStreamErrorException: { code: 'ModelStreamErrorException', retryable: true },
  internalServerException: { code: 'InternalServerException', retryable: true },
  serviceUnavailableException: { code: 'ServiceUnavailableException', retryable: true },
  validationException: { code: 'ValidationException', retryable: false },
};

/** Usage in neutral form; missing counts are 0. */
export function mapUsage(u: TokenUsage | undefined): Usage {
  return {
    inputTokens: u?.inputTokens ?? 0,
    outputTokens: u?.outputTokens ?? 0,
    cacheReadInputTokens: u?.cacheReadInputTokens ?? 0,
    cacheWriteInputTokens: u?.cacheWriteInputTokens ?? 0,
  };
}

/**
 * One ConverseStream event (as the SDK yields it) in neutral form: text, tool-use start and
 * input fragments (empty fragments dropped), reasoning text / signature / redacted bytes (as
 * base64), block stops with the provider's indices (gaps kept), the stop reason and usage.
 * Unknown events give nothing. An in-stream exception member throws a StreamExceptionError
 * carrying its AWS error code (retryable except for validationException).
 */
export function mapStreamEvent(sdkEvent: ConverseStreamOutput): StreamEvent[] {
  const ev = sdkEvent as ConverseStreamOutput & Record<string, any>;
  if (ev.messageStart) return [{ type: 'message_start' }];
  if (ev.contentBlockStart) {
    const index = ev.contentBlockStart.contentBlockIndex ?? 0;
    const tu = ev.contentBlockStart.start?.toolUse;
    return tu ? [{ type: 'tool_use_start', index, id: tu.toolUseId ?? '', name: tu.name ?? '' }] : [];
  }
  if (ev.contentBlockDelta) {
    const index = ev.contentBlockDelta.contentBlockIndex ?? 0;
    const d = ev.contentBlockDelta.delta;
    if (!d) return [];
    if (typeof d.text === 'string') return [{ type: 'text_delta', index, text: d.text }];
    if (d.toolUse) return d.toolUse.input ? [{ type: 'tool_use_delta', index, input: d.toolUse.input }] : [];
    if (d.reasoningContent) {
      const r = d.reasoningContent as { text?: string; signature?: string; redactedContent?: Uint8Array | string };
      const out: StreamEvent & { type: 'reasoning_delta' } = { type: 'reasoning_delta', index };
      if (typeof r.text === 'string') out.text = r.text;
      if (typeof r.signature === 'string') out.signature = r.signature;
      if (r.redactedContent !== undefined) out.redactedData = typeof r.redactedContent === 'string' ? r.redactedContent : bytesToBase64(r.redactedContent);
      return [out];
    }
    return [];
  }
  if (ev.contentBlockStop) return [{ type: 'block_stop', index: ev.contentBlockStop.contentBlockIndex ?? 0 }];
  if (ev.messageStop) {
    const raw = ev.messageStop.stopReason ?? '';
    return [{ type: 'message_stop', stopReason: mapStopReason(raw), rawStopReason: raw }];
  }
  if (ev.metadata) return ev.metadata.usage ? [{ type: 'usage', usage: mapUsage(ev.metadata.usage) }] : [];
  for (const [member, info] of Object.entries(STREAM_EXCEPTIONS)) {
    const exc = ev[member];
    if (exc) {
      throw new StreamExceptionError(info.code, String(exc.message ?? info.code), { retryable: info.retryable, cause: exc });
    }
  }
  return [];
}

/**
 * A Converse (non-streaming) response as the same neutral events a stream would give: one
 * block per content item, in order, then the stop reason and usage.
 */
export function mapConverseOutput(out: Pick<ConverseResponse, 'output' | 'stopReason' | 'usage'>): StreamEvent[] {
  const events: StreamEvent[] = [{ type: 'message_start' }];
  const content = out.output?.message?.content ?? [];
  content.forEach((block, index) => {
    const b = block as Record<string, any>;
    if (typeof b.text === 'string') {
      events.push({ type: 'text_delta', index, text: b.text });
    } else if (b.toolUse) {
      events.push({ type: 'tool_use_start', index, id: b.toolUse.toolUseId ?? '', name: b.toolUse.name ?? '' });
      events.push({ type: 'tool_use_delta', index, input: JSON.stringify(b.toolUse.input ?? {}) });
    } else if (b.reasoningContent?.reasoningText) {
      const rt = b.reasoningContent.reasoningText;
      const e: StreamEvent & { type: 'reasoning_delta' } = { type: 'reasoning_delta', index, text: rt.text ?? '' };
      if (rt.signature !== undefined) e.signature = rt.signature;
      events.push(e);
    } else if (b.reasoningContent?.redactedContent !== undefined) {
      const data = b.reasoningContent.redactedContent;
      events.push({ type: 'reasoning_delta', index, redactedData: typeof data === 'string' ? data : bytesToBase64(data) });
    } else {
      return;
    }
    events.push({ type: 'block_stop', index });
  });
  const raw = out.stopReason ?? '';
  events.push({ type: 'message_stop', stopReason: mapStopReason(raw), rawStopReason: raw });
  if (out.usage) events.push({ type: 'usage', usage: mapUsage(out.usage) });
  return events;
}
