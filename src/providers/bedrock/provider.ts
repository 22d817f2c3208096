import {
  ConverseCommand,
  ConverseStreamCommand,
  type BedrockRuntimeClient,
  type ConverseCommandInput,
} from '@aws-sdk/client-bedrock-runtime';
import type { Message, ModelProvider, ModelRequest, StreamEvent } from '../types.ts';
import { AbortError, ModelNotSupportedError, ProviderError } from '../errors.ts';
import { lookupModel, requireToolModel, type ApplicationProfiles, type BedrockModelInfo } from '../registry.ts';
import { isProfileOrArn, toInferenceProfileId } from '../inference-profile.ts';
import { buildConverseInput, extraMessages, toConverseParts, toTranscript } from './request.ts';
import { mapConverseOutput, mapStreamEvent } from './stream.ts';
import { abortErrorFor, isOnDemandUnsupported, sleepWithSignal, toProviderError } from './retry.ts';
import { DEFAULT_RETRY_POLICY, idleTimeout, retryStream, withinTimeout, type RetryPolicy, type StreamTimeouts } from '../../retry/index.ts';
import { modelErrorInfo } from '../error-codes.ts';

export interface FailoverEntry {
  /** Model for this entry; the request's model when absent. */
  model?: string;
  /** Client for this entry (e.g. another Region); the primary client when absent. */
  client?: BedrockRuntimeClient;
  /** Region of `client`, for inference-profile mapping; the primary Region when absent. */
  region?: string;
}

export interface BedrockProviderOptions {
  client: BedrockRuntimeClient;
  region: string;
  /** Map bare ids of profile-only models to `global.` profiles where the model has one. */
  globalProfiles?: boolean;
  /** Use the `jp.`/`au.` country profiles in Tokyo/Osaka and Sydney/Melbourne. */
  countryProfiles?: boolean;
  /** Retries per entry after the first call (default 6). */
  maxRetries?: number;
  baseDelayMs?: number;
  maxDelayMs?: number;
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  random?: () => number;
  /** Clock, only to read `retry-after` HTTP dates. */
  now?: () => number;
  failover?: FailoverEntry[];
  /** Application inference profile ARNs the provider may be asked for, mapped to the models they route to. */
  applicationProfiles?: ApplicationProfiles;
  /** First-byte and idle timeouts of a call (defaults: DEFAULT_BEDROCK_TIMEOUTS). */
  timeouts?: StreamTimeouts;
}

/**
 * Reasoning models may think for minutes before their first token on some routes, and stay silent
 * between blocks: the timeouts only catch calls that are stuck, not slow ones.
 */
export const DEFAULT_BEDROCK_TIMEOUTS: Readonly<Required<StreamTimeouts>> = { firstByteMs: 120_000, idleMs: 300_000 };

interface Target {
  model: string;
  client: BedrockRuntimeClient;
  region: string;
}

/**
 * A ModelProvider over Bedrock's ConverseStream (Converse for models without streaming tool
 * use). The model is checked against the registry before any call. Bare ids of profile-only
 * models are called through the Region's inference profile; an "on-demand throughput isn't
 * supported" answer maps the id once and calls again. Throttling, 5xx, transient in-stream
 * exceptions, transport faults and calls silent past the first-byte or idle timeout are retried
 * from the start of the turn under the shared retry policy (full-jitter backoff, `retry-after`
 * honoured), each announced by a `retry` event; when retries run out
 * the next failover entry is tried after a `failover` event, and stays in use for later turns.
 * Other errors throw at once. Aborting the request's signal throws an AbortError promptly.
 */
