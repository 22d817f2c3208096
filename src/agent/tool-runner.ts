import type { ContentBlock } from '../providers/types.ts';
import type { ToolContext, ToolResult } from './tools/types.ts';

export interface ToolCall {
  id: string;
  name: string;
  input: unknown;
}

export interface ToolExecutor {
  isReadOnly(name: string): boolean;
  execute(call: ToolCall, ctx: ToolContext): Promise<ToolResult>;
}

/**
 * Splits the calls of one assistant message into groups that run together: consecutive
 * read-only calls form one parallel group; every mutating call runs alone, in order.
 */
export function planToolGroups(calls: ToolCall[], isReadOnly: (name: string) => boolean): ToolCall[][] {
  const groups: ToolCall[][] = [];
  let parallel: ToolCall[] = [];
  for (const call of calls) {
    if (isReadOnly(call.name)) {
      parallel.push(call);
      continue;
    }
    if (parallel.length) groups.push(parallel);
    parallel = [];
    groups.push([call]);
  }
  if (parallel.length) groups.push(parallel);
  return groups;
}

/** The tool_use blocks of an assistant message, as calls. */
export function toolCallsOf(content: ContentBlock[]): ToolCall[] {
  return content.filter((b): b is Extract<ContentBlock, { type: 'tool_use' }> => b.type === 'tool_use').map((b) => ({ id: b.id, name: b.name, input: b.input }));
}
