import type { ReasoningEffort } from '../types.ts';
import type { BedrockModelInfo } from '../registry.ts';

/** Thinking budgets (tokens) per effort for Claude's extended thinking. */
export const THINKING_BUDGETS: Record<ReasoningEffort, number> = {
  minimal: 1024,
  low: 2048,
  medium: 8192,
  high: 24576,
};

// Room left for the answer itself once the thinking budget is spent.
const ANSWER_HEADROOM = 4096;
const MIN_BUDGET = 1024;

export interface ReasoningRequest {
  additionalModelRequestFields: Record<string, unknown>;
  /** maxTokens for inferenceConfig, raised above the thinking budget. */
  maxTokens: number;
}

/**
 * The request fields that turn on extended thinking for a Claude model that takes them
 * (`{thinking: {type: 'enabled', budget_tokens}}`), with maxTokens raised above the budget
 * (within the model's maximum output). Undefined for other models or without an effort.
 */
export function reasoningConfig(
  model: Pick<BedrockModelInfo, 'thinking' | 'maxOutputTokens'>,
  effort: ReasoningEffort | undefined,
  maxTokens?: number,
): ReasoningRequest | undefined {
  if (!effort || !model.thinking) return undefined;
  const ceiling = model.maxOutputTokens;
  const budget = Math.max(MIN_BUDGET, Math.min(THINKING_BUDGETS[effort], ceiling - ANSWER_HEADROOM));
  const wanted = Math.max(maxTokens ?? 0, budget + ANSWER_HEADROOM);
  return {
    additionalModelRequestFields: { thinking: { type: 'enabled', budget_tokens: budget } },
    maxTokens: Math.min(ceiling, wanted),
  };
}
