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
import { abortErrorFor, backoffDelay, isOnDemandUnsupported, sleepWithSignal, toProviderError } from './retry.ts';

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
}

interface Target {
  model: string;
  client: BedrockRuntimeClient;
  region: string;
}

const DEFAULTS = { maxRetries: 6, baseDelayMs: 1000, maxDelayMs: 30_000 };
// A server's retry-after is honoured, but never beyond this.
const MAX_RETRY_AFTER_MS = 60_000;

/**
 * A ModelProvider over Bedrock's ConverseStream (Converse for models without streaming tool
 * use). The model is checked against the registry before any call. Bare ids of profile-only
 * models are called through the Region's inference profile; an "on-demand throughput isn't
 * supported" answer maps the id once and calls again. Throttling, 5xx, transient in-stream
 * exceptions and broken streams are retried from the start of the turn with full-jitter
 * backoff (honouring `retry-after`), each announced by a `retry` event; when retries run out
 * the next failover entry is tried after a `failover` event, and stays in use for later turns.
 * Other errors throw at once. Aborting the request's signal throws an AbortError promptly.
 */
export function createBedrockProvider(opts: BedrockProviderOptions): ModelProvider {
  const cfg = {
    maxRetries: opts.maxRetries ?? DEFAULTS.maxRetries,
    baseDelayMs: opts.baseDelayMs ?? DEFAULTS.baseDelayMs,
    maxDelayMs: opts.maxDelayMs ?? DEFAULTS.maxDelayMs,
    random: opts.random ?? Math.random,
    sleep: opts.sleep ?? sleepWithSignal,
  };
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
    const signal = request.signal;
    if (!info.streamingToolUse) {
      const out = await t.client.send(new ConverseCommand(input as ConverseCommandInput), { abortSignal: signal as never });
      yield* mapConverseOutput(out);
      return;
    }
    const out = await t.client.send(new ConverseStreamCommand(input), { abortSignal: signal as never });
    let stopped = false;
    for await (const ev of out.stream ?? []) {
      for (const e of mapStreamEvent(ev)) {
        if (e.type === 'message_stop') stopped = true;
        yield e;
      }
    }
    // An aborted HTTP/2 stream just ends; a stream cut before messageStop is an incomplete turn.
    if (signal?.aborted) throw abortErrorFor(signal);
    if (!stopped) throw new ProviderError('StreamIncomplete', 'the response stream ended before messageStop', { retryable: true });
  }

  async function* runTarget(t: Target, info: BedrockModelInfo, request: ModelRequest): AsyncGenerator<StreamEvent> {
    const signal = request.signal;
    let modelId = initialModelId(t, info);
    let remapped = false;
    for (let attempt = 1; ; ) {
      if (signal?.aborted) throw abortErrorFor(signal);
      try {
        yield* callOnce(t, info, modelId, request);
        return;
      } catch (raw) {
        if (signal?.aborted) throw abortErrorFor(signal);
        if (raw instanceof AbortError) throw raw;
        const err = toProviderError(raw, { now: opts.now });
        if (!remapped && isOnDemandUnsupported(err) && !isProfileOrArn(modelId)) {
          const mapped = toInferenceProfileId(modelId, t.region, profileOptions(info));
          if (mapped !== modelId) {
            learnedProfiles.set(`${t.region}|${t.model}`, mapped);
            modelId = mapped;
            remapped = true;
            continue;
          }
        }
        if (!err.retryable || attempt > cfg.maxRetries) {
          err.attempts = attempt;
          throw err;
        }
        const waitMs = err.retryAfterMs !== undefined ? Math.min(err.retryAfterMs, MAX_RETRY_AFTER_MS) : backoffDelay(attempt, cfg);
        yield { type: 'retry', attempt, waitMs, error: { code: err.code, message: err.message } };
        await cfg.sleep(waitMs, signal);
        if (signal?.aborted) throw abortErrorFor(signal);
        attempt++;
      }
    }
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
          yield { type: 'failover', from: label(failed.target), to: label(target), error: { code: failed.error.code, message: failed.error.message } };
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
