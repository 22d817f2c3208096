/**
 * Neutral requests in the OpenAI Responses API's form: `instructions`, `input` items, function
 * tools. Pure functions; the provider adds transport.
 */
import type { ContentBlock, Message, ModelInfo, ModelRequest, ToolSpec } from '../types.ts';
import { decodeReasoningItem, reasoningInputItem } from './reasoning.ts';

export type ResponsesItem = Record<string, unknown>;

export interface ResponsesTool {
  type: 'function';
  name: string;
  description: string;
  parameters: Record<string, unknown>;
  strict: false;
}

/** The body of `POST /responses`. */
export interface ResponsesRequest {
  model: string;
  instructions?: string;
  input: ResponsesItem[];
  tools: ResponsesTool[];
  stream: true;
  store: false;
  reasoning?: { effort: string; summary: 'auto' };
  include?: string[];
  max_output_tokens?: number;
  temperature?: number;
}

/** Tool specs as Responses function tools (non-strict: our schemas have optional fields). */
export function toResponsesTools(tools: ToolSpec[]): ResponsesTool[] {
  return tools.map((t) => ({ type: 'function', name: t.name, description: t.description, parameters: t.inputSchema, strict: false }));
}

/**
 * Neutral messages as Responses input items, in order: user text as `input_text` messages, tool
 * results as `function_call_output` (by call id), assistant text as `output_text` messages, tool
 * calls as `function_call` with their call id and JSON arguments, and reasoning blocks that
 * carry a Responses reasoning item as that item. Reasoning from other wire formats (Bedrock
 * signatures, chat servers) cannot be verified by this API and is left out.
 */
export function toResponsesInput(messages: Message[]): ResponsesItem[] {
  const items: ResponsesItem[] = [];
  for (const m of messages) {
    if (m.role === 'user') {
      for (const b of m.content) if (b.type === 'tool_result') items.push({ type: 'function_call_output', call_id: b.toolUseId, output: b.content });
      const text = m.content.filter((b) => b.type === 'text').map((b) => (b as { text: string }).text);
      if (text.length > 0) items.push({ type: 'message', role: 'user', content: text.map((t) => ({ type: 'input_text', text: t })) });
      continue;
    }
    for (const b of m.content) {
      const item = assistantItem(b);
      if (item) items.push(item);
    }
  }
  return items;
}

function assistantItem(b: ContentBlock): ResponsesItem | undefined {
  switch (b.type) {
    case 'text':
      return b.text.trim() === '' ? undefined : { type: 'message', role: 'assistant', content: [{ type: 'output_text', text: b.text }] };
    case 'tool_use':
      return { type: 'function_call', call_id: b.id, name: b.name, arguments: toolArguments(b.input) };
    case 'reasoning': {
      const item = decodeReasoningItem(b.signature);
      return item && reasoningInputItem(item);
    }
    default:
      return undefined;
  }
}

/** Tool input as the JSON string the wire carries; input the model sent as broken JSON goes back as it came. */
export function toolArguments(input: unknown): string {
  if (input && typeof input === 'object' && !Array.isArray(input)) {
    const keys = Object.keys(input);
    const raw = (input as Record<string, unknown>).__invalid_json;
    if (keys.length === 1 && typeof raw === 'string') return raw;
  }
  return JSON.stringify(input ?? {});
}

/**
 * The whole streaming request for `model`: reasoning models (and unknown ones given an effort)
 * get `reasoning: {effort, summary}` and `include: ['reasoning.encrypted_content']` (with
 * `store: false` the encrypted content is how reasoning survives between turns); temperature
 * only for models without reasoning.
 */
export function buildResponsesRequest(request: ModelRequest, model: ModelInfo): ResponsesRequest {
  const body: ResponsesRequest = {
    model: request.model,
    ...(request.system.trim() !== '' ? { instructions: request.system } : {}),
    input: toResponsesInput(request.messages),
    tools: toResponsesTools(request.tools),
    stream: true,
    store: false,
  };
  // A model the table does not know reasons only when the user asked for an effort: sending
  // reasoning options to a model without reasoning is an error.
  if (model.reasoning || (model.family === 'custom' && request.reasoningEffort !== undefined)) {
    body.reasoning = { effort: request.reasoningEffort ?? 'medium', summary: 'auto' };
    body.include = ['reasoning.encrypted_content'];
  } else if (request.temperature !== undefined) {
    body.temperature = request.temperature;
  }
  if (request.maxTokens !== undefined) body.max_output_tokens = request.maxTokens;
  return body;
}

/** `{instructions, input, tools}` as the API last received them, `extra` messages appended: `transcript.json`. */
export function responsesTranscript(request: ModelRequest, model: ModelInfo, extra: Message[] = []): { instructions?: string; input: ResponsesItem[]; tools: ResponsesTool[] } {
  const body = buildResponsesRequest(request, model);
  return {
    ...(body.instructions !== undefined ? { instructions: body.instructions } : {}),
    input: [...body.input, ...toResponsesInput(extra)],
    tools: body.tools,
  };
}
