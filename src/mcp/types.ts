/** What the MCP client is given by its caller (the CLI or the worker). */

export interface McpSourceOptions {
  /**
   * The value of a variable the configuration names by reference (`env_vars`,
   * `bearer_token_env_var`, `env_http_headers`): the user's environment for a local run,
   * Secrets Manager in Lambda. Undefined: not set (the server cannot start).
   */
  lookup(name: string): string | undefined | Promise<string | undefined>;
  /** fetch for streamable-HTTP servers (default: the global fetch). */
  fetch?: typeof fetch;
  /** Largest message a server may send (default 16 MiB); a larger one fails the calls waiting for it. */
  maxMessageBytes?: number;
}
