import { randomBytes } from 'node:crypto';
import type { ModelProvider } from '../types.ts';
import { ProviderError } from '../errors.ts';
import type { SseMessage } from '../../sse/index.ts';
import { createHttpProvider, type HttpProviderOptions, type WireFormat } from '../openai/wire-provider.ts';
import { buildChatRequest, chatTranscript } from './request.ts';
import { ChatStreamMapper } from './stream.ts';

/** A tool-call id for servers that leave it out (unique enough to pair a call with its result). */
export function newToolCallId(): string {
  return `call_${randomBytes(12).toString('base64url')}`;
}

/** Chat Completions (`POST {base_url}/chat/completions`, streamed) as a wire format. */
export function chatWire(newId: () => string = newToolCallId): WireFormat {
  return {
    path: 'chat/completions',
    body: buildChatRequest,
    transcript: chatTranscript,
    mapper() {
      const mapper = new ChatStreamMapper(newId);
      return {
        message(m: SseMessage) {
          if (m.data.trim() === '[DONE]') {
            mapper.markDone();
            return 'done';
          }
          let chunk: unknown;
          try {
            chunk = JSON.parse(m.data);
          } catch {
            throw new ProviderError('StreamParseError', `the chat stream sent a chunk that is not JSON: ${m.data.slice(0, 200)}`, { retryable: true });
          }
          return mapper.push(chunk);
        },
        finish: () => mapper.finish(),
      };
    },
  };
}

export interface ChatProviderOptions extends HttpProviderOptions {
  /** Ids for tool calls the server sends without one. */
  newId?: () => string;
}

/**
 * A ModelProvider over Chat Completions (`ollama`, `lmstudio`, custom `wire_api = "chat"`):
 * streamed tool calls are put together from their fragments with the server's ids, reasoning
 * (`reasoning_content` / `reasoning`) is kept and sent back under the same field, usage is asked
 * for with `stream_options`; 429, 5xx and cut or idle streams are retried, each retry announced.
 */
export function createChatProvider(opts: ChatProviderOptions): ModelProvider {
  return createHttpProvider(opts, chatWire(opts.newId));
}
