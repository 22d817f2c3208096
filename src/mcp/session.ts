/**
 * The MCP servers of one run: all started in parallel when the run starts, their tools given to
 * the model as `mcp__<server>__<tool>`, every server stopped when the run ends. Loaded only by a
 * run that has servers (it brings the MCP SDK).
 */
import type { EventBody } from '../task/events.ts';
import type { ToolSession, ToolSourceContext } from '../agent/tool-source.ts';
import { ToolCancelledError } from '../agent/tools/errors.ts';
import { toolError } from '../agent/tools/result.ts';
import { truncateOutput } from '../agent/tools/truncate.ts';
import type { ToolContext, ToolResult } from '../agent/tools/types.ts';
import type { McpServerConfig } from '../config/mcp.ts';
import type { ToolSpec } from '../providers/types.ts';
import { createRedactor } from '../security/index.ts';
import { McpConnection } from './connection.ts';
import { McpCallError, McpStartError } from './errors.ts';
import { mcpToolName } from './names.ts';
import { toToolResult } from './result.ts';
import { toInputSchema, toolDescription } from './schema.ts';
import type { McpSourceOptions } from './types.ts';

interface Started {
  config: McpServerConfig;
  durationMs: number;
  connection?: McpConnection;
  error?: McpStartError;
}

interface Entry {
  spec: ToolSpec;
  connection: McpConnection;
  /** The tool's name on its server. */
  tool: string;
}

/**
 * Starts `servers` for a run (each within its start-up timeout, all at once) and returns the
 * session: the tools of the servers that started (filtered by `enabled_tools` and
 * `disabled_tools`), one `mcp_server` notice per server, and `close`, which stops them all.
 * Never rejects: a server that cannot start is a `failed` notice.
 */
export async function openMcpSession(servers: McpServerConfig[], opts: McpSourceOptions, ctx: ToolSourceContext): Promise<ToolSession> {
  const secrets: string[] = [];
  const started = await Promise.all(servers.map((config) => startOne(config, opts, ctx, secrets)));
  // A server could echo the secrets it was given; the model (and so the events) must not see them.
  const redactor = createRedactor({ literals: secrets });
  const taken = new Set<string>();
  const byName = new Map<string, Entry>();
  const notices: EventBody[] = [];
  for (const s of started) {
    const names: string[] = [];
    for (const tool of s.connection?.tools ?? []) {
      if (!wanted(s.config, tool.name)) continue;
      const name = mcpToolName(s.config.name, tool.name, taken);
      names.push(name);
      byName.set(name, { spec: { name, description: toolDescription(s.config.name, tool), inputSchema: toInputSchema(tool.inputSchema) }, connection: s.connection!, tool: tool.name });
    }
    notices.push({
      type: 'mcp_server',
      server: s.config.name,
      transport: s.config.transport,
      status: s.connection ? 'ready' : 'failed',
      tools: names,
      durationMs: s.durationMs,
      ...(s.error ? { error: { code: `mcp_${s.error.code}`, message: redactor.text(`MCP server ${s.config.name} did not start: ${s.error.message}`) } } : {}),
    });
  }
  const specs = [...byName.values()].map((e) => e.spec);
  return {
    notices,
    tools: {
      specs: () => specs,
      isReadOnly: () => false,
      execute: (call, toolCtx) => execute(byName.get(call.name), call, toolCtx, redactor.text),
    },
    close: async () => {
      await Promise.all(started.map((s) => s.connection?.close()));
    },
  };
}

async function startOne(config: McpServerConfig, opts: McpSourceOptions, ctx: ToolSourceContext, secrets: string[]): Promise<Started> {
  const t0 = ctx.clock();
  try {
    const connection = await McpConnection.start(config, ctx, opts, secrets);
    return { config, connection, durationMs: ctx.clock() - t0 };
  } catch (err) {
    const error = err instanceof McpStartError ? err : new McpStartError(config.name, 'initialize_failed', (err as Error)?.message ?? String(err), { cause: err });
    return { config, error, durationMs: ctx.clock() - t0 };
  }
}

function wanted(config: McpServerConfig, tool: string): boolean {
  if (config.enabledTools && !config.enabledTools.includes(tool)) return false;
  return !config.disabledTools.includes(tool);
}

async function execute(entry: Entry | undefined, call: { name: string; input: unknown }, ctx: ToolContext, redact: (s: string) => string): Promise<ToolResult> {
  if (!entry) return toolError(`Unknown tool ${JSON.stringify(call.name)}.`);
  if (ctx.signal.aborted) throw new ToolCancelledError(call.name, { cause: ctx.signal.reason });
  const input = call.input;
  const args = input !== null && typeof input === 'object' && !Array.isArray(input) ? (input as Record<string, unknown>) : {};
  try {
    const result = await entry.connection.call(entry.tool, args, ctx.signal);
    return toToolResult(result, { maxOutputBytes: ctx.maxOutputBytes, redact });
  } catch (err) {
    if (ctx.signal.aborted) throw new ToolCancelledError(call.name, { cause: err });
    const message = err instanceof McpCallError ? err.message : `the MCP call failed: ${(err as Error)?.message ?? String(err)}`;
    return toolError(redact(truncateOutput(message, ctx.maxOutputBytes)));
  }
}
