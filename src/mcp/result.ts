/** An MCP tool's answer as the tool result the model gets. */
import { isDeepStrictEqual } from 'node:util';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import type { ToolImage } from '../providers/types.ts';
import type { ToolResult } from '../agent/tools/types.ts';
import { truncateOutput } from '../agent/tools/truncate.ts';

/** Bedrock's largest image (3.75 MB); larger ones are described instead of sent. */
export const MAX_IMAGE_BYTES = 3_750_000;
/** Images kept from one result; the rest are described. */
export const MAX_IMAGES_PER_RESULT = 5;

const IMAGE_FORMATS: Record<string, ToolImage['format']> = { 'image/png': 'png', 'image/jpeg': 'jpeg', 'image/jpg': 'jpeg', 'image/gif': 'gif', 'image/webp': 'webp' };

const base64Bytes = (data: string) => Math.floor((data.length * 3) / 4) - (data.endsWith('==') ? 2 : data.endsWith('=') ? 1 : 0);

type Block = CallToolResult['content'][number];

/**
 * The result for the model: text blocks in order; structured content as JSON unless the text
 * already carries it; images (PNG, JPEG, GIF, WebP up to 3.75 MB, at most 5)
 * as images, each also described in the text; audio, blobs and resource links described;
 * embedded text resources as text. `isError` makes an error result. The text is cut to
 * `maxOutputBytes` (head and tail) and `redact` applied to it.
 */
export function toToolResult(result: CallToolResult, opts: { maxOutputBytes: number; redact?: (s: string) => string }): ToolResult {
  const parts: string[] = [];
  const images: ToolImage[] = [];
  for (const block of result.content ?? []) parts.push(describe(block, images));
  const structured = result.structuredContent;
  if (structured !== undefined && !coveredByText(structured, parts)) parts.push(`structured content: ${JSON.stringify(structured)}`);
  let text = parts.filter((p) => p !== '').join('\n');
  if (text === '') text = result.isError ? 'the tool reported an error without a message' : '(no output)';
  const redact = opts.redact ?? ((s: string) => s);
  return {
    status: result.isError ? 'error' : 'success',
    output: redact(truncateOutput(text, opts.maxOutputBytes)),
    ...(images.length > 0 ? { images } : {}),
  };
}

function describe(block: Block, images: ToolImage[]): string {
  switch (block.type) {
    case 'text':
      return block.text;
    case 'image': {
      const format = IMAGE_FORMATS[block.mimeType.toLowerCase()];
      const bytes = base64Bytes(block.data);
      const what = `[image: ${block.mimeType}, ${bytes} bytes`;
      if (!format) return `${what}, not shown: only PNG, JPEG, GIF and WebP images are passed on]`;
      if (bytes > MAX_IMAGE_BYTES) return `${what}, not shown: larger than ${MAX_IMAGE_BYTES} bytes]`;
      if (images.length >= MAX_IMAGES_PER_RESULT) return `${what}, not shown: only ${MAX_IMAGES_PER_RESULT} images a result are passed on]`;
      images.push({ format, data: block.data });
      return `${what}, image ${images.length} of this result]`;
    }
    case 'audio':
      return `[audio: ${block.mimeType}, ${base64Bytes(block.data)} bytes, not shown]`;
    case 'resource_link':
      return `[resource link: ${block.uri}${block.name ? ` (${block.name})` : ''}${block.mimeType ? `, ${block.mimeType}` : ''}${block.description ? `: ${block.description}` : ''}]`;
    case 'resource': {
      const r = block.resource;
      if ('text' in r && typeof r.text === 'string') return `[resource ${r.uri}${r.mimeType ? `, ${r.mimeType}` : ''}]\n${r.text}`;
      const blob = 'blob' in r && typeof r.blob === 'string' ? r.blob : '';
      return `[resource ${r.uri}${r.mimeType ? `, ${r.mimeType}` : ''}: ${base64Bytes(blob)} bytes of binary data, not shown]`;
    }
    default:
      return `[content of type ${JSON.stringify((block as { type?: unknown }).type)}, not shown]`;
  }
}

/**
 * Whether the text blocks already carry the structured content: one of them is its JSON (as the
 * specification asks servers to send), or every string and number in it appears in the text
 * (server-filesystem's `{content: <the text>}`).
 */
function coveredByText(value: unknown, parts: string[]): boolean {
  const text = parts.join('\n');
  if (text.trim() === '') return false;
  if (parts.some((p) => sameJson(p, value))) return true;
  const leaves: string[] = [];
  const walk = (v: unknown): void => {
    if (typeof v === 'string') leaves.push(v);
    else if (typeof v === 'number') leaves.push(String(v));
    else if (v !== null && typeof v === 'object') for (const x of Object.values(v)) walk(x);
  };
  walk(value);
  return leaves.length > 0 && leaves.every((l) => text.includes(l));
}

function sameJson(text: string, value: unknown): boolean {
  try {
    return isDeepStrictEqual(JSON.parse(text), value);
  } catch {
    return false;
  }
}
