/** One MCP server for one run: started, asked for its tools, called, stopped. */
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import { ErrorCode, ListRootsRequestSchema, McpError, type CallToolResult, type Tool } from '@modelcontextprotocol/sdk/types.js';
import type { McpServerConfig } from '../config/mcp.ts';
import type { ToolSourceContext } from '../agent/tool-source.ts';
import { boundedFetch } from './bounded-fetch.ts';
import { McpCallError, McpStartError } from './errors.ts';
import { MAX_MESSAGE_BYTES, StdioProcessTransport } from './stdio-transport.ts';
import type { McpSourceOptions } from './types.ts';
import { httpHeaders, stdioVariables } from './variables.ts';

const CLIENT_INFO = { name: 'agent-runner', version: '0.1.0' };
/** How long an HTTP server gets to end its session when the run ends. */
const HTTP_CLOSE_MS = 2000;

const seconds = (ms: number) => `${Number.isInteger(ms / 1000) ? ms / 1000 : (ms / 1000).toFixed(1)} s`;

export class McpConnection {
  private stopped?: string;
  private readonly inFlight = new Set<AbortController>();

  private constructor(
    readonly config: McpServerConfig,
    private readonly client: Client,
    private readonly transport: Transport,
    private readonly diagnosis: () => string,
    /** The tools the server listed. */
    readonly tools: Tool[],
  ) {
    client.onclose = () => {
      this.stopped ??= this.diagnosis() || 'its connection closed';
    };
  }

  /**
   * Starts `config`'s server for a run in `ctx.root` and lists its tools, all within its start-up
   * timeout; throws McpStartError saying why it could not (after stopping whatever started). The
   * values of variables passed by reference are added to `secrets` as soon as they are read, to
   * be kept out of whatever the server sends back (or writes to stderr).
   */
  static async start(config: McpServerConfig, ctx: ToolSourceContext, opts: McpSourceOptions, secrets: string[]): Promise<McpConnection> {
    const deadline = AbortSignal.any([ctx.signal, AbortSignal.timeout(config.startupTimeoutMs)]);
    let unreadable: ((reason: string) => void) | undefined;
    const onUnreadable = (reason: string) => unreadable?.(reason);
    const { transport, diagnosis, exited, what } = await openTransport(config, ctx, opts, onUnreadable, secrets);
    const client = new Client(CLIENT_INFO, { capabilities: { roots: { listChanged: false } } });
    // Servers that honour roots (server-filesystem) are confined to the workspace.
    client.setRequestHandler(ListRootsRequestSchema, () => ({ roots: [{ uri: pathToFileURL(ctx.root).href, name: 'workspace' }] }));
    client.onerror = () => undefined;
    let step = 'initialize';
    try {
      await client.connect(transport, { signal: deadline, timeout: config.startupTimeoutMs });
      const tools: Tool[] = [];
      if (client.getServerCapabilities()?.tools) {
        step = 'tools/list';
        let cursor: string | undefined;
        do {
          const page = await client.listTools(cursor ? { cursor } : undefined, { signal: deadline, timeout: config.startupTimeoutMs });
          tools.push(...page.tools);
          cursor = page.nextCursor;
        } while (cursor);
      }
      const conn = new McpConnection(config, client, transport, diagnosis, tools);
      unreadable = (reason) => conn.failInFlight(reason);
      return conn;
    } catch (err) {
      await client.close().catch(() => undefined);
      throw startError(config, err, { step, what, diagnosis: diagnosis(), cancelled: ctx.signal.aborted, timedOut: deadline.aborted, exited: exited() });
    }
  }

  /**
   * Calls the server's tool `name` with `args`, within `tool_timeout_sec`. Throws McpCallError for
   * every failure on the way (code `cancelled` when `signal` aborted); a result with `isError` is
   * returned as is.
   */
  async call(name: string, args: Record<string, unknown>, signal: AbortSignal): Promise<CallToolResult> {
    const server = this.config.name;
    if (this.stopped) throw new McpCallError(server, 'server_stopped', `the MCP server ${server} has stopped (${this.stopped}); its tools cannot be used in this run`);
    const mine = new AbortController();
    this.inFlight.add(mine);
    try {
      return (await this.client.callTool({ name, arguments: args }, undefined, {
        signal: AbortSignal.any([signal, mine.signal]),
        timeout: this.config.toolTimeoutMs,
      })) as CallToolResult;
    } catch (err) {
      if (signal.aborted) throw new McpCallError(server, 'cancelled', 'the call was cancelled', { cause: err });
      if (mine.signal.aborted) throw new McpCallError(server, 'message_too_large', `${String(mine.signal.reason)}; ask for less at a time`, { cause: err });
      throw this.callError(err);
    } finally {
      this.inFlight.delete(mine);
    }
  }

