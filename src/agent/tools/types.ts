import type { JsonSchema, ToolImage } from '../../providers/types.ts';
import type { CommandWrapper } from '../../sandbox/types.ts';

/** What a tool sends back to the model. Error results are for faults the model can fix. */
export interface ToolResult {
  status: 'success' | 'error';
  output: string;
  /** Images for models that take them (MCP tools); `output` mentions each one. */
  images?: ToolImage[];
}

export interface ToolContext {
  /** Absolute, real (symlinks resolved) path of the workspace root. */
  root: string;
  /** Aborted on deadline or cancellation; tools stop their work and throw. */
  signal: AbortSignal;
  /** The run's clock (milliseconds): what tools time themselves by. */
  clock: () => number;
  /** The complete environment for child processes (already scrubbed of secrets). */
  env: Record<string, string>;
  /** Default and maximum shell timeout in ms. */
  shellTimeoutMs: number;
  maxShellTimeoutMs: number;
  /** Output cap given back to the model, in bytes (contract: 32 KiB). */
  maxOutputBytes: number;
  /** Wraps every command the tools start (a local run's sandbox); absent: commands run as they are. */
  wrapCommand?: CommandWrapper;
}

export interface Tool {
  name: string;
  description: string;
  inputSchema: JsonSchema;
  /** Read-only tools may run in parallel with each other. */
  readOnly: boolean;
  /** Runs with input already validated against inputSchema. Throws only for host faults/cancellation. */
  run(input: any, ctx: ToolContext): Promise<ToolResult>;
}
