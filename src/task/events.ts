import type { ErrorInfo, Usage } from '../providers/types.ts';

export type TaskStatus = 'succeeded' | 'failed' | 'limit_reached' | 'rejected';

export interface DiffStats {
  files: number;
  additions: number;
  deletions: number;
}

/** result.json (contract section 5). */
export interface TaskResult {
  taskId: string;
  status: TaskStatus;
  stopReason: string;
  turns: number;
  /** The model as called: an id, an inference profile or an application inference profile ARN. */
  model: string;
  /** For an application inference profile: the model it routes to, which the cost is priced at. */
  baseModel?: string;
  usage: Usage;
  costUsd: number;
  diff: DiffStats;
  error?: ErrorInfo;
  /** Providers/models switched to by failover, in order (absent when none). */
  failovers?: { from: string; to: string }[];
  /** The text of the model's last message (absent when it had none). */
  summary?: string;
}

/** Which setup ran: the stack's configured command, or the repository's own script. */
export type SetupStep = 'command' | 'repository';

/** The event payloads, without the envelope the loop adds. */
export type EventBody =
  | { type: 'task_started'; prompt: string; model: string; limits: Record<string, number | undefined>; resumed?: boolean }
  | { type: 'turn_started'; turn: number }
  | { type: 'assistant_text'; turn: number; text: string }
  | { type: 'reasoning'; turn: number; text: string; redacted: boolean }
  | { type: 'tool_call'; turn: number; id: string; name: string; input: unknown }
  | { type: 'tool_result'; turn: number; id: string; name: string; status: 'success' | 'error'; output: string; durationMs: number; truncated: boolean }
  | { type: 'usage'; turn: number; usage: Usage; totalTokens: number; costUsd: number }
  | { type: 'retry'; attempt: number; waitMs: number; error: ErrorInfo }
  | { type: 'failover'; from: string; to: string; error: ErrorInfo }
  | { type: 'context_trimmed'; turn: number; strategy: 'elide_tool_outputs' | 'summarise_turns'; before: number; after: number }
  | { type: 'checkpoint'; turn: number; reason: string }
  /** An MCP server at the start of a run: `ready` with the tool names it gave the model, or `failed` (the run goes on without it). */
  | { type: 'mcp_server'; server: string; transport: 'stdio' | 'http'; status: 'ready' | 'failed'; tools: string[]; durationMs: number; error?: ErrorInfo }
  | { type: 'setup_started'; step: SetupStep; command: string }
  | { type: 'setup_finished'; step: SetupStep; status: 'succeeded' | 'failed'; exitCode: number | null; durationMs: number; output: string; truncated: boolean }
  | { type: 'setup_skipped'; step: SetupStep; path: string; reason: string }
  | ({ type: 'result' } & TaskResult);

export interface EventEnvelope {
  seq: number;
  time: string;
  taskId: string;
}

/** An event as written to events.ndjson / events/ and printed with --json. */
export type AgentEvent = EventEnvelope & EventBody;
export type EventType = EventBody['type'];
