/**
 * Provider-neutral model types. The agent loop speaks only these; each provider maps them to
 * its wire format (Bedrock Converse, OpenAI Responses, ...) in small pure functions.
 */
import type { ReasoningEffort } from '../config/schema.ts';

export type Role = 'user' | 'assistant';

/** A content block of a provider-neutral message. */
export type ContentBlock =
  | { type: 'text'; text: string }
  /** Extended thinking, kept verbatim (signature included) so it can be sent back. */
  | { type: 'reasoning'; text: string; signature?: string }
  /** Redacted thinking: opaque base64 data, sent back unchanged. */
  | { type: 'redacted_reasoning'; data: string }
  | { type: 'tool_use'; id: string; name: string; input: unknown }
  /** `images` (from MCP tools) go to models that take images in tool results; `content` always describes them too. */
  | { type: 'tool_result'; toolUseId: string; status: 'success' | 'error'; content: string; images?: ToolImage[] };

/** An image of a tool result, its bytes as base64. */
export interface ToolImage {
  format: 'png' | 'jpeg' | 'gif' | 'webp';
  data: string;
}

export interface Message {
  role: Role;
  content: ContentBlock[];
}

export type JsonSchema = Record<string, unknown>;

export interface ToolSpec {
  name: string;
  description: string;
  inputSchema: JsonSchema;
}

// The vocabulary is the configuration's (profiles name it); providers map it.
export type { ReasoningEffort } from '../config/schema.ts';

export interface ModelRequest {
  /** Model id, inference-profile id or ARN, as configured. */
  model: string;
  system: string;
  messages: Message[];
  tools: ToolSpec[];
  maxTokens?: number;
  temperature?: number;
  reasoningEffort?: ReasoningEffort;
  /** Aborts the call (deadline, Ctrl-C). */
  signal?: AbortSignal;
}

export interface Usage {
  inputTokens: number;
  outputTokens: number;
  cacheReadInputTokens: number;
  cacheWriteInputTokens: number;
}

export type StopReason =
  | 'end_turn'
  | 'tool_use'
  | 'max_tokens'
  | 'stop_sequence'
  | 'context_window_exceeded'
  | 'guardrail_intervened'
  | 'content_filtered'
  | 'other';

export interface ErrorInfo {
  code: string;
  message: string;
}

/** What a provider's stream yields, in order. `index` is the provider's block index (may have gaps). */
export type StreamEvent =
  | { type: 'message_start' }
  | { type: 'text_delta'; index: number; text: string }
  | { type: 'reasoning_delta'; index: number; text?: string; signature?: string; redactedData?: string }
  | { type: 'tool_use_start'; index: number; id: string; name: string }
  | { type: 'tool_use_delta'; index: number; input: string }
  | { type: 'block_stop'; index: number }
  | { type: 'message_stop'; stopReason: StopReason; rawStopReason: string }
  | { type: 'usage'; usage: Usage }
  /** A retry is about to happen after `waitMs` (the partial turn so far must be discarded). */
  | { type: 'retry'; attempt: number; waitMs: number; error: ErrorInfo }
  /** Switched to the next entry of the failover chain (the partial turn so far must be discarded). */
  | { type: 'failover'; from: string; to: string; error: ErrorInfo };

export interface ModelProvider {
  /** Provider name as configured, e.g. `amazon-bedrock`. */
  readonly name: string;
  /** Streams one model turn. Throws a ProviderError when the call fails for good. */
  stream(request: ModelRequest): AsyncIterable<StreamEvent>;
  /**
   * The request as this provider's API receives it (for Bedrock `{system, messages, toolConfig}`),
   * with `extra` messages appended in wire form; written as `transcript.json`.
   */
  transcript(request: ModelRequest, extra?: Message[]): unknown;
  /**
   * The model in use now, for providers that can switch models mid-run (failover); the result
   * should report it. Absent: always the model the loop was given.
   */
  activeModel?(): ModelInfo;
}

/** Per-model facts the loop and providers need. */
export interface ModelInfo {
  /** The id as the user gave it. */
  id: string;
  family: string;
  toolUse: boolean;
  streamingToolUse: boolean;
  reasoning: boolean;
  cachePoints: boolean;
  /** Minimum tokens before a cache point is accepted (0 when unknown). */
  minCacheTokens: number;
  contextWindow: number;
  maxOutputTokens: number;
  /** USD per million tokens. */
  price: { input: number; output: number; cacheRead: number; cacheWrite: number };
  /**
   * For an application inference profile (an ARN as `id`): the model it routes to, whose
   * capabilities and prices apply. Absent for every other id.
   */
  baseModel?: string;
}
