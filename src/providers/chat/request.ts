/**
 * Neutral requests in the Chat Completions form (`messages`, function `tools`), as Ollama,
 * LM Studio and OpenAI-compatible gateways take them. Pure functions.
 */
import type { Message, ModelInfo, ModelRequest, ToolSpec } from '../types.ts';
import { toolArguments } from '../openai/request.ts';
import { chatReasoningField } from './reasoning.ts';

export type ChatMessage = Record<string, unknown>;

export interface ChatTool {
  type: 'function';
  function: { name: string; description: string; parameters: Record<string, unknown> };
}

/** The body of `POST /chat/completions`. */
export interface ChatRequest {
  model: string;
  messages: ChatMessage[];
  tools?: ChatTool[];
  stream: true;
  stream_options: { include_usage: true };
  max_tokens?: number;
  temperature?: number;
  reasoning_effort?: string;
}

/** Tool specs as Chat Completions function tools. */
export function toChatTools(tools: ToolSpec[]): ChatTool[] {
  return tools.map((t) => ({ type: 'function', function: { name: t.name, description: t.description, parameters: t.inputSchema } }));
}

/**
 * The system prompt and neutral messages as chat messages: a `system` message; user text as
 * `user` messages; tool results as `tool` messages with their `tool_call_id`, right after the
 * assistant message that called them; an assistant message with its text (null when it only
 * calls tools), its reasoning under the field it came in (reasoning from other wire formats is
 * left out), and `tool_calls` with the ids the model gave.
 */
export function toChatMessages(system: string, messages: Message[]): ChatMessage[] {
  const out: ChatMessage[] = system.trim() !== '' ? [{ role: 'system', content: system }] : [];
  for (const m of messages) {
    if (m.role === 'user') {
      for (const b of m.content) if (b.type === 'tool_result') out.push({ role: 'tool', tool_call_id: b.toolUseId, content: b.content });
      const text = m.content.flatMap((b) => (b.type === 'text' ? [b.text] : []));
      if (text.length > 0) out.push({ role: 'user', content: text.join('\n\n') });
      continue;
    }
    const text = m.content.flatMap((b) => (b.type === 'text' ? [b.text] : [])).join('');
    const calls = m.content.flatMap((b) => (b.type === 'tool_use' ? [{ id: b.id, type: 'function', function: { name: b.name, arguments: toolArguments(b.input) } }] : []));
    const msg: ChatMessage = { role: 'assistant', content: text === '' && calls.length > 0 ? null : text };
    for (const b of m.content) {
      const field = b.type === 'reasoning' ? chatReasoningField(b.signature) : undefined;
      if (field && b.type === 'reasoning') msg[field] = `${(msg[field] as string | undefined) ?? ''}${b.text}`;
    }
    if (calls.length > 0) msg.tool_calls = calls;
    out.push(msg);
  }
  return out;
}

/** The whole streaming request, usage asked for in the last chunk. */
export function buildChatRequest(request: ModelRequest, _model: ModelInfo): ChatRequest {
  const body: ChatRequest = {
    model: request.model,
    messages: toChatMessages(request.system, request.messages),
    ...(request.tools.length > 0 ? { tools: toChatTools(request.tools) } : {}),
    stream: true,
    stream_options: { include_usage: true },
  };
  if (request.maxTokens !== undefined) body.max_tokens = request.maxTokens;
  if (request.temperature !== undefined) body.temperature = request.temperature;
  if (request.reasoningEffort !== undefined) body.reasoning_effort = request.reasoningEffort;
  return body;
}

/** `{messages, tools}` as the server last received them, `extra` messages appended: `transcript.json`. */
export function chatTranscript(request: ModelRequest, model: ModelInfo, extra: Message[] = []): { messages: ChatMessage[]; tools: ChatTool[] } {
  const body = buildChatRequest(request, model);
  return { messages: [...body.messages, ...toChatMessages('', extra)], tools: body.tools ?? [] };
}
