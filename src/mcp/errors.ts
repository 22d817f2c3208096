/**
 * Errors of the MCP client. A server that cannot start is a McpStartError (a notice; the run goes
 * on without it); a call that fails is a McpCallError (an error result the model can act on).
 * Neither ends the run.
 */

export type McpStartFailure = 'missing_variable' | 'spawn_failed' | 'exited' | 'startup_timeout' | 'initialize_failed' | 'list_tools_failed' | 'cancelled';
export type McpCallFailure = 'timeout' | 'server_stopped' | 'protocol_error' | 'message_too_large' | 'tool_error' | 'cancelled';

export class McpClientError extends Error {
  /** The server's name in the configuration. */
  readonly server: string;
  constructor(server: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'McpClientError';
    this.server = server;
  }
}

/** The server could not be started, initialised or asked for its tools. */
export class McpStartError extends McpClientError {
  readonly code: McpStartFailure;
  constructor(server: string, code: McpStartFailure, message: string, options?: { cause?: unknown }) {
    super(server, message, options);
    this.name = 'McpStartError';
    this.code = code;
  }
}

/** A tool call failed on the way (no answer in time, the server stopped, a bad or huge message, an MCP error). */
export class McpCallError extends McpClientError {
  readonly code: McpCallFailure;
  constructor(server: string, code: McpCallFailure, message: string, options?: { cause?: unknown }) {
    super(server, message, options);
    this.name = 'McpCallError';
    this.code = code;
  }
}
