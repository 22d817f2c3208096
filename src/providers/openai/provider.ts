import type { ModelProvider } from '../types.ts';
import type { SseMessage } from '../../sse/index.ts';
import { createHttpProvider, type HttpProviderOptions, type WireFormat } from './wire-provider.ts';
import { ProviderError } from '../errors.ts';
import { buildResponsesRequest, responsesTranscript } from './request.ts';
import { ResponsesStreamMapper } from './stream.ts';

/** The Responses API (`POST {base_url}/responses`, streamed) as a wire format. */
export const RESPONSES_WIRE: WireFormat = {
  path: 'responses',
  body: buildResponsesRequest,
  transcript: responsesTranscript,
  mapper() {
    const mapper = new ResponsesStreamMapper();
    return {
      message(m: SseMessage) {
        if (m.data.trim() === '[DONE]') return 'done';
        let ev: any;
        try {
          ev = JSON.parse(m.data);
        } catch {
          throw new ProviderError('StreamParseError', `the response stream sent a message that is not JSON: ${m.data.slice(0, 200)}`, { retryable: true });
        }
        if (!ev || typeof ev !== 'object') return [];
        // Some servers name the event only in the SSE `event:` field.
        if (typeof ev.type !== 'string') ev.type = m.event;
        return mapper.map(ev);
      },
      finish() {
        if (!mapper.completed) throw new ProviderError('StreamIncomplete', 'the response stream ended before response.completed', { retryable: true });
        return [];
      },
    };
  },
};

export type OpenAIProviderOptions = HttpProviderOptions;

/**
 * A ModelProvider over the OpenAI Responses API (`openai`, or a custom provider with
 * `wire_api = "responses"`): requests with `store: false` and, for reasoning models, encrypted
 * reasoning included so it round-trips; tool-call ids are the API's `call_id`s; 429, 5xx and cut
 * or idle streams are retried with backoff, each retry announced.
 */
export function createOpenAIProvider(opts: OpenAIProviderOptions): ModelProvider {
  return createHttpProvider(opts, RESPONSES_WIRE);
}
