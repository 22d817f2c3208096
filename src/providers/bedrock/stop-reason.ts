import type { StopReason } from '../types.ts';

const STOP_REASONS: Record<string, StopReason> = {
  end_turn: 'end_turn',
  tool_use: 'tool_use',
  max_tokens: 'max_tokens',
  stop_sequence: 'stop_sequence',
  guardrail_intervened: 'guardrail_intervened',
  content_filtered: 'content_filtered',
  model_context_window_exceeded: 'context_window_exceeded',
};

/**
 * Bedrock's stopReason in neutral form; `model_context_window_exceeded` becomes
 * `context_window_exceeded`, and anything else (`malformed_model_output`,
 * `malformed_tool_use`, values added later) `other`.
 */
export function mapStopReason(raw: string | undefined): StopReason {
  return (raw !== undefined && Object.hasOwn(STOP_REASONS, raw) ? STOP_REASONS[raw] : undefined) ?? 'other';
}
