/**
 * Reasoning items of the Responses API kept in the neutral `reasoning` block. The item as the
 * server finished it (`response.output_item.done`) is stored in the block's `signature`, behind
 * a prefix that marks its origin, so it goes back to the API exactly and other wire formats can
 * tell it is not theirs.
 */
export const RESPONSES_REASONING_PREFIX = 'openai-responses:';

export interface SummaryPart {
  type: string;
  text: string;
}

/** A reasoning output item of the Responses API. */
export interface ResponsesReasoningItem {
  type: 'reasoning';
  id?: string;
  summary: SummaryPart[];
  encrypted_content?: string | null;
  content?: { type: string; text?: string }[];
  [key: string]: unknown;
}

/** The `signature` that carries `item` (its `status` left out: it is output-only). */
export function encodeReasoningItem(item: ResponsesReasoningItem): string {
  const { status: _status, ...kept } = item as ResponsesReasoningItem & { status?: unknown };
  return RESPONSES_REASONING_PREFIX + JSON.stringify({ ...kept, summary: Array.isArray(kept.summary) ? kept.summary : [] });
}

/** The item a signature carries; undefined for another origin's signature (Claude's, a chat server's). */
export function decodeReasoningItem(signature: string | undefined): ResponsesReasoningItem | undefined {
  if (!signature?.startsWith(RESPONSES_REASONING_PREFIX)) return undefined;
  try {
    const item = JSON.parse(signature.slice(RESPONSES_REASONING_PREFIX.length)) as ResponsesReasoningItem;
    return item && item.type === 'reasoning' ? item : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The input item sending a stored reasoning item back. Like Codex, without the item id (with
 * `store: false` ids refer to nothing on the server) and without raw `reasoning_text` content,
 * which the API does not take back; summary and encrypted content are kept verbatim. Undefined
 * for an item with nothing the API could use (no encrypted content).
 */
export function reasoningInputItem(item: ResponsesReasoningItem): Record<string, unknown> | undefined {
  const { id: _id, content, ...rest } = item;
  const out: Record<string, unknown> = { ...rest, type: 'reasoning' };
  const keptContent = Array.isArray(content) && content.length > 0 && !content.some((c) => c?.type === 'reasoning_text');
  if (keptContent) out.content = content;
  // Without encrypted content (or content it takes back) an unstored item means nothing to the API.
  if (!item.encrypted_content && !keptContent) return undefined;
  return out;
}

/** The summary text of a reasoning item as the stream shows it: parts separated by a blank line. */
export function summaryText(item: Pick<ResponsesReasoningItem, 'summary'>): string {
  return (item.summary ?? []).map((p) => p?.text ?? '').join('\n\n');
}
