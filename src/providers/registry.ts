import type { ModelInfo, Usage } from './types.ts';
import { ModelNotSupportedError } from './errors.ts';
import { MODEL_FAMILIES, type ModelFamily } from './models.ts';
import { isBedrockModelId, parseModelId } from './inference-profile.ts';

/** ModelInfo plus the Bedrock-specific facts the provider needs. */
export interface BedrockModelInfo extends ModelInfo {
  /** Takes Anthropic's `thinking` request field. */
  thinking: boolean;
  /** Cache points are accepted after the tool list (not only in system and messages). */
  cacheTools: boolean;
  /** The bare id must be called through an inference profile. */
  profileOnly: boolean;
  /** A `global.` inference profile exists. */
  globalProfile: boolean;
  /** Images a request may carry in tool results (0 or absent: the model takes none there). */
  toolResultImages?: number;
}

// Context-window variants (`:200k`, `:0:28k`) and version suffixes (`-v1:0`, `-v2`) do not
// change the family.
const VERSION_SUFFIX = /(-v\d+)?(:\d+)?(:\d+k)?$/;

function findFamily(base: string): ModelFamily | undefined {
  const stripped = base.replace(VERSION_SUFFIX, '');
  return MODEL_FAMILIES.find((f) => f.match.test(base) || f.match.test(stripped));
}

/**
 * Application inference profiles the runner may call: profile ARN → the model id it routes to.
 * Bedrock cannot tell from the ARN (its last part is a random id), so the mapping is configured.
 */
export type ApplicationProfiles = Readonly<Record<string, string>>;

/** The model an application inference profile ARN routes to, when `profiles` maps it. */
export function routedModel(id: string, profiles: ApplicationProfiles | undefined): string | undefined {
  if (!profiles || parseModelId(id).arnType !== 'application-inference-profile') return undefined;
  return Object.hasOwn(profiles, id.trim()) ? profiles[id.trim()] : undefined;
}

/**
 * Looks up a model by bare id, inference-profile id (`us.`, `eu.`, `apac.`, `jp.`, `au.`,
 * `us-gov.`, `global.`) or ARN (foundation-model/, inference-profile/,
 * application-inference-profile/ whose name is a known model id). An application inference
 * profile ARN that `profiles` maps takes the capabilities and prices of the model it routes to,
 * keeps its ARN as `id` (what Bedrock is called with) and names that model as `baseModel`.
 * Undefined when unknown or not shaped as Bedrock takes it (a known id followed by `/../x` is not
 * that model).
 */
export function lookupModel(id: string, profiles?: ApplicationProfiles): BedrockModelInfo | undefined {
  if (typeof id !== 'string' || !isBedrockModelId(id)) return undefined;
  const routed = routedModel(id, profiles);
  const family = findFamily(parseModelId(routed ?? id).base);
  if (!family) return undefined;
  return {
    ...(routed !== undefined ? { baseModel: routed } : {}),
    id,
    family: family.family,
    toolUse: family.toolUse,
    streamingToolUse: family.streamingToolUse,
    reasoning: family.reasoning,
    cachePoints: family.cache !== false,
    minCacheTokens: family.cache === false ? 0 : family.cache.minTokens,
    contextWindow: family.contextWindow,
    maxOutputTokens: family.maxOutputTokens,
    price: { input: family.price[0], output: family.price[1], cacheRead: family.price[2], cacheWrite: family.price[3] },
    thinking: family.thinking,
    cacheTools: family.cache !== false && family.cache.tools,
    profileOnly: family.profileOnly,
    globalProfile: family.globalProfile,
    ...(family.toolResultImages > 0 ? { toolResultImages: family.toolResultImages } : {}),
  };
}

/** The model's info when it is known to support tool use; throws ModelNotSupportedError otherwise. */
export function requireToolModel(id: string, profiles?: ApplicationProfiles): BedrockModelInfo {
  const info = lookupModel(id, profiles);
  if (!info) throw new ModelNotSupportedError(id, parseModelId(id).arnType === 'application-inference-profile' && !routedModel(id, profiles) ? 'unmapped_profile' : 'unknown');
  if (!info.toolUse) throw new ModelNotSupportedError(id, 'no_tool_use');
  return info;
}

/** Cost in USD of `usage` at the model's on-demand prices (cache reads and writes priced apart). */
export function costUsd(usage: Usage, model: ModelInfo): number {
  const p = model.price;
  const micro =
    usage.inputTokens * p.input +
    usage.outputTokens * p.output +
    usage.cacheReadInputTokens * p.cacheRead +
    usage.cacheWriteInputTokens * p.cacheWrite;
  return micro / 1_000_000;
}
