import type { ConverseStreamCommandInput, Message as ConverseMessage } from '@aws-sdk/client-bedrock-runtime';
import type { Message, ModelRequest } from '../types.ts';
import type { BedrockModelInfo } from '../registry.ts';
import { placeCachePoints, type ConverseParts } from './cache.ts';
import { toConverseMessages, toSystemBlocks } from './messages.ts';
import { reasoningConfig } from './reasoning.ts';
import { toToolConfig } from './tools.ts';

/** maxTokens when the request gives none (bounded by the model's maximum output). */
export const DEFAULT_MAX_TOKENS = 16_384;

/** `{system, messages, toolConfig}` as JSON: what `transcript.json` holds. */
export interface Transcript {
  system?: unknown[];
  messages: unknown[];
  toolConfig?: unknown;
}

/** System, messages and tools in Converse form for `model`, cache points placed. */
export function toConverseParts(request: Pick<ModelRequest, 'system' | 'messages' | 'tools'>, model: BedrockModelInfo): ConverseParts {
  const parts: ConverseParts = {
    system: toSystemBlocks(request.system),
    messages: toConverseMessages(request.messages, { reasoning: model.reasoning, images: model.toolResultImages }),
  };
  const toolConfig = toToolConfig(request.tools, model);
  if (toolConfig) parts.toolConfig = toolConfig;
  return placeCachePoints(parts, model);
}

/**
 * The whole ConverseStream/Converse input for `request` sent to `modelId` (the id actually
 * called, e.g. an inference profile), using `model`'s capabilities: cache points, thinking
 * fields and maxTokens (temperature is left out while thinking, which Claude requires).
 */
export function buildConverseInput(request: ModelRequest, model: BedrockModelInfo, modelId: string): ConverseStreamCommandInput {
  const parts = toConverseParts(request, model);
  const requested = request.maxTokens ?? Math.min(model.maxOutputTokens, DEFAULT_MAX_TOKENS);
  const reasoning = reasoningConfig(model, request.reasoningEffort, requested);
  const input: ConverseStreamCommandInput = { modelId, messages: parts.messages };
  if (parts.system.length > 0) input.system = parts.system;
  input.inferenceConfig = { maxTokens: reasoning?.maxTokens ?? requested };
  if (request.temperature !== undefined && !reasoning) input.inferenceConfig.temperature = request.temperature;
  if (parts.toolConfig) input.toolConfig = parts.toolConfig;
  if (reasoning) input.additionalModelRequestFields = reasoning.additionalModelRequestFields as never;
  return input;
}

/**
 * `{system, messages, toolConfig}` of a Converse request in the JSON form the SDK sends
 * (bytes as base64, no undefined keys, keys in wire order), with `extra` messages (already in
 * Converse form) appended; `JSON.stringify` of each field equals the request body's.
 */
export function toTranscript(
  request: { system?: ConverseParts['system']; messages?: ConverseMessage[]; toolConfig?: ConverseParts['toolConfig'] },
  extra: ConverseMessage[] = [],
): Transcript {
  const json = (v: unknown) => (v === undefined ? undefined : JSON.parse(JSON.stringify(v, bytesAsBase64)));
  const system = request.system !== undefined && request.system.length > 0 ? { system: json(request.system) } : {};
  const out: Transcript = { ...system, messages: json([...(request.messages ?? []), ...extra]) };
  if (request.toolConfig !== undefined) out.toolConfig = json(request.toolConfig);
  return out;
}

/** Neutral messages appended to a transcript, in Converse form for `model`. */
export function extraMessages(extra: Message[] | undefined, model: BedrockModelInfo): ConverseMessage[] {
  return extra && extra.length > 0 ? toConverseMessages(extra, { reasoning: model.reasoning, images: model.toolResultImages }) : [];
}

function bytesAsBase64(_key: string, value: unknown): unknown {
  return value instanceof Uint8Array ? Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('base64') : value;
}
