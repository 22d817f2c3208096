export type {
  ContentBlock,
  ErrorInfo,
  JsonSchema,
  Message,
  ModelInfo,
  ModelProvider,
  ModelRequest,
  ReasoningEffort,
  Role,
  StopReason,
  StreamEvent,
  ToolSpec,
  Usage,
} from './types.ts';
export { AbortError, ContextWindowExceededError, ModelNotSupportedError, ProviderError, StreamExceptionError } from './errors.ts';
export type { ProviderErrorOptions } from './errors.ts';
export { costUsd, lookupModel, requireToolModel } from './registry.ts';
export type { BedrockModelInfo } from './registry.ts';
export { MODEL_FAMILIES } from './models.ts';
export type { ModelFamily } from './models.ts';
export { isProfileOrArn, parseModelId, regionGroup, toInferenceProfileId } from './inference-profile.ts';
export type { ParsedModelId, ProfileGroup } from './inference-profile.ts';
export { createBedrockClient } from './bedrock/client.ts';
export type { BedrockClientOptions } from './bedrock/client.ts';
export { createBedrockProvider } from './bedrock/provider.ts';
export type { BedrockProviderOptions, FailoverEntry } from './bedrock/provider.ts';
export { base64ToBytes, bytesToBase64, toConverseBlock, toConverseMessages, toSystemBlocks } from './bedrock/messages.ts';
export { CACHE_POINT, toToolConfig } from './bedrock/tools.ts';
export { MAX_CACHE_POINTS, countCachePoints, estimateChars, placeCachePoints } from './bedrock/cache.ts';
export type { ConverseParts } from './bedrock/cache.ts';
export { mapStopReason } from './bedrock/stop-reason.ts';
export { mapConverseOutput, mapStreamEvent, mapUsage } from './bedrock/stream.ts';
export { THINKING_BUDGETS, reasoningConfig } from './bedrock/reasoning.ts';
export type { ReasoningRequest } from './bedrock/reasoning.ts';
export { DEFAULT_MAX_TOKENS, buildConverseInput, extraMessages, toConverseParts, toTranscript } from './bedrock/request.ts';
export type { Transcript } from './bedrock/request.ts';
export { backoffDelay, isOnDemandUnsupported, parseRetryAfter, sleepWithSignal, toProviderError } from './bedrock/retry.ts';