  /** Stops the server (its process group, or its HTTP session); never rejects. */
  async close(): Promise<void> {
    this.stopped ??= 'the run ended';
    if (this.transport instanceof StreamableHTTPClientTransport) {
      const transport = this.transport;
      await Promise.race([transport.terminateSession().catch(() => undefined), new Promise((r) => setTimeout(r, HTTP_CLOSE_MS).unref())]);
    }
    await this.client.close().catch(() => undefined);
  }

  private failInFlight(reason: string): void {
    for (const c of this.inFlight) c.abort(reason);
  }

  private callError(err: unknown): McpCallError {
    const server = this.config.name;
    const diag = this.diagnosis();
    const extra = diag ? ` (${diag})` : '';
    if (err instanceof McpError && err.code === ErrorCode.RequestTimeout) {
      return new McpCallError(server, 'timeout', `the MCP server ${server} did not answer within ${seconds(this.config.toolTimeoutMs)} (tool_timeout_sec); the call was cancelled${extra}`, { cause: err });
    }
    if ((err instanceof McpError && err.code === ErrorCode.ConnectionClosed) || this.stopped) {
      this.stopped ??= diag || 'its connection closed';
      return new McpCallError(server, 'server_stopped', `the MCP server ${server} stopped during the call (${this.stopped}); its tools cannot be used in this run`, { cause: err });
    }
    if (err instanceof McpError) return new McpCallError(server, 'protocol_error', err.message, { cause: err });
    return new McpCallError(server, 'tool_error', `the call to the MCP server ${server} failed: ${describe(err)}`, { cause: err });
  }
}

async function openTransport(config: McpServerConfig, ctx: ToolSourceContext, opts: McpSourceOptions, onUnreadable: (reason: string) => void, secrets: string[]) {
  if (config.transport === 'http') {
    const headers = await httpHeaders(config, opts.lookup, secrets);
    const transport = new StreamableHTTPClientTransport(new URL(config.url!), {
      requestInit: { headers },
      fetch: boundedFetch(opts.fetch ?? fetch, opts.maxMessageBytes ?? MAX_MESSAGE_BYTES, onUnreadable),
      reconnectionOptions: { initialReconnectionDelay: 500, maxReconnectionDelay: 2000, reconnectionDelayGrowFactor: 2, maxRetries: 1 },
    });
    return { transport, what: config.url!, diagnosis: () => '', exited: () => false };
  }
  const env = await stdioVariables(config, opts.lookup, secrets);
  const cwd = config.cwd === undefined ? ctx.root : path.resolve(ctx.root, config.cwd);
  const plain = { argv: [config.command!, ...config.args], cwd, env: { ...ctx.env, ...config.env, ...env } };
  // Under `agent-runner run`'s sandbox a server runs contained as the model's commands do.
  const spec = ctx.wrapCommand ? ctx.wrapCommand(plain) : plain;
  const transport = new StdioProcessTransport(spec, { onUnreadable, maxMessageBytes: opts.maxMessageBytes ?? MAX_MESSAGE_BYTES });
  return { transport, what: config.command!, diagnosis: () => transport.diagnosis(), exited: () => transport.exited };
}

interface StartFacts {
  step: string;
  what: string;
  diagnosis: string;
  cancelled: boolean;
  timedOut: boolean;
  exited: boolean;
}

function startError(config: McpServerConfig, err: unknown, at: StartFacts): McpStartError {
  const server = config.name;
  if (err instanceof McpStartError) return err;
  const extra = at.diagnosis ? `; ${at.diagnosis}` : '';
  if (at.cancelled) return new McpStartError(server, 'cancelled', 'the run was cancelled while the server started', { cause: err });
  const code = (err as NodeJS.ErrnoException)?.code;
  if (typeof code === 'string' && (code === 'ENOENT' || code === 'EACCES' || code === 'ENOTDIR')) {
    return new McpStartError(server, 'spawn_failed', `cannot run ${JSON.stringify(at.what)}: ${code === 'ENOENT' ? 'no such command (or its working folder is missing)' : 'not executable'} (${code})`, { cause: err });
  }
  if (at.timedOut || (err instanceof McpError && err.code === ErrorCode.RequestTimeout)) {
    return new McpStartError(server, 'startup_timeout', `no answer to ${at.step} within ${seconds(config.startupTimeoutMs)} (startup_timeout_sec)${extra}`, { cause: err });
  }
  if (at.exited || (err instanceof McpError && err.code === ErrorCode.ConnectionClosed)) {
    return new McpStartError(server, 'exited', `the server stopped before ${at.step} was answered${extra}`, { cause: err });
  }
  return new McpStartError(server, at.step === 'initialize' ? 'initialize_failed' : 'list_tools_failed', `${at.step} failed: ${describe(err)}${extra}`, { cause: err });
}

/** An error's message with its cause's (fetch's `fetch failed` says little without `connect ECONNREFUSED ...`). */
function describe(err: unknown): string {
  const cause = (err as Error)?.cause;
  return `${(err as Error)?.message ?? String(err)}${cause instanceof Error ? ` (${cause.message})` : ''}`;
}