export function createBedrockProvider(opts: BedrockProviderOptions): ModelProvider {
  const policy: RetryPolicy = {
    maxRetries: opts.maxRetries ?? DEFAULT_RETRY_POLICY.maxRetries,
    baseDelayMs: opts.baseDelayMs ?? DEFAULT_RETRY_POLICY.baseDelayMs,
    maxDelayMs: opts.maxDelayMs ?? DEFAULT_RETRY_POLICY.maxDelayMs,
    random: opts.random ?? Math.random,
    sleep: opts.sleep ?? sleepWithSignal,
  };
  const timeouts = { ...DEFAULT_BEDROCK_TIMEOUTS, ...opts.timeouts };
  const profiles = opts.applicationProfiles;
  for (const f of opts.failover ?? []) if (f.model !== undefined) requireToolModel(f.model, profiles);
  const entries: FailoverEntry[] = [{}, ...(opts.failover ?? [])];
  // Ids learned to need an inference profile (from the on-demand error), per region.
  const learnedProfiles = new Map<string, string>();
  let active = 0;

  const targetOf = (entry: FailoverEntry, request: ModelRequest): Target => ({
    model: entry.model ?? request.model,
    client: entry.client ?? opts.client,
    region: entry.region ?? opts.region,
  });
  const label = (t: Target) => (t.region === opts.region ? t.model : `${t.model}@${t.region}`);
  const profileOptions = (info: BedrockModelInfo) => ({ global: !!opts.globalProfiles && info.globalProfile, countryProfiles: opts.countryProfiles });

  function initialModelId(t: Target, info: BedrockModelInfo): string {
    const learned = learnedProfiles.get(`${t.region}|${t.model}`);
    if (learned) return learned;
    return info.profileOnly ? toInferenceProfileId(t.model, t.region, profileOptions(info)) : t.model;
  }

  async function* callOnce(t: Target, info: BedrockModelInfo, modelId: string, request: ModelRequest): AsyncGenerator<StreamEvent> {
    const input = buildConverseInput(request, info, modelId);
    // Each call has its own abort, so that a timeout cancels it (and frees its connection) alone.
    const call = new AbortController();
    const signal = request.signal ? AbortSignal.any([request.signal, call.signal]) : call.signal;
    const what = `${label(t)}: ${info.streamingToolUse ? 'ConverseStream' : 'Converse'}`;
    const cancel = (reason: Error) => call.abort(reason);
    if (!info.streamingToolUse) {
      // Converse answers in one piece, after the whole generation: silence that long is not a stall.
      const wait = Math.max(timeouts.firstByteMs ?? 0, timeouts.idleMs ?? 0);
      const out = await withinTimeout(t.client.send(new ConverseCommand(input as ConverseCommandInput), { abortSignal: signal as never }), wait, 'first_byte', what, cancel);
      yield* mapConverseOutput(out);
      return;
    }
    const out = await withinTimeout(t.client.send(new ConverseStreamCommand(input), { abortSignal: signal as never }), timeouts.firstByteMs, 'first_byte', what, cancel);
    let stopped = false;
    for await (const ev of idleTimeout(out.stream ?? [], timeouts.idleMs, what, cancel)) {
      for (const e of mapStreamEvent(ev)) {
        if (e.type === 'message_stop') stopped = true;
        yield e;
      }
    }
    // An aborted HTTP/2 stream just ends; a stream cut before messageStop is an incomplete turn.
    if (request.signal?.aborted) throw abortErrorFor(request.signal);
    if (!stopped) throw new ProviderError('StreamIncomplete', 'the response stream ended before messageStop', { retryable: true });
  }

  /** One attempt: the call, and once more through an inference profile when the bare id needs one. */
  async function* attemptOn(t: Target, info: BedrockModelInfo, request: ModelRequest, state: { modelId: string; remapped: boolean }): AsyncGenerator<StreamEvent> {
    try {
      yield* callOnce(t, info, state.modelId, request);
    } catch (raw) {
      if (raw instanceof AbortError || request.signal?.aborted) throw raw;
      const err = toProviderError(raw, { now: opts.now });
      if (state.remapped || !isOnDemandUnsupported(err) || isProfileOrArn(state.modelId)) throw err;
      const mapped = toInferenceProfileId(state.modelId, t.region, profileOptions(info));
      if (mapped === state.modelId) throw err;
      learnedProfiles.set(`${t.region}|${t.model}`, mapped);
      state.modelId = mapped;
      state.remapped = true;
      yield* callOnce(t, info, mapped, request);
    }
  }

  function runTarget(t: Target, info: BedrockModelInfo, request: ModelRequest): AsyncGenerator<StreamEvent> {
    const signal = request.signal;
    const state = { modelId: initialModelId(t, info), remapped: false };
    const asProviderError = (raw: unknown) => (raw instanceof AbortError ? raw : toProviderError(raw, { now: opts.now }));
    return retryStream(() => attemptOn(t, info, request, state), policy, {
      signal,
      aborted: (s) => abortErrorFor(s),
      classify: (raw) => {
        const err = asProviderError(raw);
        return err instanceof ProviderError ? { retryable: err.retryable, retryAfterMs: err.retryAfterMs } : { retryable: false };
      },
      final: (raw, attempts) => {
        const err = asProviderError(raw);
        if (err instanceof ProviderError) err.attempts = attempts;
        return err;
      },
      announce: ({ attempt, waitMs, error }) => ({ type: 'retry', attempt, waitMs, error: modelErrorInfo(asProviderError(error) as ProviderError) }),
    });
  }

  return {
    name: 'amazon-bedrock',

    async *stream(request: ModelRequest): AsyncGenerator<StreamEvent> {
      const primaryInfo = requireToolModel(request.model, profiles);
      let failed: { target: Target; error: ProviderError } | undefined;
      for (let i = active; i < entries.length; i++) {
        const target = targetOf(entries[i], request);
        const info = entries[i].model === undefined ? primaryInfo : requireToolModel(target.model, profiles);
        if (failed) {
          yield { type: 'failover', from: label(failed.target), to: label(target), error: modelErrorInfo(failed.error) };
        }
        try {
          yield* runTarget(target, info, request);
          active = i;
          return;
        } catch (e) {
          if (!(e instanceof ProviderError) || e instanceof ModelNotSupportedError || !e.retryable) throw e;
          failed = { target, error: e };
        }
      }
      throw failed?.error ?? new ProviderError('UnknownError', 'no model call was made');
    },

    transcript(request: ModelRequest, extra?: Message[]): unknown {
      const target = targetOf(entries[Math.min(active, entries.length - 1)], request);
      const info = lookupModel(target.model, profiles) ?? lookupModel(request.model, profiles) ?? TRANSCRIPT_FALLBACK;
      return toTranscript(toConverseParts(request, info), extraMessages(extra, info));
    },
  };
}

// For a model the registry does not know (no call was made): no cache points, reasoning kept.
const TRANSCRIPT_FALLBACK: BedrockModelInfo = {
  id: 'unknown',
  family: 'unknown',
  toolUse: false,
  streamingToolUse: false,
  reasoning: true,
  cachePoints: false,
  minCacheTokens: 0,
  contextWindow: 0,
  maxOutputTokens: 4096,
  price: { input: 0, output: 0, cacheRead: 0, cacheWrite: 0 },
  thinking: false,
  cacheTools: false,
  profileOnly: false,
  globalProfile: false,
};
