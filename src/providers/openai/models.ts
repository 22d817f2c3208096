/**
 * Facts of models served over the OpenAI wire formats (the OpenAI API, Ollama, LM Studio,
 * custom endpoints). Prices are list prices in USD per million tokens (input, output, cached
 * input), which only feed the cost limit and the report; local servers cost nothing.
 */
import type { ModelInfo } from '../types.ts';

interface Family {
  family: string;
  match: RegExp;
  reasoning: boolean;
  contextWindow: number;
  maxOutputTokens: number;
  price: [number, number, number];
}

const fam = (family: string, match: RegExp, reasoning: boolean, contextWindow: number, maxOutputTokens: number, price: Family['price']): Family => ({ family, match, reasoning, contextWindow, maxOutputTokens, price });

/** In match order: more specific patterns first. */
export const OPENAI_MODEL_FAMILIES: readonly Family[] = [
  fam('gpt-5-nano', /^gpt-5(\.\d+)?-nano/, true, 400_000, 128_000, [0.05, 0.4, 0.005]),
  fam('gpt-5-mini', /^gpt-5(\.\d+)?(-codex)?-mini/, true, 400_000, 128_000, [0.25, 2, 0.025]),
  fam('gpt-5', /^gpt-5/, true, 400_000, 128_000, [1.25, 10, 0.125]),
  fam('gpt-4.1-nano', /^gpt-4\.1-nano/, false, 1_047_576, 32_768, [0.1, 0.4, 0.025]),
  fam('gpt-4.1-mini', /^gpt-4\.1-mini/, false, 1_047_576, 32_768, [0.4, 1.6, 0.1]),
  fam('gpt-4.1', /^gpt-4\.1/, false, 1_047_576, 32_768, [2, 8, 0.5]),
  fam('gpt-4o-mini', /^gpt-4o-mini/, false, 128_000, 16_384, [0.15, 0.6, 0.075]),
  fam('gpt-4o', /^gpt-4o/, false, 128_000, 16_384, [2.5, 10, 1.25]),
  fam('o4-mini', /^o4-mini/, true, 200_000, 100_000, [1.1, 4.4, 0.275]),
  fam('o3-mini', /^o3-mini/, true, 200_000, 100_000, [1.1, 4.4, 0.55]),
  fam('o3-pro', /^o3-pro/, true, 200_000, 100_000, [20, 80, 0]),
  fam('o3', /^o3(-\d{4}-\d{2}-\d{2})?$/, true, 200_000, 100_000, [2, 8, 0.5]),
  fam('codex-mini', /^codex-mini/, true, 200_000, 100_000, [1.5, 6, 0.375]),
  // Open-weight models as Ollama (`gpt-oss:20b`) and LM Studio (`openai/gpt-oss-20b`) name them.
  fam('gpt-oss-120b', /^gpt-oss[:-]120b/, true, 131_072, 131_072, [0, 0, 0]),
  fam('gpt-oss-20b', /^gpt-oss[:-]20b/, true, 131_072, 131_072, [0, 0, 0]),
];

const info = (id: string, f: Pick<Family, 'family' | 'reasoning' | 'contextWindow' | 'maxOutputTokens' | 'price'>): ModelInfo => ({
  id,
  family: f.family,
  toolUse: true,
  streamingToolUse: true,
  reasoning: f.reasoning,
  cachePoints: false,
  minCacheTokens: 0,
  contextWindow: f.contextWindow,
  maxOutputTokens: f.maxOutputTokens,
  // OpenAI caches prompts by itself: no cache points, no write price.
  price: { input: f.price[0], output: f.price[1], cacheRead: f.price[2], cacheWrite: 0 },
});

/** A model of the table by id (`gpt-5`, `gpt-4.1-2025-04-14`, `o3`, `gpt-oss:20b`, `openai/gpt-oss-120b`); undefined when unknown. */
export function lookupOpenAIModel(id: string): ModelInfo | undefined {
  if (typeof id !== 'string') return undefined;
  const base = id.trim().toLowerCase().replace(/^openai\//, '');
  const f = OPENAI_MODEL_FAMILIES.find((x) => x.match.test(base));
  return f ? info(id, f) : undefined;
}

/**
 * The facts assumed for a model the table does not know, served by the user's own or local
 * endpoint: tool use assumed (the user chose the model), reasoning not assumed (reasoning it
 * streams is still kept), a 128k context window, no price.
 */
export function permissiveModelInfo(id: string): ModelInfo {
  return info(id, { family: 'custom', reasoning: false, contextWindow: 128_000, maxOutputTokens: 32_768, price: [0, 0, 0] });
}

/** `model` priced at zero (a local server). */
export function freeOf(model: ModelInfo): ModelInfo {
  return { ...model, price: { input: 0, output: 0, cacheRead: 0, cacheWrite: 0 } };
}
