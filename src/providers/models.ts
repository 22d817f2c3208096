/**
 * The table of Bedrock model families the runner knows. Capabilities follow the Converse API's
 * "supported models and model features" page and the prompt-caching page; prices are on-demand
 * list prices in USD per million tokens (us-east-1), which only feed the cost limit and report.
 */

export interface ModelFamily {
  family: string;
  /** Matched against the base id: lower case, without ARN, geography prefix or context suffix. */
  match: RegExp;
  toolUse: boolean;
  streamingToolUse: boolean;
  /** Streams reasoning content. */
  reasoning: boolean;
  /** Takes Anthropic's `thinking` request field (extended thinking with a token budget). */
  thinking: boolean;
  /** Accepts cachePoint blocks; `tools` says whether after the tool list too. */
  cache: false | { minTokens: number; tools: boolean };
  contextWindow: number;
  maxOutputTokens: number;
  /** [input, output, cacheRead, cacheWrite] per million tokens. */
  price: [number, number, number, number];
  /** The bare id only works through an inference profile (no on-demand throughput). */
  profileOnly: boolean;
  /** A `global.` inference profile exists. */
  globalProfile: boolean;
  /** Images a request may carry in tool results (Converse takes them for Claude 3 and later vision models). */
  toolResultImages: number;
}

interface Caps {
  toolUse?: boolean;
  streamingToolUse?: boolean;
  reasoning?: boolean;
  thinking?: boolean;
  cache?: ModelFamily['cache'];
  contextWindow: number;
  maxOutputTokens: number;
  price: ModelFamily['price'];
  profileOnly?: boolean;
  globalProfile?: boolean;
  toolResultImages?: number;
}

function fam(family: string, match: RegExp, caps: Caps): ModelFamily {
  const toolUse = caps.toolUse ?? true;
  return {
    family,
    match,
    toolUse,
    streamingToolUse: caps.streamingToolUse ?? toolUse,
    reasoning: caps.reasoning ?? false,
    thinking: caps.thinking ?? false,
    cache: caps.cache ?? false,
    contextWindow: caps.contextWindow,
    maxOutputTokens: caps.maxOutputTokens,
    price: caps.price,
    profileOnly: caps.profileOnly ?? false,
    globalProfile: caps.globalProfile ?? false,
    toolResultImages: caps.toolResultImages ?? 0,
  };
}

const claudeCache = (minTokens: number) => ({ minTokens, tools: true });
// Claude 3 and later vision models take images in tool results; a few a request keep it well under Bedrock's size limit.
const VISION = { toolResultImages: 4 };
const claude4 = { reasoning: true, thinking: true, profileOnly: true, contextWindow: 200_000, ...VISION };

