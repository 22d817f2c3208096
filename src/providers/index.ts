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
  ToolImage,
  ToolSpec,
  Usage,
} from './types.ts';
export { AbortError, ContextWindowExceededError, ModelNotSupportedError, ProviderError, StreamExceptionError } from './errors.ts';
export type { ProviderErrorOptions } from './errors.ts';
export { costUsd, lookupModel, requireToolModel, routedModel } from './registry.ts';
export type { ApplicationProfiles, BedrockModelInfo } from './registry.ts';
export { MODEL_FAMILIES } from './models.ts';
export type { ModelFamily } from './models.ts';
export { isProfileOrArn, parseModelId, regionGroup, toInferenceProfileId } from './inference-profile.ts';
export type { ParsedModelId, ProfileGroup } from './inference-profile.ts';
export { createBedrockClient } from './bedrock/client.ts';
export type { BedrockClientOptions } from './bedrock/client.ts';
export { createBedrockProvider, DEFAULT_BEDROCK_TIMEOUTS } from './bedrock/provider.ts';
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
export { isOnDemandUnsupported, sleepWithSignal, toProviderError } from './bedrock/retry.ts';
export { MODEL_ERROR_CODES, modelErrorCode, modelErrorInfo } from './error-codes.ts';
export type { ModelErrorCode } from './error-codes.ts';
export { DEFAULT_RETRY, httpError, joinUrl, networkError, parseErrorBody, postSse, requestHeaders, streamError, withRetries } from './http.ts';
export type { PostSseOptions } from './http.ts';
export { createHttpProvider, DEFAULT_FIRST_BYTE_TIMEOUT_MS, DEFAULT_IDLE_TIMEOUT_MS, DEFAULT_MAX_RETRIES } from './openai/wire-provider.ts';
export type { HttpProviderOptions, WireFormat } from './openai/wire-provider.ts';
export { createOpenAIProvider, RESPONSES_WIRE } from './openai/provider.ts';
export type { OpenAIProviderOptions } from './openai/provider.ts';
export { buildResponsesRequest, responsesTranscript, toolArguments, toResponsesInput, toResponsesTools } from './openai/request.ts';
export type { ResponsesItem, ResponsesRequest, ResponsesTool } from './openai/request.ts';
export { mapResponsesUsage, ResponsesStreamMapper } from './openai/stream.ts';
export type { ResponsesEvent } from './openai/stream.ts';
export { decodeReasoningItem, encodeReasoningItem, reasoningInputItem, RESPONSES_REASONING_PREFIX } from './openai/reasoning.ts';
export type { ResponsesReasoningItem } from './openai/reasoning.ts';
export { freeOf, lookupOpenAIModel, OPENAI_MODEL_FAMILIES, permissiveModelInfo } from './openai/models.ts';
export { chatWire, createChatProvider, newToolCallId } from './chat/provider.ts';
export type { ChatProviderOptions } from './chat/provider.ts';
export { buildChatRequest, chatTranscript, toChatMessages, toChatTools } from './chat/request.ts';
export type { ChatMessage, ChatRequest, ChatTool } from './chat/request.ts';
export { ChatStreamMapper, mapChatUsage, mapFinishReason } from './chat/stream.ts';
export { CHAT_REASONING_PREFIX, chatReasoningField, chatReasoningSignature } from './chat/reasoning.ts';
export type { ChatReasoningField } from './chat/reasoning.ts';
export { createFailoverProvider, portableMessages, reasoningWire, shouldFailOver } from './failover.ts';
export type { FailoverChainEntry, FailoverProvider, Wire } from './failover.ts';
export { createProvider, modelInfoFor, ProviderSetupError, providerKeysFromSecrets, secretsByName, PROVIDER_SECRETS_ARN } from './factory.ts';
export type { ChainLink, FactoryConfig, ProviderDeps, ProviderSetup } from './factory.ts';
