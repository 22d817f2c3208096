/**
 * Failover across providers: a chain of (provider, model) entries used in order. When a call
 * fails for good on the active entry with a throttling or availability error, the same turn
 * goes on with the next entry, which stays in use for the rest of the run.
 */
import type { ContentBlock, Message, ModelInfo, ModelProvider, ModelRequest, StreamEvent } from './types.ts';
import { AbortError, ContextWindowExceededError, ModelNotSupportedError, ProviderError } from './errors.ts';
import { modelErrorInfo } from './error-codes.ts';
import { RESPONSES_REASONING_PREFIX } from './openai/reasoning.ts';
import { CHAT_REASONING_PREFIX } from './chat/reasoning.ts';

export type Wire = 'converse' | 'responses' | 'chat';

export interface FailoverChainEntry {
  /** How events and results name the entry, e.g. `openai/gpt-5`. */
  label: string;
  provider: ModelProvider;
  model: ModelInfo;
  /** The entry's wire format; reasoning made by another wire is not sent to it (it could not be verified). */
  wire?: Wire;
}

/** A provider over a chain, telling which entry is in use. */
export interface FailoverProvider extends ModelProvider {
  /** The model of the entry in use (the last one switched to). */
  activeModel(): ModelInfo;
  activeLabel(): string;
}

// Error codes that mean "this provider cannot serve you now", even when retrying it would not help.
const UNAVAILABLE_CODES = new Set(['insufficient_quota', 'ServiceQuotaExceededException', 'ModelNotReadyException', 'ServiceUnavailableException', 'ThrottlingException']);

/**
 * True when a failed call should move to the next entry: a ProviderError that is retryable
 * (its retries ran out), a throttle (429), a server fault (5xx) or a spent quota. Not for
 * aborts, unsupported models, validation, access or context-size errors, which another
 * provider would not fix or which the user must see.
 */
export function shouldFailOver(err: unknown): err is ProviderError {
  if (!(err instanceof ProviderError) || err instanceof AbortError) return false;
  if (err instanceof ModelNotSupportedError || err instanceof ContextWindowExceededError) return false;
  const status = err.statusCode ?? 0;
  return err.retryable || status === 429 || status >= 500 || UNAVAILABLE_CODES.has(err.code);
}

/** Where a reasoning block was made, from its signature. */
export function reasoningWire(block: ContentBlock): Wire | undefined {
  if (block.type === 'redacted_reasoning') return 'converse';
  if (block.type !== 'reasoning') return undefined;
  if (block.signature?.startsWith(RESPONSES_REASONING_PREFIX)) return 'responses';
  if (block.signature?.startsWith(CHAT_REASONING_PREFIX)) return 'chat';
  return 'converse';
}

/** `messages` without reasoning blocks made by a wire other than `wire` (unchanged when `wire` is undefined). */
export function portableMessages(messages: Message[], wire: Wire | undefined): Message[] {
  if (!wire) return messages;
  return messages.map((m) => {
    const content = m.content.filter((b) => {
      const origin = reasoningWire(b);
      return origin === undefined || origin === wire;
    });
    return content.length === m.content.length ? m : { ...m, content };
  });
}

/**
 * A ModelProvider over `chain` (at least one entry). Each call goes to the active entry with
 * the entry's model id; when it fails and `shouldFailOver` says so, a `failover` event
 * `{from, to, error}` is yielded (the partial turn must be discarded) and the same request goes
 * to the next entry, which becomes the active one. The last entry's error is thrown. The
 * transcript is the active entry's wire form.
 */
export function createFailoverProvider(chain: FailoverChainEntry[]): FailoverProvider {
  if (chain.length === 0) throw new Error('createFailoverProvider: the chain is empty');
  let active = 0;
  const requestFor = (entry: FailoverChainEntry, request: ModelRequest): ModelRequest => ({ ...request, model: entry.model.id, messages: portableMessages(request.messages, entry.wire) });

  return {
    get name() {
      return chain[active].provider.name;
    },

    async *stream(request: ModelRequest): AsyncGenerator<StreamEvent> {
      for (let i = active; i < chain.length; i++) {
        try {
          yield* chain[i].provider.stream(requestFor(chain[i], request));
          return;
        } catch (err) {
          if (i === chain.length - 1 || !shouldFailOver(err) || request.signal?.aborted) throw err;
          active = i + 1;
          yield { type: 'failover', from: chain[i].label, to: chain[i + 1].label, error: modelErrorInfo(err) };
        }
      }
    },

    transcript(request: ModelRequest, extra?: Message[]): unknown {
      const entry = chain[active];
      return entry.provider.transcript(requestFor(entry, request), extra && portableMessages(extra, entry.wire));
    },

    activeModel: () => chain[active].model,
    activeLabel: () => chain[active].label,
  };
}
