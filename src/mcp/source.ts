/** The run's MCP servers as a tool source for the loop; the MCP SDK is loaded only when a run has servers. */
import type { ToolSource } from '../agent/tool-source.ts';
import type { McpServerConfig } from '../config/mcp.ts';
import type { McpSourceOptions } from './types.ts';

/**
 * A tool source starting `servers` when a run starts (see openMcpSession), or undefined when
 * there are none, so a run without servers never loads the MCP client.
 */
export function createMcpToolSource(servers: readonly McpServerConfig[] | undefined, opts: McpSourceOptions): ToolSource | undefined {
  if (!servers || servers.length === 0) return undefined;
  const list = [...servers];
  return {
    open: async (ctx) => (await import('./session.ts')).openMcpSession(list, opts, ctx),
  };
}
