/** What the MCP client is given by its caller (the CLI or the worker). */

/** A stdio server's process as it is about to be spawned. */
export interface SpawnSpec {
  command: string;
  args: string[];
  /** Absolute working folder (the workspace, or `cwd` of the configuration inside it). */
  cwd: string;
  /** The complete environment: the scrubbed tool environment plus what the configuration names. */
  env: Record<string, string>;
}

/**
 * Rewrites a stdio server's spawn (e.g. to run it inside a sandbox such as bubblewrap); the
 * result is spawned as is, in its own process group, killed as a group when the run ends.
 */
export type SpawnWrapper = (spec: SpawnSpec) => SpawnSpec;

export interface McpSourceOptions {
  /**
   * The value of a variable the configuration names by reference (`env_vars`,
   * `bearer_token_env_var`, `env_http_headers`): the user's environment for a local run,
   * Secrets Manager in Lambda. Undefined: not set (the server cannot start).
   */
  lookup(name: string): string | undefined | Promise<string | undefined>;
  /** See SpawnWrapper; absent: servers are spawned as configured. */
  wrapSpawn?: SpawnWrapper;
  /** fetch for streamable-HTTP servers (default: the global fetch). */
  fetch?: typeof fetch;
  /** Largest message a server may send (default 16 MiB); a larger one fails the calls waiting for it. */
  maxMessageBytes?: number;
}