/** In match order: more specific patterns first. */
export const MODEL_FAMILIES: readonly ModelFamily[] = [
  // Anthropic Claude
  fam('claude-opus-4.6', /^anthropic\.claude-opus-4-6/, { ...claude4, cache: claudeCache(4096), maxOutputTokens: 128_000, price: [5, 25, 0.5, 6.25], globalProfile: true }),
  fam('claude-sonnet-4.6', /^anthropic\.claude-sonnet-4-6/, { ...claude4, cache: claudeCache(2048), maxOutputTokens: 64_000, price: [3, 15, 0.3, 3.75], globalProfile: true }),
  fam('claude-opus-4.5', /^anthropic\.claude-opus-4-5/, { ...claude4, cache: claudeCache(4096), maxOutputTokens: 64_000, price: [5, 25, 0.5, 6.25], globalProfile: true }),
  fam('claude-sonnet-4.5', /^anthropic\.claude-sonnet-4-5/, { ...claude4, cache: claudeCache(1024), maxOutputTokens: 64_000, price: [3, 15, 0.3, 3.75], globalProfile: true }),
  fam('claude-haiku-4.5', /^anthropic\.claude-haiku-4-5/, { ...claude4, cache: claudeCache(4096), maxOutputTokens: 64_000, price: [1, 5, 0.1, 1.25], globalProfile: true }),
  fam('claude-opus-4.1', /^anthropic\.claude-opus-4-1(-|$)/, { ...claude4, cache: claudeCache(1024), maxOutputTokens: 32_000, price: [15, 75, 1.5, 18.75] }),
  fam('claude-opus-4', /^anthropic\.claude-opus-4(-\d{8}|$)/, { ...claude4, cache: claudeCache(1024), maxOutputTokens: 32_000, price: [15, 75, 1.5, 18.75] }),
  fam('claude-sonnet-4', /^anthropic\.claude-sonnet-4(-\d{8}|$)/, { ...claude4, cache: claudeCache(1024), maxOutputTokens: 64_000, price: [3, 15, 0.3, 3.75], globalProfile: true }),
  fam('claude-3.7-sonnet', /^anthropic\.claude-3-7-sonnet/, { ...claude4, cache: claudeCache(1024), maxOutputTokens: 64_000, price: [3, 15, 0.3, 3.75] }),
  fam('claude-3.5-haiku', /^anthropic\.claude-(3-5-haiku|haiku-3-5)/, { cache: claudeCache(2048), contextWindow: 200_000, maxOutputTokens: 8192, price: [0.8, 4, 0.08, 1] }),
  fam('claude-3.5-sonnet', /^anthropic\.claude-(3-5-sonnet|sonnet-3-5)/, { ...VISION, contextWindow: 200_000, maxOutputTokens: 8192, price: [3, 15, 0, 0] }),
  fam('claude-3-haiku', /^anthropic\.claude-(3-haiku|haiku-3)(-|$)/, { ...VISION, contextWindow: 200_000, maxOutputTokens: 4096, price: [0.25, 1.25, 0, 0] }),
  fam('claude-3-sonnet', /^anthropic\.claude-(3-sonnet|sonnet-3)(-|$)/, { ...VISION, contextWindow: 200_000, maxOutputTokens: 4096, price: [3, 15, 0, 0] }),
  fam('claude-3-opus', /^anthropic\.claude-(3-opus|opus-3)(-|$)/, { ...VISION, contextWindow: 200_000, maxOutputTokens: 4096, price: [15, 75, 0, 0] }),
  fam('claude-2', /^anthropic\.claude-(v2|instant)/, { toolUse: false, contextWindow: 100_000, maxOutputTokens: 4096, price: [8, 24, 0, 0] }),

  // Amazon Nova (cache points in system and messages, not after tools; cache writes are free)
  fam('nova-premier', /^amazon\.nova-premier/, { cache: { minTokens: 1000, tools: false }, contextWindow: 1_000_000, maxOutputTokens: 32_000, price: [2.5, 12.5, 0.625, 0], profileOnly: true }),
  fam('nova-2-lite', /^amazon\.nova-2-lite/, { reasoning: true, cache: { minTokens: 1000, tools: false }, contextWindow: 1_000_000, maxOutputTokens: 64_000, price: [0.3, 2.5, 0.075, 0], profileOnly: true, globalProfile: true }),
  fam('nova-pro', /^amazon\.nova-pro/, { cache: { minTokens: 1000, tools: false }, contextWindow: 300_000, maxOutputTokens: 10_000, price: [0.8, 3.2, 0.2, 0] }),
  fam('nova-lite', /^amazon\.nova-lite/, { cache: { minTokens: 1000, tools: false }, contextWindow: 300_000, maxOutputTokens: 10_000, price: [0.06, 0.24, 0.015, 0] }),
  fam('nova-micro', /^amazon\.nova-micro/, { cache: { minTokens: 1000, tools: false }, contextWindow: 128_000, maxOutputTokens: 10_000, price: [0.035, 0.14, 0.00875, 0] }),
  fam('titan-text', /^amazon\.titan-(text|tg1)/, { toolUse: false, contextWindow: 8192, maxOutputTokens: 8192, price: [0.2, 0.6, 0, 0] }),

  // Meta Llama: tool use through Converse only (no streaming tool use)
  fam('llama-4', /^meta\.llama4-/, { streamingToolUse: false, contextWindow: 1_000_000, maxOutputTokens: 8192, price: [0.24, 0.97, 0, 0], profileOnly: true }),
  fam('llama-3.3', /^meta\.llama3-3-/, { streamingToolUse: false, contextWindow: 128_000, maxOutputTokens: 8192, price: [0.72, 0.72, 0, 0], profileOnly: true }),
  fam('llama-3.2', /^meta\.llama3-2-/, { streamingToolUse: false, contextWindow: 128_000, maxOutputTokens: 8192, price: [0.72, 0.72, 0, 0], profileOnly: true }),
  fam('llama-3.1', /^meta\.llama3-1-/, { streamingToolUse: false, contextWindow: 128_000, maxOutputTokens: 8192, price: [0.72, 0.72, 0, 0] }),
  fam('llama-3', /^meta\.llama3-(8b|70b)/, { toolUse: false, contextWindow: 8192, maxOutputTokens: 2048, price: [2.65, 3.5, 0, 0] }),
  fam('llama-2', /^meta\.llama2/, { toolUse: false, contextWindow: 4096, maxOutputTokens: 2048, price: [1.95, 2.56, 0, 0] }),

  // Mistral
  fam('mistral-7b', /^mistral\.mistral-7b/, { toolUse: false, contextWindow: 32_000, maxOutputTokens: 8192, price: [0.15, 0.2, 0, 0] }),
  fam('mixtral-8x7b', /^mistral\.mixtral-8x7b/, { toolUse: false, contextWindow: 32_000, maxOutputTokens: 4096, price: [0.45, 0.7, 0, 0] }),
  fam('mistral-large', /^mistral\.mistral-large/, { streamingToolUse: false, contextWindow: 128_000, maxOutputTokens: 8192, price: [2, 6, 0, 0] }),
  fam('mistral-small', /^mistral\.mistral-small/, { streamingToolUse: false, contextWindow: 32_000, maxOutputTokens: 8192, price: [1, 3, 0, 0] }),
  fam('pixtral-large', /^mistral\.pixtral-large/, { streamingToolUse: false, contextWindow: 128_000, maxOutputTokens: 8192, price: [2, 6, 0, 0], profileOnly: true }),
  fam('mistral', /^mistral\./, { streamingToolUse: false, contextWindow: 128_000, maxOutputTokens: 8192, price: [0.5, 1.5, 0, 0] }),

  // Open-weight models hosted by Bedrock
  fam('gpt-oss-120b', /^openai\.gpt-oss-120b/, { reasoning: true, contextWindow: 128_000, maxOutputTokens: 32_768, price: [0.15, 0.6, 0, 0] }),
  fam('gpt-oss-20b', /^openai\.gpt-oss-20b/, { reasoning: true, contextWindow: 128_000, maxOutputTokens: 32_768, price: [0.07, 0.3, 0, 0] }),
  fam('qwen3-coder', /^qwen\.qwen3-coder/, { contextWindow: 262_144, maxOutputTokens: 65_536, price: [0.22, 1.8, 0, 0] }),
  fam('qwen3', /^qwen\.qwen3/, { reasoning: true, contextWindow: 131_072, maxOutputTokens: 32_768, price: [0.22, 0.88, 0, 0] }),
  fam('deepseek-r1', /^deepseek\.r1/, { toolUse: false, reasoning: true, contextWindow: 128_000, maxOutputTokens: 32_768, price: [1.35, 5.4, 0, 0], profileOnly: true }),
  fam('deepseek-v3', /^deepseek\.v3/, { reasoning: true, contextWindow: 128_000, maxOutputTokens: 32_768, price: [0.58, 1.68, 0, 0] }),
  fam('command-r-plus', /^cohere\.command-r-plus/, { streamingToolUse: false, contextWindow: 128_000, maxOutputTokens: 4096, price: [3, 15, 0, 0] }),
  fam('command-r', /^cohere\.command-r/, { streamingToolUse: false, contextWindow: 128_000, maxOutputTokens: 4096, price: [0.5, 1.5, 0, 0] }),
  fam('command', /^cohere\.command-(text|light)/, { toolUse: false, contextWindow: 4096, maxOutputTokens: 4096, price: [1.5, 2, 0, 0] }),
  fam('jurassic-2', /^ai21\.j2-/, { toolUse: false, contextWindow: 8192, maxOutputTokens: 8192, price: [12.5, 12.5, 0, 0] }),
  fam('jamba-1.5', /^ai21\.jamba-1-5/, { contextWindow: 256_000, maxOutputTokens: 4096, price: [2, 8, 0, 0] }),
  fam('jamba-instruct', /^ai21\.jamba-instruct/, { toolUse: false, contextWindow: 256_000, maxOutputTokens: 4096, price: [0.5, 0.7, 0, 0] }),
];
