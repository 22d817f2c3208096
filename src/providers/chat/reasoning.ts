/**
 * Reasoning of Chat Completions servers (`reasoning_content` from vLLM, LM Studio, DeepSeek;
 * `reasoning` from Ollama, OpenRouter) kept in the neutral `reasoning` block. The field it came
 * in is remembered in the block's `signature`, behind a prefix marking its origin, so it goes
 * back under the same name and other wire formats can tell it is not theirs.
 */
export const CHAT_REASONING_PREFIX = 'chat:';

export type ChatReasoningField = 'reasoning_content' | 'reasoning';

/** The signature of reasoning that came in `field`. */
export function chatReasoningSignature(field: ChatReasoningField): string {
  return CHAT_REASONING_PREFIX + field;
}

/** The field a signature names; undefined for another origin's signature. */
export function chatReasoningField(signature: string | undefined): ChatReasoningField | undefined {
  if (signature === `${CHAT_REASONING_PREFIX}reasoning_content`) return 'reasoning_content';
  if (signature === `${CHAT_REASONING_PREFIX}reasoning`) return 'reasoning';
  return undefined;
}
