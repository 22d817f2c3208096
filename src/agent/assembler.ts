import type { ContentBlock, Message, StopReason, StreamEvent } from '../providers/types.ts';

interface OpenBlock {
  kind: 'text' | 'reasoning' | 'redacted' | 'tool_use';
  text: string;
  signature?: string;
  id?: string;
  name?: string;
}

/** A block finished streaming, in the neutral form the loop reports. */
export type CompletedBlock = ContentBlock & { index: number };

/**
 * Turns a provider's stream events into one assistant message. Block indices may have gaps;
 * blocks are kept in index order. Tool input arrives as JSON fragments and is parsed at the end;
 * input that does not parse is kept as `{ __invalid_json: text }` so the tool call fails with a
 * message the model can act on instead of ending the run.
 */
export class MessageAssembler {
  private blocks = new Map<number, OpenBlock>();
  stopReason: StopReason | undefined;
  rawStopReason: string | undefined;

  /** Forget a partial turn (before a retry or failover). */
  reset(): void {
    this.blocks.clear();
    this.stopReason = undefined;
    this.rawStopReason = undefined;
  }

  /** Feeds one event; returns the block it completed, if any. */
  add(event: StreamEvent): CompletedBlock | undefined {
    switch (event.type) {
      case 'text_delta':
        this.open(event.index, 'text').text += event.text;
        return undefined;
      case 'reasoning_delta': {
        const b = this.open(event.index, event.redactedData !== undefined ? 'redacted' : 'reasoning');
        if (event.redactedData !== undefined) {
          b.kind = 'redacted';
          b.text += event.redactedData;
        }
        if (event.text !== undefined) b.text += event.text;
        if (event.signature !== undefined) b.signature = (b.signature ?? '') + event.signature;
        return undefined;
      }
      case 'tool_use_start': {
        const b = this.open(event.index, 'tool_use');
        b.kind = 'tool_use';
        b.id = event.id;
        b.name = event.name;
        return undefined;
      }
      case 'tool_use_delta':
        this.open(event.index, 'tool_use').text += event.input;
        return undefined;
      case 'block_stop': {
        const b = this.blocks.get(event.index);
        return b ? { ...toContent(b), index: event.index } : undefined;
      }
      case 'message_stop':
        this.stopReason = event.stopReason;
        this.rawStopReason = event.rawStopReason;
        return undefined;
      default:
        return undefined;
    }
  }

  /** The assistant message so far, blocks in index order (empty text blocks dropped). */
  message(): Message {
    const content = [...this.blocks.entries()]
      .sort((a, b) => a[0] - b[0])
      .map(([, b]) => toContent(b))
      .filter((c) => !(c.type === 'text' && c.text === ''));
    return { role: 'assistant', content };
  }

  private open(index: number, kind: OpenBlock['kind']): OpenBlock {
    let b = this.blocks.get(index);
    if (!b) {
      b = { kind, text: '' };
      this.blocks.set(index, b);
    }
    return b;
  }
}

function toContent(b: OpenBlock): ContentBlock {
  switch (b.kind) {
    case 'text':
      return { type: 'text', text: b.text };
    case 'reasoning':
      return b.signature !== undefined ? { type: 'reasoning', text: b.text, signature: b.signature } : { type: 'reasoning', text: b.text };
    case 'redacted':
      return { type: 'redacted_reasoning', data: b.text };
    case 'tool_use':
      return { type: 'tool_use', id: b.id ?? '', name: b.name ?? '', input: parseToolInput(b.text) };
  }
}

/**
 * How deep tool input may nest. The tools' schemas are flat; deeper input could only overflow the
 * stack of whatever walks it next (validation, redaction, the transcript's JSON, the SDK).
 */
export const MAX_TOOL_INPUT_DEPTH = 64;

/**
 * Parses streamed tool input; empty input is `{}`. Input that does not parse is kept as
 * `{ __invalid_json: text }`, input nested deeper than MAX_TOOL_INPUT_DEPTH becomes
 * `{ __invalid_input: why }`: both come back to the model as error results.
 */
export function parseToolInput(text: string): unknown {
  if (text.trim() === '') return {};
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { __invalid_json: text };
  }
  return nestedDeeperThan(value, MAX_TOOL_INPUT_DEPTH) ? { __invalid_input: `nested more than ${MAX_TOOL_INPUT_DEPTH} levels deep` } : value;
}

/** Whether a parsed JSON value nests objects or arrays deeper than `max`; iterative, so any depth is safe. */
export function nestedDeeperThan(value: unknown, max: number): boolean {
  const stack: [unknown, number][] = [[value, 0]];
  while (stack.length > 0) {
    const [v, depth] = stack.pop()!;
    if (v === null || typeof v !== 'object') continue;
    if (depth >= max) return true;
    for (const child of Object.values(v)) if (child !== null && typeof child === 'object') stack.push([child, depth + 1]);
  }
  return false;
}
