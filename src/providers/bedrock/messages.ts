import type {
  ContentBlock as ConverseBlock,
  Message as ConverseMessage,
  SystemContentBlock,
} from '@aws-sdk/client-bedrock-runtime';
import type { ContentBlock, Message, ToolImage } from '../types.ts';

// Bedrock rejects blank text in tool results; an empty output still has to say something.
const EMPTY_TOOL_OUTPUT = '(no output)';

/**
 * Converts neutral messages to Converse messages. Blocks are built with their keys in the
 * order the SDK serialises them, so the transcript's JSON matches the request body byte for
 * byte. In an assistant message, reasoning blocks go first, in their original order (Bedrock
 * rejects thinking after text or tool use); redacted reasoning (base64 in the neutral form)
 * becomes bytes. `reasoning: false` drops reasoning blocks for models that cannot take them.
 * Blank text blocks of assistant messages are dropped (Bedrock rejects them). Tool-result images
 * are sent for the latest `images` of them (none by default: models that take no images in tool
 * results); the result's text describes every image anyway.
 */
export function toConverseMessages(messages: Message[], opts: { reasoning?: boolean; images?: number } = {}): ConverseMessage[] {
  const keepReasoning = opts.reasoning ?? true;
  const imagesOf = imageBudget(messages, opts.images ?? 0);
  return messages.map((m) => {
    let blocks = m.content;
    if (m.role === 'assistant') {
      const isReasoning = (b: ContentBlock) => b.type === 'reasoning' || b.type === 'redacted_reasoning';
      blocks = keepReasoning ? [...blocks.filter(isReasoning), ...blocks.filter((b) => !isReasoning(b))] : blocks.filter((b) => !isReasoning(b));
      blocks = blocks.filter((b) => !(b.type === 'text' && b.text.trim() === ''));
    }
    return { role: m.role, content: blocks.map((b) => toConverseBlock(b, imagesOf.get(b))) };
  });
}

/** The tool-result blocks that keep their images, the latest first, up to `max` images in all. */
function imageBudget(messages: Message[], max: number): Map<ContentBlock, ToolImage[]> {
  const keep = new Map<ContentBlock, ToolImage[]>();
  let left = max;
  for (let i = messages.length - 1; i >= 0 && left > 0; i--) {
    for (const b of messages[i].content) {
      if (b.type !== 'tool_result' || !b.images?.length || left <= 0) continue;
      const taken = b.images.slice(0, left);
      keep.set(b, taken);
      left -= taken.length;
    }
  }
  return keep;
}

/** One neutral content block in Converse form (`images`: those of a tool result to send). */
export function toConverseBlock(b: ContentBlock, images: ToolImage[] = []): ConverseBlock {
  switch (b.type) {
    case 'text':
      return { text: b.text };
    case 'reasoning':
      return {
        reasoningContent: {
          reasoningText: b.signature !== undefined ? { text: b.text, signature: b.signature } : { text: b.text },
        },
      };
    case 'redacted_reasoning':
      return { reasoningContent: { redactedContent: base64ToBytes(b.data) } };
    case 'tool_use':
      return { toolUse: { toolUseId: b.id, name: b.name, input: toDocument(b.input) as never } };
    case 'tool_result':
      return {
        toolResult: {
          toolUseId: b.toolUseId,
          content: [{ text: b.content === '' ? EMPTY_TOOL_OUTPUT : b.content }, ...images.map((img) => ({ image: { format: img.format, source: { bytes: base64ToBytes(img.data) } } }))],
          status: b.status,
        },
      };
  }
}

/** The system prompt as Converse system blocks (none when blank). */
export function toSystemBlocks(system: string): SystemContentBlock[] {
  return system.trim() === '' ? [] : [{ text: system }];
}

/** Bytes of base64 text as a plain Uint8Array (not a Buffer, whose toJSON would get in the way). */
export function base64ToBytes(data: string): Uint8Array {
  return new Uint8Array(Buffer.from(data, 'base64'));
}

/** Base64 of bytes. */
export function bytesToBase64(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
}

// Tool input must be a JSON object on the wire; the SDK would drop a null input altogether.
function toDocument(input: unknown): Record<string, unknown> {
  return input !== null && typeof input === 'object' && !Array.isArray(input) ? (input as Record<string, unknown>) : {};
}
