import type { Tool, ToolConfiguration } from '@aws-sdk/client-bedrock-runtime';
import type { ModelInfo, ToolSpec } from '../types.ts';

export const CACHE_POINT = { type: 'default' } as const;

/**
 * The Converse tool configuration for `tools` (undefined when there are none). Keys follow the
 * SDK's serialisation order (name, inputSchema, description). With `cachePoint`, and when the
 * model accepts cache points, a cachePoint block closes the list.
 */
export function toToolConfig(tools: ToolSpec[], model: ModelInfo, opts: { cachePoint?: boolean } = {}): ToolConfiguration | undefined {
  if (tools.length === 0) return undefined;
  const list: Tool[] = tools.map((t) => ({
    // An empty description is rejected by Bedrock; leave the key out instead.
    toolSpec: t.description
      ? { name: t.name, inputSchema: { json: t.inputSchema as never }, description: t.description }
      : { name: t.name, inputSchema: { json: t.inputSchema as never } },
  }));
  if (opts.cachePoint && model.cachePoints) list.push({ cachePoint: { ...CACHE_POINT } });
  return { tools: list };
}
