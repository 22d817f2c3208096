/** Helpers to read what the fake Bedrock received. */
import type { Json } from './fake-bedrock-parts.ts';

/** toolResult blocks of a Converse request body, with the index of their message. */
export function toolResultsIn(body: Json | undefined): (Json & { messageIndex: number })[] {
  const out: (Json & { messageIndex: number })[] = [];
  (body?.messages ?? []).forEach((msg: Json, mi: number) => {
    for (const b of msg.content ?? []) if (b?.toolResult) out.push({ ...b.toolResult, messageIndex: mi });
  });
  return out;
}

/** cachePoint blocks in system, toolConfig.tools and messages of a request body. */
export function countCachePoints(body: Json | undefined): number {
  let n = 0;
  for (const b of body?.system ?? []) if (b?.cachePoint) n++;
  for (const b of body?.toolConfig?.tools ?? []) if (b?.cachePoint) n++;
  for (const m of body?.messages ?? []) for (const b of m.content ?? []) if (b?.cachePoint) n++;
  return n;
}

/** A toolResult's content blocks as one string (json blocks stringified). */
export function toolResultText(tr: Json | undefined): string {
  return (tr?.content ?? []).map((c: Json | null) => (c == null ? '' : typeof c.text === 'string' ? c.text : c.json !== undefined ? JSON.stringify(c.json) : JSON.stringify(c))).join('\n');
}

/**
 * The tool result for `toolUseId` in the first model request after the one whose answer held
 * that toolUse, or null.
 */
export function findToolResult(requests: { body?: Json; response?: { toolUseIds?: string[] } | null }[], toolUseId: string): { request: { body?: Json }; toolResult: Json } | null {
  const at = requests.findIndex((r) => r.response?.toolUseIds?.includes(toolUseId));
  if (at < 0) return null;
  for (const r of requests.slice(at + 1)) {
    const tr = toolResultsIn(r.body).find((t) => t.toolUseId === toolUseId);
    if (tr) return { request: r, toolResult: tr };
  }
  return null;
}
