import type { Message as ConverseMessage, SystemContentBlock, Tool, ToolConfiguration } from '@aws-sdk/client-bedrock-runtime';
import type { ModelInfo } from '../types.ts';
import { CACHE_POINT } from './tools.ts';

/** The parts of a Converse request that cache points go into. */
export interface ConverseParts {
  system: SystemContentBlock[];
  messages: ConverseMessage[];
  toolConfig?: ToolConfiguration;
}

/** At most this many cachePoint blocks per request (Bedrock's limit). */
export const MAX_CACHE_POINTS = 4;

/**
 * Adds `{cachePoint: {type: 'default'}}` after the tool list, after the system prompt and at the
 * end of the latest user turn, for models whose registry entry accepts cache points (after the
 * tools unless `cacheTools` is false: models that take cache points only in messages and the
 * system prompt, Nova's, say so in the registry; absent means allowed). The prompt prefix is cached in the order tools, system,
 * messages; a point is skipped when the prefix up to it is estimated (chars / 4) below the
 * model's minimum. Never more than 4 points in all, existing ones included. Returns new
 * objects; the input is not changed.
 */
export function placeCachePoints(parts: ConverseParts, model: ModelInfo & { cacheTools?: boolean }): ConverseParts {
  if (!model.cachePoints) return parts;
  let budget = MAX_CACHE_POINTS - countCachePoints(parts);
  const enough = (chars: number) => Math.floor(chars / 4) >= model.minCacheTokens;
  const tools = parts.toolConfig?.tools ?? [];
  const toolChars = estimateChars(tools);
  const systemChars = estimateChars(parts.system);
  // Only whether the prefix reaches the minimum matters: stop counting as soon as it does, so the
  // cost per turn does not grow with the transcript.
  const messagesEnough = () => {
    let n = toolChars + systemChars;
    for (let i = parts.messages.length - 1; i >= 0 && !enough(n); i--) n += estimateChars(parts.messages[i]);
    return enough(n);
  };
  const out: ConverseParts = { ...parts };

  if (model.cacheTools !== false && tools.length > 0 && budget > 0 && !endsWithCachePoint(tools) && enough(toolChars)) {
    out.toolConfig = { ...parts.toolConfig, tools: [...tools, { cachePoint: { ...CACHE_POINT } } as Tool] };
    budget--;
  }
  if (parts.system.length > 0 && budget > 0 && !endsWithCachePoint(parts.system) && enough(toolChars + systemChars)) {
    out.system = [...parts.system, { cachePoint: { ...CACHE_POINT } }];
    budget--;
  }
  const last = findLastIndex(parts.messages, (m) => m.role === 'user');
  if (last >= 0 && budget > 0 && messagesEnough()) {
    const m = parts.messages[last];
    const content = m.content ?? [];
    if (!endsWithCachePoint(content)) {
      out.messages = parts.messages.map((msg, i) => (i === last ? { role: msg.role, content: [...content, { cachePoint: { ...CACHE_POINT } }] } : msg));
    }
  }
  return out;
}

/** cachePoint blocks in system, tools and messages. */
export function countCachePoints(parts: Partial<ConverseParts>): number {
  let n = 0;
  for (const b of parts.system ?? []) if (b && 'cachePoint' in b && b.cachePoint) n++;
  for (const b of parts.toolConfig?.tools ?? []) if (b && 'cachePoint' in b && b.cachePoint) n++;
  for (const m of parts.messages ?? []) for (const b of m.content ?? []) if (b && 'cachePoint' in b && b.cachePoint) n++;
  return n;
}

/** Characters of text in a value (strings, keys, numbers; bytes as their base64 length). */
export function estimateChars(value: unknown): number {
  if (typeof value === 'string') return value.length;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value).length;
  if (value instanceof Uint8Array) return Math.ceil(value.byteLength / 3) * 4;
  if (Array.isArray(value)) return value.reduce((n: number, v) => n + estimateChars(v), 0);
  if (value && typeof value === 'object') {
    let n = 0;
    for (const [k, v] of Object.entries(value)) if (v !== undefined) n += k.length + estimateChars(v);
    return n;
  }
  return 0;
}

function endsWithCachePoint(blocks: readonly object[]): boolean {
  const last = blocks[blocks.length - 1];
  return !!last && 'cachePoint' in last && !!(last as { cachePoint?: unknown }).cachePoint;
}

function findLastIndex<T>(items: readonly T[], pred: (item: T) => boolean): number {
  for (let i = items.length - 1; i >= 0; i--) if (pred(items[i])) return i;
  return -1;
}
